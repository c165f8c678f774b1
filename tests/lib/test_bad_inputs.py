"""Every public nnlib function answers a malformed argument with its own TypeError or ValueError naming it.

A property test: hypothesis picks a function, one of its arguments and a defect for that kind of argument
(text or None where an array belongs, a 1-D or empty array, NaN, a wrong shape, a number out of range, a
string where an object belongs), puts it in a call that is otherwise valid, and checks that the error is
nnlib's (a TypeError or ValueError raised from nnlib's own code, not from NumPy or Python) and names the argument.
"""

import traceback

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlib import (
    activations,
    backprop,
    datasets,
    gradcheck,
    gradient_descent,
    layer,
    losses,
    network,
    neuron,
    optimizers,
    training,
    vectorize,
)

ARCHITECTURE = [
    {"input_dim": 2, "output_dim": 3, "activation": "relu"},
    {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"},
]
RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 4))
Y = np.array([[0.0, 1.0, 1.0, 0.0]])
PARAMS = network.init_network(ARCHITECTURE, seed=0)


def _cache_and_output():
    Y_hat, cache = network.network_forward(X, PARAMS, ARCHITECTURE)
    return {"Y_hat": Y_hat, "cache": cache}


def with_nan(array):
    array = np.array(array, dtype=float)
    array.flat[0] = np.nan
    return array


# Defects by kind of argument. Each is a function of the valid value, so that a defect can depend on it.
MATRIX = {
    "text": lambda v: "abc",
    "None": lambda v: None,
    "1-D": lambda v: np.ravel(v),
    "empty": lambda v: np.empty((np.shape(v)[0], 0)),
    "NaN": with_nan,
    "transposed": lambda v: np.asarray(v).T if np.shape(v)[0] != np.shape(v)[1] else np.ones((7, 5)),
}
# A forward pass over zero examples, shape (n, 0), is defined (an empty result); training on none is not.
FORWARD_INPUT = {defect: make for defect, make in MATRIX.items() if defect != "empty"}
ANY_ARRAY = {"text": lambda v: "abc", "None": lambda v: None, "dict": lambda v: {"a": 1}}
POSITIVE = {"zero": lambda v: 0.0, "negative": lambda v: -1.0, "NaN": lambda v: np.nan, "text": lambda v: "0.1"}
REAL = {"NaN": lambda v: np.nan, "inf": lambda v: np.inf, "text": lambda v: "0.5", "None": lambda v: None}
NON_NEGATIVE = {"negative": lambda v: -1.0, "NaN": lambda v: np.nan, "text": lambda v: "0.1"}
UNIT = {"one": lambda v: 1.0, "above": lambda v: 1.5, "negative": lambda v: -0.1, "text": lambda v: "0.9"}
COUNT = {"zero": lambda v: 0, "negative": lambda v: -3, "float": lambda v: 2.5, "text": lambda v: "10"}
FUNCTION = {"text": lambda v: "relu", "number": lambda v: 3}
GRADS = {
    "transposed": lambda v: {**v, "dW1": v["dW1"].T},
    "missing": lambda v: {name: grad for name, grad in v.items() if name != "db2"},
    "list": lambda v: list(v.values()),
}
ARCH = {"text": lambda v: "relu", "empty": lambda v: [], "bad size": lambda v: [{**v[0], "output_dim": 0}, v[1]]}


def _update_arguments():
    """An optimizer's update(params, grads): fresh params, since update rebinds their entries."""
    return {"params": dict(PARAMS), "grads": {f"d{name}": np.ones_like(value) for name, value in PARAMS.items()}}


