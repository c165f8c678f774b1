"""What the book tests share: where the book's files are, reading chapters, and one build of the book per session.

The book is built once per pytest session, lazily, by the first test that needs it (``book_build`` in conftest.py
or the chapter notebooks' collector), into a temporary folder with ``--path-output``: the tests always see the
current sources and never touch the ``_build/`` of ``make book``. ``--book-build=_build`` reuses a build made by
``make book`` instead, but only when it is newer than every source it was built from.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS_DIR = ROOT / "chapters"
ARTIFACTS_DIR = ROOT / "test-artifacts"
BUILD_TIMEOUT = 900  # seconds; the whole book builds in about a minute

# Everything the HTML is made from: a build older than any of these is stale.
BOOK_SOURCES = ("*.md", "*.yml", "*.bib", "chapters/*.md", "chapters/*.py", "nnlib/*.py", "_ext/*.py", "_static/**/*")


def chapter_files():
    """The chapter notebooks, in chapter order: chapters/01_neuron.md, ..., chapters/08_adam.md."""
    return sorted(CHAPTERS_DIR.glob("[0-9][0-9]_*.md"))


def chapter_number(path):
    """1 for chapters/01_neuron.md."""
    return int(Path(path).name[:2])


def toc_docnames():
    """The pages of _toc.yml in reading order, as docnames ("intro", "chapters/01_neuron", ...)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        walk(part["chapters"])
    return names


def read_notebook(path):
    """A MyST Markdown chapter as an nbformat notebook, read by jupytext exactly as Jupyter reads it."""
    import jupytext

    return jupytext.read(path)


def code_cell_sources(path):
    return [cell.source for cell in read_notebook(path).cells if cell.cell_type == "code"]


def python_source(cell_source):
    """A code cell as plain Python: IPython magics (%timeit, !pip) become the calls IPython would run."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)


def nnlib_imports(source):
    """``(module, line)`` for every nnlib module a piece of Python imports.

    ``import nnlib.losses``, ``from nnlib.losses import accuracy`` and ``from nnlib import losses`` all import
    ``losses``; so does ``importlib.import_module("nnlib.losses")``. ``import nnlib`` and ``from nnlib import
    CHAPTER_MODULES`` import the package itself, which imports nothing, and are reported as ``""``.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(_module_of(alias.name), node.lineno) for alias in node.names if _is_nnlib(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _is_nnlib(node.module):
            if node.module == "nnlib":
                for alias in node.names:
                    name = alias.name if _is_module_name(alias.name) else ""
                    found.append((name, node.lineno))
            else:
                found.append((_module_of(node.module), node.lineno))
        elif isinstance(node, ast.Call) and _called_name(node.func) in {"import_module", "__import__"}:
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                if _is_nnlib(node.args[0].value):
                    found.append((_module_of(node.args[0].value), node.lineno))
        elif isinstance(node, ast.Call) and _called_name(node.func) in {"run_line_magic", "run_cell_magic"}:
            # %time / %%timeit code: python_source turned it into a string argument; read that too.
            code = node.args[-1] if node.args else None
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                try:
                    found += [(module, node.lineno) for module, _ in nnlib_imports(code.value)]
                except SyntaxError:
                    pass  # not Python (a shell line, a magic's options)
    return found


def _is_nnlib(dotted):
    return dotted == "nnlib" or dotted.startswith("nnlib.")


def _module_of(dotted):
    """ "losses" for "nnlib.losses.helpers", "" for "nnlib"."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_module_name(name):
    """``from nnlib import X``: X is a module if nnlib/X.py exists (CHAPTER_MODULES is a dict, not a module)."""
    return (ROOT / "nnlib" / f"{name}.py").is_file()


def _called_name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


# A kernel shutting down after its page ran may flush stderr once its event pipe is closed: ipykernel 7.4.0's
# control handler does, and tornado logs the traceback (ipykernel#1518 silenced the same race for IOPub sends only).
# The page was executed and the build is unaffected; only this exact traceback is left out of the problems.
_KERNEL_SHUTDOWN_RACE = re.compile(
    r"^ERROR:tornado\.general:Uncaught exception in ZMQStream callback\nTraceback \(most recent call last\):\n"
    r"(?: .*\n)*? +File \"[^\"]*/ipykernel/kernelbase\.py\", line \d+, in process_control\n(?: .*\n)*"
    r"zmq\.error\.ZMQError: Socket operation on non-socket$",
    re.MULTILINE,
)


@dataclass
class BookBuild:
    """One build of the book: ``html`` is the site, ``executed`` holds the executed chapter notebooks."""

    root: Path  # the folder holding html/ and jupyter_execute/
    returncode: int
    log: str
    seconds: float
    reused: bool = False

    @property
    def html(self):
        return self.root / "html"

    @property
    def executed(self):
        return self.root / "jupyter_execute"

    def problems(self):
        """The build's warnings and errors, one per line, and the tracebacks of chapters that failed to run."""
        log = _KERNEL_SHUTDOWN_RACE.sub("", self.log)
        lines = [line for line in log.splitlines() if re.search(r"(WARNING|ERROR|CRITICAL):", line)]
        lines = [line for line in lines if "[IPKernelApp] WARNING" not in line]  # kernels' TCP notice, harmless
        for report in sorted((self.html / "reports").rglob("*.err.log")):
            lines.append(f"--- {report.relative_to(self.html)}:\n{report.read_text(encoding='utf-8')}")
        return lines


_BUILD_KEY = pytest.StashKey[BookBuild]()


def get_book_build(config):
    """The session's book build, made on first use (see the module docstring)."""
    if _BUILD_KEY not in config.stash:
        reuse = config.getoption("book_build", default=None)
        config.stash[_BUILD_KEY] = _reuse_build(Path(reuse)) if reuse else _fresh_build(config)
    return config.stash[_BUILD_KEY]


def _fresh_build(config):
    output = Path(tempfile.mkdtemp(prefix="nn-book-build-"))
    config.add_cleanup(lambda: shutil.rmtree(output, ignore_errors=True))
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "--path-output", str(output)]
    command += ["-W", "-n", "--keep-going", "--all"]
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1", NO_COLOR="1")
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
        )
        returncode, log = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as error:
        returncode, log = -1, f"jupyter-book build timed out after {BUILD_TIMEOUT} s\n{error.stdout or ''}"
    build = BookBuild(root=output / "_build", returncode=returncode, log=_strip_ansi(log), seconds=0.0)
    build.seconds = time.perf_counter() - start
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    (ARTIFACTS_DIR / "book-build.log").write_text(f"$ {' '.join(command)}\n{build.log}", encoding="utf-8")
    return build


def _reuse_build(root):
    root = root if root.is_absolute() else ROOT / root
    index = root / "html" / "index.html"
    if not index.is_file():
        raise pytest.UsageError(f"--book-build={root}: no {index}; run `make book` first.")
    built_at = index.stat().st_mtime
    stale = [
        path.relative_to(ROOT)
        for pattern in BOOK_SOURCES
        for path in ROOT.glob(pattern)
        if path.is_file() and path.stat().st_mtime > built_at
    ]
    if stale:
        names = ", ".join(str(path) for path in stale[:5])
        raise pytest.UsageError(f"--book-build={root} is older than {names}: run `make book` again.")
    return BookBuild(root=root, returncode=0, log="", seconds=0.0, reused=True)


def _strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
