r"""Trusted grading of the course's nbgrader assignments: learner code in a sandbox, verdicts decided outside it.

A submission is graded by two kinds of process that never share objects:

``course_grader.sandboxed`` (inside the sandbox, beside learner code; untrusted)
    ``execute`` runs the notebook in a Jupyter kernel so that the feedback shows the learner's own outputs, and
    ``serve`` runs the learner's cells and calls their functions on request.
``course_grader.checker`` and ``course_grader.hidden`` (the checker process; trusted, never runs learner code)
    run every autograded test cell, visible and hidden, with the learner's functions replaced by proxies that
    call ``serve`` with plain data (``course_grader.protocol``, no pickle), compare with the checker's own nnlib,
    and decide each cell's score.

``course_grader.sandbox`` builds the sandbox and the learner's runtime; ``course_grader.nbgrader_plugin`` holds the
nbgrader preprocessors that ``exercises/nbgrader_config.py`` installs, so that ``nbgrader autograde`` scores every
test cell from the checker's verdict and from nothing the notebook printed. This package file imports nothing.

What a submission can and cannot do is stated in instructor.md ("What a submission can and cannot do"); every
attack listed there has a hostile submission in ``tests/exercises/test_attacks.py``.
"""