# function name -> (callable, valid keyword arguments (or a function building them), {argument: defects})
CASES = {
    "neuron.weighted_sum": (neuron.weighted_sum, {"x": X, "w": np.ones(2), "b": 0.5}, {"x": MATRIX, "b": REAL}),
    "neuron.threshold_neuron": (neuron.threshold_neuron, {"x": X, "threshold": 1.0}, {"x": ANY_ARRAY}),
    "neuron.neuron_output": (
        neuron.neuron_output,
        {"x": X, "w": np.ones(2), "b": 0.5, "activation": neuron.step},
        {"activation": FUNCTION},
    ),
    "layer.init_layer": (layer.init_layer, {"n_in": 2, "n_out": 3}, {"n_in": COUNT, "n_out": COUNT}),
    "layer.layer_forward": (
        layer.layer_forward,
        {"x": X[:, :1], "W": PARAMS["W1"], "b": PARAMS["b1"]},
        {"x": {**ANY_ARRAY, "NaN": with_nan}, "W": MATRIX, "b": MATRIX},
    ),
    "layer.count_parameters": (layer.count_parameters, {"layer_sizes": [2, 3, 1]}, {"layer_sizes": ANY_ARRAY}),
    "vectorize.batch_forward": (
        vectorize.batch_forward,
        {"X": X, "W": PARAMS["W1"], "b": PARAMS["b1"]},
        {"X": {**ANY_ARRAY, "1-D": MATRIX["1-D"], "NaN": with_nan, "transposed": MATRIX["transposed"]}, "W": MATRIX},
    ),
    "activations.sigmoid": (activations.sigmoid, {"Z": X}, {"Z": ANY_ARRAY}),
    "activations.leaky_relu": (activations.leaky_relu, {"Z": X, "alpha": 0.01}, {"alpha": NON_NEGATIVE}),
    "activations.elu": (activations.elu, {"Z": X, "alpha": 1.0}, {"alpha": POSITIVE}),
    "network.init_network": (network.init_network, {"architecture": ARCHITECTURE}, {"architecture": ARCH}),
    "network.network_forward": (
        network.network_forward,
        {"X": X, "params": PARAMS, "architecture": ARCHITECTURE},
        {"X": FORWARD_INPUT, "params": {"text": lambda v: "params", "missing": lambda v: {"W1": v["W1"]}}},
    ),
    "network.predict": (
        network.predict,
        {"X": X, "params": PARAMS, "architecture": ARCHITECTURE, "threshold": 0.5},
        {"threshold": UNIT},
    ),
    "losses.binary_cross_entropy": (
        losses.binary_cross_entropy,
        {"Y_hat": np.full((1, 4), 0.3), "Y": Y},
        {
            "Y_hat": {**ANY_ARRAY, "NaN": with_nan, "above 1": lambda v: v + 1, "transposed": MATRIX["transposed"]},
            "Y": {"minus one": lambda v: 2 * v - 1, "two": lambda v: 2 * v, "NaN": with_nan},
        },
    ),
    "losses.accuracy": (
        losses.accuracy,
        {"Y_hat": np.full((1, 4), 0.3), "Y": Y, "threshold": 0.5},
        {"Y": {"half": lambda v: v * 0 + 0.5}, "threshold": UNIT},
    ),
    "losses.mean_squared_error": (
        losses.mean_squared_error,
        {"Y_hat": X, "Y": X},
        {"Y_hat": {**ANY_ARRAY, "NaN": with_nan, "transposed": MATRIX["transposed"]}},
    ),
    "gradient_descent.gradient_descent_step": (
        gradient_descent.gradient_descent_step,
        {"param": X, "grad": X, "learning_rate": 0.1},
        {"learning_rate": POSITIVE, "grad": {"transposed": MATRIX["transposed"]}},
    ),
    "gradient_descent.minimize": (
        gradient_descent.minimize,
        {"gradient": lambda x: 2 * x, "x0": 1.0, "learning_rate": 0.1, "n_steps": 3},
        {"gradient": FUNCTION, "learning_rate": POSITIVE, "n_steps": {"negative": lambda v: -1, "text": lambda v: "3"}},
    ),
    "gradient_descent.fit_linear_regression": (
        gradient_descent.fit_linear_regression,
        {"x": np.arange(4.0), "y": np.arange(4.0), "learning_rate": 0.1, "epochs": 2},
        {"x": {**ANY_ARRAY, "NaN": with_nan, "empty": lambda v: np.empty(0)}, "learning_rate": POSITIVE},
    ),
    "gradient_descent.cosine_decay": (
        gradient_descent.cosine_decay,
        {"step": 3, "total_steps": 10, "initial_rate": 0.1},
        {"total_steps": COUNT, "initial_rate": POSITIVE},
    ),
    "gradient_descent.GradientDescent": (
        gradient_descent.GradientDescent,
        {"learning_rate": 0.1},
        {"learning_rate": POSITIVE},
    ),
    "optimizers.Momentum": (optimizers.Momentum, {"learning_rate": 0.1, "beta": 0.9}, {"beta": UNIT}),
    "optimizers.RMSProp": (
        optimizers.RMSProp,
        {"learning_rate": 0.1, "rho": 0.9, "eps": 1e-8},
        {"rho": UNIT, "eps": POSITIVE, "learning_rate": POSITIVE},
    ),
    "optimizers.Adam": (
        optimizers.Adam,
        {"learning_rate": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {"beta1": UNIT, "beta2": UNIT, "eps": POSITIVE},
    ),
    "optimizers.Adam.update": (
        optimizers.Adam(0.1).update,
        _update_arguments,
        {"grads": GRADS},
    ),
    "gradient_descent.GradientDescent.update": (
        gradient_descent.GradientDescent(0.1).update,
        _update_arguments,
        {"grads": GRADS},
    ),
    "optimizers.adam_step": (
        optimizers.adam_step,
        {"param": X, "grad": X, "m": X, "v": X * X, "t": 1},  # v, a mean of squared gradients, is never negative
        {"t": COUNT, "m": {"transposed": MATRIX["transposed"]}},
    ),
    "backprop.network_backward": (
        backprop.network_backward,
        lambda: {**_cache_and_output(), "Y": Y, "params": PARAMS, "architecture": ARCHITECTURE},
        {"Y": {"transposed": MATRIX["transposed"], "text": lambda v: "abc", "1-D": MATRIX["1-D"]}},
    ),
    "gradcheck.relative_error": (
        gradcheck.relative_error,
        {"a": X, "b": X},
        {"b": {"transposed": MATRIX["transposed"], "text": lambda v: "abc"}},
    ),
    "training.train": (
        training.train,
        {"X": X, "Y": Y, "architecture": ARCHITECTURE, "epochs": 1},
        {
            "X": MATRIX,
            "Y": {"transposed": MATRIX["transposed"], "minus one": lambda v: 2 * v - 1, "NaN": with_nan},
            "epochs": COUNT,
            "batch_size": COUNT,
            "learning_rate": POSITIVE,
            "optimizer": {"text": lambda v: "adam", "number": lambda v: 0.1},
            "architecture": ARCH,
        },
    ),
    "datasets.make_moons": (datasets.make_moons, {"n_samples": 10, "noise": 0.1}, {"n_samples": COUNT}),
    "datasets.train_test_split": (datasets.train_test_split, {"X": X, "Y": Y}, {"X": MATRIX}),
}


def valid_arguments(case):
    arguments = case[1]
    return arguments() if callable(arguments) else dict(arguments)


@st.composite
def malformed_calls(draw):
    name = draw(st.sampled_from(sorted(CASES)))
    function, _, defects = CASES[name]
    argument = draw(st.sampled_from(sorted(defects)))
    defect = draw(st.sampled_from(sorted(defects[argument])))
    return name, function, argument, defect


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_valid_calls_work(name):
    function = CASES[name][0]
    function(**valid_arguments(CASES[name]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(malformed_calls())
def test_a_malformed_argument_raises_nnlibs_error_naming_it(call):
    name, function, argument, defect = call
    arguments = valid_arguments(CASES[name])
    arguments[argument] = CASES[name][2][argument][defect](arguments.get(argument, 5))
    with pytest.raises((TypeError, ValueError)) as raised:
        function(**arguments)
    message = str(raised.value)
    origin = traceback.extract_tb(raised.tb)[-1].filename
    assert "/nnlib/" in origin, f"{name}({argument}: {defect}) raised from {origin}, not nnlib: {message}"
    named = argument in message or (argument == "architecture" and "Layer" in message)
    assert named, f"{name}({argument}: {defect}) does not name {argument!r}: {message}"


def test_every_case_is_a_public_function_of_nnlib():
    for name, (function, _, _) in CASES.items():
        module = name.split(".")[0]
        assert function.__module__ == f"nnlib.{module}", name
