"""nbgrader configuration of the course (read by every `nbgrader` command run in this directory)."""

from course_grader.nbgrader_plugin import SandboxedGrading
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

c = get_config()  # noqa: F821 -- injected by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "nn-from-scratch"
# source/<assignment>/<assignment>.md is the hand-written text form WITH the solutions: never release it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.md"]

# Grading (see course_grader): the submission runs in a sandbox, for its feedback only; every autograded test
# cell is scored from the checker's verdict, decided in a process that runs no learner code. nbgrader's own
# Execute, which would run the tests inside the learner's kernel, is not in the list.
c.Autograde.autograde_preprocessors = [
    SandboxedGrading,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
# Limits of one submission; COURSE_CELL_TIMEOUT, COURSE_NOTEBOOK_TIMEOUT and COURSE_MEMORY_MB override them.
c.SandboxedGrading.cell_timeout = 30  # seconds per cell, and per test cell's calls of the learner's functions
c.SandboxedGrading.notebook_timeout = 300  # seconds for the whole submission, per stage
c.SandboxedGrading.memory_mb = 2048  # all the submission's processes together

# A submission whose test cells were deleted gets them back (edited ones are always overwritten).
c.OverwriteCells.add_missing_cells = True

# Feedback shows the learner's code, outputs and the checker's messages, never the hidden tests.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
