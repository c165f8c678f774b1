"""nnlib.gradcheck's verdicts hold: correct code is never flagged, a 1e-6 change of a gradient always is.

The full measurement (1000 seeds, the article's network included) is benchmarks/gradcheck_bands.py; this runs
30 seeds of the smaller architectures, plus the cases that used to give wrong verdicts.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

from nnlib.backprop import network_backward
from nnlib.gradcheck import check_network_gradients, compare_gradients, network_numerical_gradients
from nnlib.network import init_network, network_forward

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gradcheck_bands import CASES, problem  # noqa: E402

SMALL_CASE_SEEDS = [
    seed
    for seed in range(150)
    if "article" not in CASES[seed % len(CASES)][0] and "chapter 7" not in CASES[seed % len(CASES)][0]
][:30]


@pytest.mark.parametrize("seed", SMALL_CASE_SEEDS)
def test_clean_is_right_and_a_one_in_a_million_change_is_a_bug(seed):
    _, architecture, loss, X, Y, params = problem(seed)
    Y_hat, cache = network_forward(X, params, architecture)
    grads = network_backward(Y_hat, Y, cache, params, architecture, loss=loss)
    numeric, kinked = network_numerical_gradients(X, Y, params, architecture, loss=loss)
    assert compare_gradients(numeric, kinked, grads).verdict == "right"
    for name in params:
        changed = compare_gradients(numeric, kinked, {**grads, "d" + name: grads["d" + name] * (1 + 1e-6)})
        assert changed.verdict == "bug", (name, changed[name])


RELU = [
    {"input_dim": 2, "output_dim": 3, "activation": "relu"},
    {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"},
]


def test_a_pre_activation_at_the_kink_is_skipped_and_said_so():
    X = np.array([[1.0, -0.5, 2.0], [0.5, 1.0, -1.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    params = init_network(RELU, seed=3, method="he")
    params["b1"][0, 0] = -(params["W1"][0] @ X[:, 0])  # Z1[0, 0] = 0 exactly: the kink
    result = check_network_gradients(X, Y, params, RELU)
    assert result.verdict == "right"
    assert result.skipped["W1"] >= 1 and result.skipped["b1"] >= 1
    assert "next to a ReLU kink skipped" in result.summary()


def test_a_saturated_output_is_checked_on_the_unclipped_cost():
    # The output says 0 (z = -40) for a label 1: the clipped cost is flat there, its true gradient is not.
    architecture = [{"input_dim": 1, "output_dim": 1, "activation": "sigmoid"}]
    params = {"W1": np.array([[1.0]]), "b1": np.array([[-41.0]])}
    result = check_network_gradients(np.array([[1.0]]), np.array([[1.0]]), params, architecture)
    assert result.verdict == "right" and max(result.values()) < 1e-8


def test_a_transposed_dW_is_reported_as_a_shape_mismatch():
    X = np.random.default_rng(0).standard_normal((2, 4))
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    params = init_network(RELU, seed=0)
    Y_hat, cache = network_forward(X, params, RELU)
    grads = network_backward(Y_hat, Y, cache, params, RELU)
    result = check_network_gradients(X, Y, params, RELU, grads={**grads, "dW1": grads["dW1"].T})
    assert result.verdict == "bug"
    assert result.shape_mismatches == {"W1": ((3, 2), (2, 3))}
    assert "dW1 has shape (2, 3) but W1 has shape (3, 2)" in result.summary()
