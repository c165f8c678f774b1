"""nbgrader configuration of the course (read by every `nbgrader` command run in this directory)."""

import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 -- injected by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "nn-from-scratch"
# source/<assignment>/<assignment>.md is the hand-written text form WITH the solutions: never release it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.md"]

# Per-cell time limit (seconds): an endless loop costs only the cells that run it.
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", "30"))
# Memory limit of every grading kernel (and of the reference oracle it starts), so that a submission that
# exhausts memory gets a MemoryError instead of taking the machine down. One BLAS thread: grading runs many
# small notebooks, and threads only add start-up time and memory.
_memory_bytes = int(os.environ.get("COURSE_KERNEL_MEMORY_MB", "2048")) * 2**20
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    # Tracebacks without source lines, so that feedback never quotes hidden test code.
    "--InteractiveShell.xmode=Minimal",
    "--IPKernelApp.exec_lines=import resource; "
    f"resource.setrlimit(resource.RLIMIT_AS, ({_memory_bytes}, {_memory_bytes}))",
]

# A submission whose test cells were deleted gets them back (edited ones are always overwritten).
c.OverwriteCells.add_missing_cells = True

# Feedback shows the learner's code, outputs and scores, never the hidden tests.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
