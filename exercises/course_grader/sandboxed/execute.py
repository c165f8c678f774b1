"""Execute a notebook in a real Jupyter kernel, inside the sandbox, for the learner's feedback. Untrusted.

    python -S -m course_grader.sandboxed.execute CELL_TIMEOUT < notebook.json > executed.json

Started by ``course_grader.sandbox.run_notebook`` with a notebook whose test cells were emptied (the checker grades
them; no hidden test ever enters the sandbox). Cells that fail or time out get an error output and the next cells
still run, as in nbgrader. Everything it prints is learner-controlled: the instructor's side keeps only the outputs
of cells that are not graded.
"""

import json
import os
import sys

import nbformat
from nbclient import NotebookClient


def main():
    timeout = float(sys.argv[1])
    result = os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)  # the kernel inherits the standard streams: it must not write into the result
    notebook = nbformat.reads(sys.stdin.read(), as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "CellTimeoutError",
            "evalue": f"the cell did not finish within {timeout:g} s",
            "traceback": [f"CellTimeoutError: the cell did not finish within {timeout:g} s"],
        },
        extra_arguments=["--HistoryManager.hist_file=:memory:"],
        resources={"metadata": {"path": os.getcwd()}},
    )
    try:
        client.execute()
    except Exception as error:  # a kernel that died: keep the outputs so far, say where it stopped
        notebook.metadata["course_execution_error"] = f"{type(error).__name__}: {error}"[:2000]
    json.dump(notebook, result)
    result.close()


if __name__ == "__main__":
    main()
