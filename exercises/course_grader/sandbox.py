"""The sandbox that learner code runs in at grading time, and the learner's runtime inside it. Instructor side.

Every run of learner code (the notebook executed for the feedback, and the learner process that the checker
calls) is one command started here, under Debian's bubblewrap (``bwrap``), and in a cgroup of its own:

* an unprivileged identity (uid and gid 65534 in a user namespace of its own, no capabilities, no further
  namespaces), no network (a network namespace holding only loopback), its own PID namespace (when the command
  ends or is killed, every process it started dies with it) and a new session (no terminal to type into);
* a file view holding only a read-only runtime (``/usr``, the Python interpreter without its site-packages, and
  the packages of the learner's runtime below) and a private ``/tmp`` in memory, of bounded size: no course
  directory, no ``source/``, no gradebook, no configuration, no other student's files; nothing survives the run;
* memory (all its processes together, files in ``/tmp`` included) and the number of processes and threads bounded
  by its cgroup, which sits in the submission's cgroup, so that the limits also hold for all the sandboxed
  commands of one submission together; wall-clock limits per cell and per notebook enforced by whoever started it.

The learner's runtime is a folder on ``PYTHONPATH`` (the interpreter runs with ``-S``: no site-packages) holding
NumPy, matplotlib and what Jupyter needs to run a kernel, the visible-check helpers ``course_checks``, the
in-sandbox half of ``course_grader``, and the nnlib modules of the assignment's chapter and earlier ones *except*
the modules that define a function the assignment asks for and every module that imports one of those. Calling
the reference is therefore impossible, not merely detected; no torch, no other array or autodiff library.

``COURSE_SANDBOX=off`` runs the same commands without bwrap and cgroups, for local trials only: the runtime is
the same, but learner code then runs with the instructor's rights.
"""

import atexit
import functools
import importlib
import inspect
import json
import os
import re
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nnlib

PACKAGE = Path(__file__).resolve().parent
COURSE_CHECKS = Path(importlib.import_module("course_checks").__file__).resolve()
# What learner code may import: the roots of the runtime's dependency closure.
RUNTIME_DISTRIBUTIONS = ("numpy", "matplotlib", "ipykernel", "nbclient", "nbformat")
NEVER_IN_RUNTIME = ("torch", "jax", "jaxlib", "tensorflow", "keras", "nbgrader", "nnlib", "cupy")
SANDBOX_UID = 65534
_CGROUP_ROOT = Path("/sys/fs/cgroup")
_CGROUP_PREFIX = "course-grading-"  # then the creating process's pid


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Seconds, megabytes, processes and threads."""

    cell_timeout: float = 30.0
    notebook_timeout: float = 300.0
    memory_mb: int = 2048
    max_processes: int = 256
    tmp_mb: int = 256
    output_mb: int = 32

    @classmethod
    def from_environment(cls, **configured):
        """The ``configured`` limits, overridden per run by ``COURSE_CELL_TIMEOUT``, ``COURSE_NOTEBOOK_TIMEOUT`` and
        ``COURSE_MEMORY_MB`` when they are set."""
        names = {
            "cell_timeout": "COURSE_CELL_TIMEOUT",
            "notebook_timeout": "COURSE_NOTEBOOK_TIMEOUT",
            "memory_mb": "COURSE_MEMORY_MB",
        }
        values = {key: type(getattr(cls, key))(os.environ[env]) for key, env in names.items() if env in os.environ}
        return cls(**{**configured, **values})


class SandboxUnavailable(RuntimeError):
    """The host cannot provide the sandbox; the message names what is missing."""


def isolation_enabled():
    """False only when the instructor opted out with ``COURSE_SANDBOX=off`` (local trials)."""
    return os.environ.get("COURSE_SANDBOX", "on").lower() not in ("off", "0", "no", "false")


# ---------------------------------------------------------------------------------------------------------------
# The learner's runtime.
def _closure(roots):
    """The installed distributions that ``roots`` need (their requirements, without extras), by name."""
    import importlib.metadata  # here, not at the top: the checker, which imports this module, never needs them

    from packaging.requirements import Requirement

    seen, todo = {}, list(roots)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        distribution = importlib.metadata.distribution(name)
        seen[key] = distribution
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    forbidden = sorted(set(seen) & set(NEVER_IN_RUNTIME))
    if forbidden:
        raise SandboxUnavailable(f"the learner's runtime would contain {forbidden}")
    return seen


def _top_level_items(distribution):
    """The folders and files a distribution installs at the top of site-packages (its metadata included)."""
    items = set()
    for file in distribution.files or []:
        first = Path(file).parts[0]
        if first != ".." and first != "__pycache__" and not first.endswith(".pth"):
            items.add(first)
    return {item: Path(distribution.locate_file(item)).resolve() for item in items}


def nnlib_modules_of(functions):
    """The nnlib modules (names like ``"activations"``) that define one of ``functions``."""
    defining = set()
    for modules in nnlib.CHAPTER_MODULES.values():
        for name in modules:
            module = importlib.import_module(f"nnlib.{name}")
            for function in functions:
                value = getattr(module, function, None)
                if inspect.isfunction(value) and value.__module__ == module.__name__:
                    defining.add(name)
    return defining


def allowed_nnlib_modules(assignment, functions):
    """The nnlib modules learner code may import while ``assignment`` is graded (see the module docstring)."""
    chapter = int(re.match(r"\d+", assignment).group()) if re.match(r"\d+", assignment) else max(nnlib.CHAPTER_MODULES)
    allowed = {name for k, names in nnlib.CHAPTER_MODULES.items() if k <= chapter for name in names}
    forbidden = nnlib_modules_of(functions)
    nnlib_folder = Path(nnlib.__file__).resolve().parent
    imports = {
        name: set(re.findall(r"^\s*(?:from|import) nnlib\.(\w+)", (nnlib_folder / f"{name}.py").read_text(), re.M))
        for name in allowed
    }
    while True:
        tainted = {name for name in allowed if name in forbidden or imports[name] & forbidden}
        if tainted <= forbidden:
            break
        forbidden |= tainted
    return sorted(allowed - forbidden)


@dataclass(frozen=True)
class Runtime:
    """A learner's runtime on disk: ``root/site`` goes on PYTHONPATH; ``binds`` are what its symlinks point to."""

    root: Path
    binds: tuple
    nnlib_modules: tuple

    @property
    def site(self):
        return self.root / "site"


