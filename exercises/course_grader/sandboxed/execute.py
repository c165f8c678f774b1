"""Execute a notebook in an IPython kernel, inside the sandbox, for the learner's feedback. Untrusted.

    python -S -m course_grader.sandboxed.execute CELL_TIMEOUT < notebook.json > outputs.jsonl

Started by ``course_grader.sandbox.run_notebook`` with a notebook whose test cells were emptied (the checker grades
them; no hidden test ever enters the sandbox). The kernel is ipykernel's IPython kernel, run in this process
(``ipykernel.inprocess``: the same kernel and shell as in Jupyter, with in-process channels instead of ZeroMQ, which
saves a second interpreter per submission). After each code cell, one JSON line ``{"index", "outputs",
"execution_count"}`` is written, so that the outputs up to a cell that kills the process are kept. A cell that
raises or runs past ``CELL_TIMEOUT`` seconds gets an error output and the next cells still run, as in nbgrader.
Everything written here is learner-controlled: the instructor's side keeps only plain outputs of ungraded cells.
"""

import json
import os
import signal
import sys


class _CellTimeout(KeyboardInterrupt):
    """Raised in the running cell when its time is up; IPython reports it as the cell's error."""


def _interrupt(_signum, _frame):
    raise _CellTimeout()


def _outputs(client, msg_id, timeout_note):
    """The outputs of one executed cell, from the kernel's messages, as nbformat dicts."""
    outputs = []
    while True:
        # Cells run one at a time, so every message until this cell's "idle" belongs to it (in-process streams
        # do not carry the cell's message id).
        message = client.get_iopub_msg(timeout=5)
        kind, content = message["msg_type"], message["content"]
        if kind == "status" and content["execution_state"] == "idle":
            if message["parent_header"].get("msg_id") == msg_id:
                return outputs
            continue
        if kind == "stream":
            outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
        elif kind in ("display_data", "execute_result"):
            outputs.append({"output_type": kind, "data": content["data"], "metadata": content.get("metadata", {})})
        elif kind == "error":
            outputs.append(
                {
                    "output_type": "error",
                    "ename": content["ename"],
                    "evalue": content["evalue"],
                    "traceback": [timeout_note]
                    if timeout_note and content["ename"] == "_CellTimeout"
                    else content["traceback"],
                }
            )


def main():
    from ipykernel.inprocess.manager import InProcessKernelManager

    timeout = float(sys.argv[1])
    result = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # a cell writing to file descriptor 1 must not reach the result
    notebook = json.loads(sys.stdin.read())
    # Figures appear as images in the feedback, as in Jupyter.
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    manager = InProcessKernelManager()
    manager.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"])
    client = manager.client()
    client.start_channels()
    signal.signal(signal.SIGALRM, _interrupt)
    note = f"CellTimeoutError: the cell did not finish within {timeout:g} s"
    for index, cell in enumerate(notebook.get("cells", [])):
        source = "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else cell.get("source", "")
        if cell.get("cell_type") != "code" or not source.strip():
            continue
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            msg_id = client.execute(source)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        reply = client.get_shell_msg(timeout=5)
        record = {
            "index": index,
            "outputs": _outputs(client, msg_id, note),
            "execution_count": reply["content"].get("execution_count"),
        }
        result.write(json.dumps(record, default=str) + "\n")
        result.flush()


if __name__ == "__main__":
    main()
