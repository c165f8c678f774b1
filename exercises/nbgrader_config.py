"""nbgrader configuration of the course (read by every `nbgrader` command run in this directory, and by the
formgrader of a Jupyter server started here)."""

import warnings

from course_grader.nbgrader_plugin import SandboxedGrading
from course_grader.workflow import (
    FeedbackClearsHiddenTests,
    MarkingNotes,
    MathMLFeedback,
    ReleaseIsCurrent,
    RestoreTestCells,
    markdown_with_typed_tex,
)
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    IncludeHeaderFooter,
    InstantiateTests,
    LimitOutput,
    LockCells,
    OverwriteKernelspec,
    SaveAutoGrades,
    SaveCells,
)
from sqlalchemy.exc import SAWarning

c = get_config()  # noqa: F821 -- injected by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "nn-from-scratch"
# source/<assignment>/<assignment>.md is the hand-written text form WITH the solutions: never release it.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.md"]

# nbgrader's own list, after a check that the notebook is built from the current .md (no stale release).
c.GenerateAssignment.preprocessors = [
    ReleaseIsCurrent,
    IncludeHeaderFooter,
    InstantiateTests,
    LockCells,
    ClearSolutions,
    ClearOutput,
    CheckCellMetadata,
    ComputeChecksums,
    SaveCells,
    ClearHiddenTests,
    ClearMarkScheme,
    ComputeChecksums,
    CheckCellMetadata,
]
# nbgrader's own list, with its OverwriteCells quiet about restoring the hidden tests the release removed.
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    RestoreTestCells,
    CheckCellMetadata,
]
# nbgrader's gradebook adds a new student's first submission through a relationship that SQLAlchemy 2 reports
# before the session flushes it; the row is written (the tests read every grade back). Only that message is hidden.
warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session", category=SAWarning)

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
c.GenerateFeedback.preprocessors = [GetGrades, FeedbackClearsHiddenTests, CSSHTMLHeaderPreprocessor]
# Its math as MathML, readable offline (nbgrader's template would load MathJax from a CDN).
c.GenerateFeedback.exporter_class = MathMLFeedback
c.MathMLFeedback.filters = {}  # not the formgrader's markdown2html below

# The formgrader's page of a submission shows, under each written answer, its model answer and marking note.
c.HTMLExporter.preprocessors = [MarkingNotes]
# Its formulas reach MathJax as the learner typed them.
c.HTMLExporter.filters = {"markdown2html": markdown_with_typed_tex}

# zip_collect: files downloaded from an LMS, renamed <student id>_<assignment>.ipynb (e.g. ada_01_neuron.ipynb), in
# downloaded/<assignment>/archive/ (zip files there are unpacked first).
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/]+?)_(?P<file_id>\d\d_[a-z0-9_]+)\.ipynb$"
