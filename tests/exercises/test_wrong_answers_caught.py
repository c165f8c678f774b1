"""Every wrong answer loses exactly the cells its file declares, and at least 90 % of them fail a visible test, so
that Validate tells the learner.

The test cells run in-process (``measure_wrong_answers``, a forked child per answer), hidden blocks included; the
real grading of the first wrong answer of every function (sandbox, checker, gradebook) is ``test_assignments.py``.
"""

import pytest
from course_harness import ASSIGNMENTS
from measure_wrong_answers import Runner


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_wrong_answer_loses_exactly_its_cells_and_mostly_a_visible_one(name):
    outcomes = list(Runner(name).outcomes())
    differ = {outcome.name: (sorted(outcome.declared), sorted(outcome.lost)) for outcome in outcomes}
    differ = {answer: cells for answer, cells in differ.items() if cells[0] != cells[1]}
    assert not differ, f"wrong answer: (declared lost cells, cells that failed): {differ}"
    assert all(outcome.declared for outcome in outcomes), "every wrong answer loses points"
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
