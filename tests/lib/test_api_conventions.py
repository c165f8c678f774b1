"""One API: loop lengths, learning-rate defaults, optimizers reused across runs, conflicting arguments."""

import inspect

import numpy as np
import pytest

from nnlib import gradient_descent, optimizers, training
from nnlib.datasets import make_moons
from nnlib.optimizers import OPTIMIZERS, Adam, Momentum, RMSProp
from nnlib.training import train

SMALL = [
    {"input_dim": 2, "output_dim": 4, "activation": "tanh"},
    {"input_dim": 4, "output_dim": 1, "activation": "sigmoid"},
]
X, Y = make_moons(40, noise=0.2, seed=0)


def test_loops_over_data_are_counted_in_epochs():
    for function in (training.train, gradient_descent.fit_linear_regression):
        parameters = inspect.signature(function).parameters
        assert "epochs" in parameters and "n_epochs" not in parameters, function.__name__


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_states_its_learning_rate_default(name):
    default = inspect.signature(OPTIMIZERS[name]).parameters["learning_rate"].default
    assert isinstance(default, float)
    assert f"learning_rate={default}" in inspect.getdoc(OPTIMIZERS[name])


@pytest.mark.parametrize("function", [optimizers.momentum_step, optimizers.rmsprop_step, optimizers.adam_step])
def test_step_docstrings_say_where_conventions_differ(function):
    doc = inspect.getdoc(function)
    assert "PyTorch" in doc and "Keras" in doc


def test_momentum_and_rmsprop_name_the_other_conventions():
    assert "Deep Learning Specialization" in inspect.getdoc(optimizers.momentum_step)
    rmsprop = inspect.getdoc(optimizers.rmsprop_step)
    assert "outside" in rmsprop and "inside" in rmsprop and "alpha=0.99" in rmsprop


@pytest.mark.parametrize("make", [lambda: Adam(0.01), lambda: Momentum(0.1), lambda: RMSProp(0.01)])
def test_an_optimizer_with_state_is_refused_by_a_second_run_until_reset(make):
    optimizer = make()
    first, _ = train(X, Y, SMALL, 3, optimizer=optimizer)
    assert optimizer.has_state()
    with pytest.raises(ValueError, match=r"still holds the state of an earlier training run.*reset\(\)"):
        train(X, Y, SMALL, 3, optimizer=optimizer)
    optimizer.reset()
    assert not optimizer.has_state()
    again, _ = train(X, Y, SMALL, 3, optimizer=optimizer)
    np.testing.assert_array_equal(first["W1"], again["W1"])  # reset: the same run as with a new optimizer


def test_plain_gradient_descent_keeps_no_state_and_serves_many_runs():
    optimizer = gradient_descent.GradientDescent(0.1)
    first, _ = train(X, Y, SMALL, 3, optimizer=optimizer)
    again, _ = train(X, Y, SMALL, 3, optimizer=optimizer)
    np.testing.assert_array_equal(first["W1"], again["W1"])


def test_learning_rate_and_optimizer_together_are_refused():
    with pytest.raises(ValueError, match=r"learning_rate=0.5 and optimizer=Adam\(...\) were both given"):
        train(X, Y, SMALL, 3, learning_rate=0.5, optimizer=Adam())


def test_default_learning_rate_is_the_articles():
    default, _ = train(X, Y, SMALL, 3)
    explicit, _ = train(X, Y, SMALL, 3, learning_rate=0.01)
    np.testing.assert_array_equal(default["W1"], explicit["W1"])


@pytest.mark.parametrize("optimizer", ["adam", 0.1, object()])
def test_an_optimizer_that_is_not_one_is_a_type_error_listing_what_is_accepted(optimizer):
    with pytest.raises(TypeError, match=r"optimizer must be None .*update\(params, grads\).*get_optimizer\('adam'\)"):
        train(X, Y, SMALL, 3, optimizer=optimizer)
