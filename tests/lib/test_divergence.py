"""nnlib.training: divergence is reported with its epoch and likely cause, and wrong settings get their real cause."""

import warnings

import numpy as np
import pytest

from nnlib.datasets import make_moons
from nnlib.network import ARTICLE_ARCHITECTURE
from nnlib.optimizers import Adam, Momentum, RMSProp
from nnlib.training import DivergenceWarning, TrainingDiverged, train

SMALL = [
    {"input_dim": 2, "output_dim": 8, "activation": "tanh"},
    {"input_dim": 8, "output_dim": 1, "activation": "sigmoid"},
]


@pytest.fixture(scope="module")
def moons():
    return make_moons(200, noise=0.2, seed=0)


def test_gradient_descent_at_lr_100_is_an_error_naming_epoch_and_cause_after_one_warning(moons):
    X, Y = moons
    with pytest.warns(DivergenceWarning, match=r"epoch \d+: \d+% of the outputs are saturated at the wrong label"):
        with pytest.raises(TrainingDiverged, match=r"diverged at epoch \d+: .*learning rate \(100.0\) too large"):
            train(X, Y, ARTICLE_ARCHITECTURE, 200, learning_rate=100.0)
    assert issubclass(TrainingDiverged, FloatingPointError)  # what train raised before, still caught the same way


def test_outputs_saturated_at_the_wrong_label_on_most_examples_are_an_error(moons):
    # Every label flipped against a confident network: the clipped cost stays at its cap and looks flat.
    X, Y = moons
    params = {"W1": np.zeros((1, 2)), "b1": np.array([[-100.0]])}  # sigmoid(-100) = 0 in float64: all 0 predicted
    architecture = [{"input_dim": 2, "output_dim": 1, "activation": "sigmoid"}]
    with pytest.raises(TrainingDiverged, match=r"epoch 1: 100% of the outputs are saturated"):
        train(X, np.ones_like(Y), architecture, 5, learning_rate=1e-12, params=params)


def test_a_cost_rising_over_a_window_is_warned_once(moons):
    X, Y = moons

    class GradientAscent:  # a sign error in an update rule: the cost climbs slowly, nothing overflows
        def update(self, params, grads):
            for name in params:
                params[name] = params[name] + 0.05 * grads["d" + name]

    with pytest.warns(DivergenceWarning, match=r"epoch 40: the mean cost of the last 20 epochs.*rose") as record:
        train(X, Y, SMALL, 80, optimizer=GradientAscent())
    assert len(record) == 1


def test_normal_training_gives_no_divergence_warning(moons):
    X, Y = moons
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, history = train(X, Y, SMALL, 100, learning_rate=0.5)
        train(X, Y, SMALL, 60, optimizer=Adam(0.05), batch_size=32)
    assert history.loss[-1] < history.loss[0]


@pytest.mark.parametrize(
    ("optimizer", "message"),
    [
        (lambda: Momentum(0.01, beta=1.5), r"beta must lie in \[0, 1\), got 1.5"),
        (lambda: Adam(beta1=1.0), r"beta1 must lie in \[0, 1\), got 1.0"),
        (lambda: RMSProp(eps=0.0), r"eps must lie in \(0, inf\), got 0.0"),
        (lambda: Momentum(-0.1), r"learning_rate must lie in \(0, inf\), got -0.1"),
    ],
)
def test_settings_that_used_to_look_like_divergence_are_refused_up_front(optimizer, message):
    with pytest.raises(ValueError, match=message):
        optimizer()


def test_negative_learning_rate_and_bad_batch_sizes_are_refused(moons):
    X, Y = moons
    with pytest.raises(ValueError, match=r"learning_rate must lie in \(0, inf\), got -0.5"):
        train(X, Y, SMALL, 5, learning_rate=-0.5)
    for batch_size in (0, -3):
        with pytest.raises(ValueError, match=rf"batch_size must lie in \[1, inf\), got {batch_size}"):
            train(X, Y, SMALL, 5, batch_size=batch_size)


def test_an_empty_data_set_is_reported_as_empty(moons):
    with pytest.raises(ValueError, match=r"X is empty \(shape \(2, 0\)\)"):
        train(np.empty((2, 0)), np.empty((1, 0)), SMALL, 5)
