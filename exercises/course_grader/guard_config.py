"""nbgrader's fallback configuration on a grading machine: refuse to autograde.

``make setup`` installs this file as ``<venv>/etc/jupyter/nbgrader_config.py``, which nbgrader reads before the
course's own ``exercises/nbgrader_config.py``. When the course's file loads, it replaces the setting below with the
sandboxed grading. When it does not (a syntax error, a stale copy, ``course_grader`` missing), nbgrader only logs
the error and would go on with its defaults, which run learner code outside the sandbox with the grader's rights
and score it from the notebook's own outputs; with this file it refuses every submission instead.
"""

from nbgrader.preprocessors import NbGraderPreprocessor


class RefuseToGrade(NbGraderPreprocessor):
    """Stops the grading of a submission before any of its code runs."""

    def preprocess(self, nb, resources):
        raise RuntimeError(
            "grading refused: the course's nbgrader_config.py was not loaded (see the error logged when nbgrader "
            "started); without it nbgrader would run learner code outside the sandbox"
        )


c = get_config()  # noqa: F821 -- injected by traitlets when nbgrader loads this file
c.Autograde.autograde_preprocessors = [RefuseToGrade]