@functools.lru_cache(maxsize=None)
def learner_runtime(assignment, functions):
    """The runtime for grading ``assignment`` whose graded functions are ``functions`` (a tuple); cached."""
    root = Path(tempfile.mkdtemp(prefix=f"course-runtime-{assignment}-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    site = root / "site"
    site.mkdir()
    binds = set()
    for distribution in _closure(RUNTIME_DISTRIBUTIONS).values():
        for item, target in _top_level_items(distribution).items():
            if target.exists() and not (site / item).exists():
                (site / item).symlink_to(target)
                binds.add(target)
    modules = allowed_nnlib_modules(assignment, functions)
    nnlib_folder = Path(nnlib.__file__).resolve().parent
    (site / "nnlib").mkdir()
    for name in ["__init__", "_validation", *modules]:
        shutil.copy(nnlib_folder / f"{name}.py", site / "nnlib" / f"{name}.py")
    (site / "course_checks").mkdir()
    for module in ["__init__.py", "mine.py"]:  # mine.py: the learner's own library (falls back to nnlib here)
        shutil.copy(COURSE_CHECKS.parent / module, site / "course_checks" / module)
    (site / "course_grader" / "sandboxed").mkdir(parents=True)
    for name in ["__init__.py", "protocol.py", "sandboxed/__init__.py", "sandboxed/serve.py", "sandboxed/execute.py"]:
        shutil.copy(PACKAGE / name, site / "course_grader" / name)
    kernel = root / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    argv = [_python(), "-S", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (kernel / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    return Runtime(root, tuple(sorted(binds)), tuple(modules))


def _python():
    return str(Path(sys.executable).resolve())


# ---------------------------------------------------------------------------------------------------------------
# Limits: one cgroup per submission, and one inside it per sandboxed command.
def _own_cgroup_folders():
    """The cgroup folders of this process: the memory and pids ones (cgroup v1) or its unified one (v2)."""
    lines = Path("/proc/self/cgroup").read_text().splitlines()
    if (_CGROUP_ROOT / "cgroup.controllers").exists():
        return [_CGROUP_ROOT / line[3:].lstrip("/") for line in lines if line.startswith("0::")]
    folders = []
    for controller in ("memory", "pids"):
        paths = [line.split(":", 2)[2] for line in lines if controller in line.split(":", 2)[1].split(",")]
        if not paths:
            raise SandboxUnavailable(f"no {controller} cgroup controller is mounted")
        folders.append(_CGROUP_ROOT / controller / paths[0].lstrip("/"))
    return folders


class Cgroup:
    """Memory and process-count limits for all the processes in it and in the cgroups below it (v1 or v2).

    ``parents`` are the folders of an enclosing ``Cgroup`` (by default this process's own cgroups): the limits of
    a submission's cgroup then hold for every sandboxed command of that submission together.
    """

    def __init__(self, limits, parents=None):
        name = f"{_CGROUP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        if parents is None:
            _remove_orphans()
        memory = str(limits.memory_mb * 2**20)
        settings = {
            "memory.limit_in_bytes": memory,
            "memory.memsw.limit_in_bytes": memory,
            "memory.max": memory,
            "memory.swap.max": "0",
            "pids.max": str(limits.max_processes),
        }
        self.folders = []
        try:
            for parent in parents or _own_cgroup_folders():
                folder = Path(parent) / name
                folder.mkdir()
                self.folders.append(folder)
                for key, value in settings.items():
                    if (folder / key).exists():
                        (folder / key).write_text(value)
            limited = {key for folder in self.folders for key in settings if (folder / key).exists()}
            if not ({"memory.limit_in_bytes", "memory.max"} & limited and "pids.max" in limited):
                raise OSError("the memory or pids controller is not enabled there")
        except OSError as error:
            self.remove()
            raise SandboxUnavailable(
                f"cannot create a cgroup with memory and pids limits ({error}); grading needs write access to the "
                "memory and pids cgroup controllers (run as root, or in a delegated cgroup; see instructor.md)"
            ) from error

    def join(self):
        """Move the calling process into the cgroup (called in the child, before exec)."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def hit_memory_limit(self):
        for folder in self.folders:
            failures = folder / "memory.failcnt"
            if failures.exists() and failures.read_text().strip() != "0":
                return True
            events = folder / "memory.events"
            if events.exists() and re.search(r"^oom_kill [1-9]", events.read_text(), re.M):
                return True
        return False

    def remove(self):
        """Kill whatever is left in the cgroup and the cgroups below it, and delete them."""
        for folder in self.folders:
            for child in sorted((path for path in folder.rglob("*") if path.is_dir()), reverse=True):
                _remove_folder(child)
            _remove_folder(folder)
        self.folders = []


def _remove_orphans():
    """Remove the cgroups that a grading process killed before its clean-up left behind (their creator's pid, in
    their name, is gone), with whatever still runs in them; they would otherwise pile up, one per killed worker."""
    try:
        parents = _own_cgroup_folders()
    except (OSError, SandboxUnavailable):
        return  # Cgroup() reports the real problem
    for parent in parents:
        for folder in parent.glob(f"{_CGROUP_PREFIX}*"):
            pid = folder.name[len(_CGROUP_PREFIX) :].split("-")[0]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                for child in sorted((path for path in folder.rglob("*") if path.is_dir()), reverse=True):
                    _remove_folder(child)
                _remove_folder(folder)


def _remove_folder(folder):
    for _attempt in range(100):
        try:
            for pid in (folder / "cgroup.procs").read_text().split():
                os.kill(int(pid), signal.SIGKILL)
            folder.rmdir()
            return
        except (FileNotFoundError, ProcessLookupError):
            if not folder.exists():
                return
        except OSError:
            time.sleep(0.02)


# ---------------------------------------------------------------------------------------------------------------
# Sandboxed commands.
def _system_view():
    """bwrap arguments for a read-only /usr and the merged-/usr links, without Python packages outside the runtime."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    masks = [Path("/usr/local"), *Path("/usr/lib").glob("python3*")]
    for mask in masks:
        if mask.is_dir():
            args += ["--tmpfs", str(mask)]
    for shared in ("/etc/ld.so.cache", "/etc/fonts"):
        if Path(shared).exists():
            args += ["--ro-bind", shared, shared]
    return args


def _environment(runtime, home):
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(runtime.site),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/matplotlib",
        "IPYTHONDIR": f"{home}/ipython",
        "JUPYTER_PATH": str(runtime.root / "jupyter"),
        "JUPYTER_CONFIG_DIR": f"{home}/jupyter-config",
        "JUPYTER_DATA_DIR": f"{home}/jupyter-data",
        "JUPYTER_RUNTIME_DIR": f"{home}/jupyter-runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


class Sandbox:
    """One command of the learner's runtime (``python -S -m module args``), sandboxed unless opted out."""

    def __init__(self, runtime, module, args=(), limits=Limits(), isolated=True, cgroup_parents=None):
        self.runtime, self.limits, self.isolated, self.cgroup_parents = runtime, limits, isolated, cgroup_parents
        self.command = [_python(), "-S", "-m", module, *map(str, args)]
        self.process, self.cgroup, self.scratch = None, None, None
        self.memory_limit_reached = False

    def _bwrap(self, environment):
        base = Path(sys.base_prefix).resolve()
        args = [
            "bwrap",
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
            "--hostname",
            "sandbox",
            *_system_view(),
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--perms",
            "1777",
            "--size",
            str(self.limits.tmp_mb * 2**20),
            "--tmpfs",
            "/tmp",
            "--ro-bind",
            str(base),
            str(base),
        ]
        for site_packages in base.glob("lib/python3*/site-packages"):
            args += ["--tmpfs", str(site_packages)]
        args += ["--ro-bind", str(self.runtime.root), str(self.runtime.root)]
        for target in self.runtime.binds:
            args += ["--ro-bind", str(target), str(target)]
        args += ["--chdir", "/tmp", "--clearenv"]
        for key, value in environment.items():
            args += ["--setenv", key, value]
        return args + ["--", *self.command]

    def start(self):
        """Start the command with pipes on stdin, stdout and stderr; return the Popen."""
        memory = self.limits.memory_mb * 2**20
        if self.isolated:
            self.cgroup = Cgroup(self.limits, self.cgroup_parents)
            argv, cwd, environment = self._bwrap(_environment(self.runtime, "/tmp")), "/", None
            join = self.cgroup.join
        else:
            self.scratch = tempfile.mkdtemp(prefix="course-unsandboxed-")
            environment = _environment(self.runtime, self.scratch)
            argv, cwd, join = self.command, self.scratch, None

        def preexec():
            if join:
                join()
            # Each process also gets the whole budget as its address space: a single greedy process then sees a
            # MemoryError in its cell, as in Jupyter, before the cgroup has to kill anything.
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=environment,
            preexec_fn=preexec,
            start_new_session=True,
        )
        return self.process

    def hit_memory_limit(self):
        """Whether the command's processes reached the memory limit (still known after ``stop``)."""
        if self.cgroup is not None and self.cgroup.folders:
            self.memory_limit_reached = self.cgroup.hit_memory_limit()
        return self.memory_limit_reached

    def stop(self):
        """Kill the command and everything it started; remove its cgroup or scratch folder."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process is not None:
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream:
                    stream.close()
        if self.cgroup:
            self.hit_memory_limit()
            self.cgroup.remove()
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


def _communicate(process, data, timeout, limit):
    """Send ``data``, collect stdout (at most ``limit`` bytes) and the start of stderr; None on timeout."""
    writer = threading.Thread(target=_feed, args=(process.stdin, data), daemon=True)
    writer.start()
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, "out")
    selector.register(process.stderr, selectors.EVENT_READ, "err")
    chunks = {"out": [], "err": []}
    sizes = {"out": 0, "err": 0}
    deadline = time.monotonic() + timeout
    while selector.get_map():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, b"".join(chunks["err"])
        for key, _events in selector.select(remaining):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                selector.unregister(key.fileobj)
                continue
            sizes[key.data] += len(chunk)
            if sizes[key.data] <= (limit if key.data == "out" else 8192):
                chunks[key.data].append(chunk)
            elif key.data == "out":
                return b"", b"more output than the limit"
    return b"".join(chunks["out"]), b"".join(chunks["err"])


def _feed(stream, data):
    try:
        stream.write(data)
        stream.close()
    except OSError:
        pass  # the command ended without reading everything: its result says why


def run_notebook(notebook, runtime, limits, isolated=True, cgroup_parents=None):
    """Execute ``notebook`` (a dict) in the sandbox.

    Returns ``({cell index: {"outputs": [...], "execution_count": n}}, note)``: the outputs of the code cells that
    ran (all of them, or those before the notebook was stopped), and a note for the log when it did not finish.
    """
    sandbox = Sandbox(
        runtime, "course_grader.sandboxed.execute", [limits.cell_timeout], limits, isolated, cgroup_parents
    )
    sandbox.start()
    try:
        out, err = _communicate(
            sandbox.process, json.dumps(notebook).encode(), limits.notebook_timeout, limits.output_mb * 2**20
        )
    finally:
        sandbox.stop()
    cells = {}
    for line in (out or b"").splitlines():
        try:
            record = json.loads(line)
            cells[int(record["index"])] = {"outputs": record["outputs"], "execution_count": record["execution_count"]}
        except (ValueError, KeyError, TypeError):
            continue  # not written by the runner: learner code wrote there
    ran_to_the_end = sandbox.process.returncode == 0
    if out is None:
        note = f"the notebook did not finish within {limits.notebook_timeout:g} s and was stopped"
    elif not ran_to_the_end:
        reason = "the memory limit was reached" if sandbox.hit_memory_limit() else err.decode(errors="replace")[-300:]
        note = f"the notebook's process ended early, exit status {sandbox.process.returncode} ({reason.strip()})"
    else:
        note = ""
    return cells, note


def preflight(runtime):
    """Start a trivial sandboxed command; raise ``SandboxUnavailable`` naming what is missing."""
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable("bubblewrap is not installed (Debian: apt-get install bubblewrap)")
    sandbox = Sandbox(runtime, "course_grader.protocol", limits=Limits(memory_mb=256))
    sandbox.start()
    try:
        _out, err = sandbox.process.communicate(timeout=30)
    finally:
        sandbox.stop()
    if sandbox.process.returncode != 0:
        raise SandboxUnavailable(f"bwrap cannot start the sandbox: {err.decode(errors='replace').strip()[-500:]}")
