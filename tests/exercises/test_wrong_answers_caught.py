"""Every wrong answer is caught, and at least 90 % of them by a visible test, so that Validate tells the learner.

The visible parts of the test cells run in-process (``measure_wrong_answers``, a forked child per answer); that
each answer loses exactly its declared cells in real grading, hidden tests included, is checked end to end by
``test_assignments.py``. The full measurement, hidden blocks in-process too: ``measure_wrong_answers.py``.
"""

import pytest
from course_harness import ASSIGNMENTS
from measure_wrong_answers import Runner


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_wrong_answers_are_caught_and_mostly_by_a_visible_test(name):
    outcomes = list(Runner(name).outcomes(hidden_too=False, first_only=True))
    assert all(outcome.declared for outcome in outcomes), "every wrong answer loses points (graded end to end)"
    beyond = {outcome.name: sorted(outcome.visible - outcome.declared) for outcome in outcomes}
    assert not any(beyond.values()), f"a visible cell fails but is not declared lost: {beyond}"
    missed = [outcome.name for outcome in outcomes if not outcome.visible]
    assert len(missed) <= 0.1 * len(outcomes), f"{len(missed)} of {len(outcomes)} pass every visible test: {missed}"


def test_the_measurement_tells_a_right_answer_from_a_wrong_one():
    runner = Runner("01_neuron")
    reference = runner.assignment.solutions["weighted_sum"]
    assert runner.run("weighted_sum", reference) == (frozenset(), frozenset())
    visible, hidden = runner.run("weighted_sum", "return np.dot(w, x) - b")
    assert (visible, hidden) == ({"test_weighted_sum_examples"}, {"test_weighted_sum_reference"})
    # An answer that breaks NumPy in its own process changes nothing in the next one.
    runner.run("weighted_sum", "np.dot = None\nreturn 0.0")
    assert runner.run("weighted_sum", reference) == (frozenset(), frozenset())
    # An answer that hangs counts as failing every cell of its function.
    assert runner.run("weighted_sum", "while True:\n    pass", timeout=2)[0] == runner.assignment.ids_of("weighted_sum")
    # Up to the first visible failure only: is the answer caught by a visible test?
    assert runner.run("weighted_sum", "return np.dot(w, x) - b", hidden_too=False, first_only=True) == (
        {"test_weighted_sum_examples"},
        frozenset(),
    )
