"""The half of course_grader that runs inside the sandbox, beside learner code. Nothing here decides a grade."""
