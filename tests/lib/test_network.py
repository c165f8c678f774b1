"""nnlib.network: architecture checks, initialisation, forward pass and its cache, prediction."""

import numpy as np
import pytest

from nnlib.activations import relu, sigmoid, tanh
from nnlib.network import (
    ARTICLE_ARCHITECTURE,
    dense_forward,
    init_network,
    layer_sizes,
    network_forward,
    predict,
    validate_architecture,
)

ARCHITECTURE = [
    {"input_dim": 2, "output_dim": 4, "activation": "relu"},
    {"input_dim": 4, "output_dim": 3, "activation": "tanh"},
    {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"},
]


def data(m=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((2, m))


def test_forward_equals_the_formulas_layer_by_layer():
    params = init_network(ARCHITECTURE, seed=1)
    X = data()
    Y_hat, cache = network_forward(X, params, ARCHITECTURE)
    Z1 = params["W1"] @ X + params["b1"]
    A1 = relu(Z1)
    Z2 = params["W2"] @ A1 + params["b2"]
    A2 = tanh(Z2)
    Z3 = params["W3"] @ A2 + params["b3"]
    np.testing.assert_allclose(Y_hat, sigmoid(Z3), rtol=1e-14)
    for name, expected in {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "Z3": Z3, "A3": Y_hat}.items():
        np.testing.assert_allclose(cache[name], expected, rtol=1e-14)
    np.testing.assert_array_equal(cache["A0"], X)
    assert sorted(cache) == ["A0", "A1", "A2", "A3", "Z1", "Z2", "Z3"]


def test_shapes_follow_the_notation():
    params = init_network(ARCHITECTURE)
    for l, n in enumerate([4, 3, 1], start=1):
        assert params[f"W{l}"].shape == (n, layer_sizes(ARCHITECTURE)[l - 1])
        assert params[f"b{l}"].shape == (n, 1)
    Y_hat, cache = network_forward(data(m=7), params, ARCHITECTURE)
    assert Y_hat.shape == (1, 7)
    assert cache["Z2"].shape == (3, 7)


def test_layer_sizes():
    assert layer_sizes(ARCHITECTURE) == [2, 4, 3, 1]


def test_article_architecture_is_the_source_articles_network():
    validate_architecture(ARTICLE_ARCHITECTURE)
    assert layer_sizes(ARTICLE_ARCHITECTURE) == [2, 25, 50, 50, 25, 1]
    assert [layer["activation"] for layer in ARTICLE_ARCHITECTURE] == ["relu"] * 4 + ["sigmoid"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_flows_through_the_network(dtype):
    params = init_network(ARCHITECTURE, dtype=dtype)
    assert all(value.dtype == dtype for value in params.values())
    Y_hat, cache = network_forward(data().astype(dtype), params, ARCHITECTURE)
    assert Y_hat.dtype == dtype and all(value.dtype == dtype for value in cache.values())


def test_init_network_is_reproducible_and_layers_differ():
    first, second = init_network(ARCHITECTURE, seed=5), init_network(ARCHITECTURE, seed=5)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    assert not np.array_equal(first["W1"], init_network(ARCHITECTURE, seed=6)["W1"])


def test_init_network_unknown_method_lists_valid_names():
    with pytest.raises(ValueError, match=r"lecun.*he.*small.*xavier"):
        init_network(ARCHITECTURE, method="lecun")


def test_dense_forward_returns_activation_and_pre_activation():
    A_prev, W, b = np.array([[1.0, -1.0]]), np.array([[2.0], [-3.0]]), np.array([[0.5], [0.0]])
    A, Z = dense_forward(A_prev, W, b, "relu")
    np.testing.assert_array_equal(Z, [[2.5, -1.5], [-3.0, 3.0]])
    np.testing.assert_array_equal(A, [[2.5, 0.0], [0.0, 3.0]])


def test_wrong_input_shape_names_the_layer_and_both_shapes():
    params = init_network(ARCHITECTURE)
    with pytest.raises(ValueError, match=r"Layer 1: W1 has shape \(4, 2\).*A0 has shape \(3, 5\)"):
        network_forward(np.ones((3, 5)), params, ARCHITECTURE)


def test_parameter_of_the_wrong_shape_names_its_layer():
    params = init_network(ARCHITECTURE)
    params["W2"] = np.ones((3, 5))
    with pytest.raises(ValueError, match=r"Layer 2: W2 must have shape \(3, 4\).*but W2 has shape \(3, 5\)"):
        network_forward(data(), params, ARCHITECTURE)
    params = init_network(ARCHITECTURE)
    params["b3"] = np.ones(1)
    with pytest.raises(ValueError, match=r"Layer 3.*b3.*\(1, 1\).*\(1,\)"):
        network_forward(data(), params, ARCHITECTURE)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_a_clear_error(bad):
    X = data()
    X[1, 3] = bad
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first at index \(1, 3\)"):
        network_forward(X, init_network(ARCHITECTURE), ARCHITECTURE)


def test_forward_does_not_modify_inputs():
    params, X = init_network(ARCHITECTURE), data()
    X_before, params_before = X.copy(), {k: v.copy() for k, v in params.items()}
    network_forward(X, params, ARCHITECTURE)
    predict(X, params, ARCHITECTURE)
    np.testing.assert_array_equal(X, X_before)
    for name, value in params.items():
        np.testing.assert_array_equal(value, params_before[name])


def test_predict_thresholds_the_output():
    architecture = [{"input_dim": 1, "output_dim": 1, "activation": "sigmoid"}]
    params = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    X = np.array([[-2.0, -0.1, 0.1, 2.0]])
    np.testing.assert_array_equal(predict(X, params, architecture), [[0, 0, 1, 1]])
    np.testing.assert_array_equal(predict(X, params, architecture, threshold=0.8), [[0, 0, 0, 1]])


@pytest.mark.parametrize(
    ("architecture", "message"),
    [
        ([], "at least one layer"),
        ([{"input_dim": 2, "output_dim": 3}], r"Layer 1: missing key\(s\) \['activation'\]"),
        (
            [{"input_dim": 0, "output_dim": 3, "activation": "relu"}],
            "Layer 1: input_dim and output_dim must be positive",
        ),
        (
            [
                {"input_dim": 2, "output_dim": 3, "activation": "relu"},
                {"input_dim": 4, "output_dim": 1, "activation": "relu"},
            ],
            "Layer 2: input_dim 4 does not match output_dim 3 of layer 1",
        ),
        (
            [{"input_dim": 2, "output_dim": 3, "activation": "gelu"}],
            r"Unknown activation 'gelu'. Valid activations: elu, leaky_relu, linear, relu, sigmoid, softplus, tanh",
        ),
    ],
)
def test_invalid_architectures_are_rejected_with_a_precise_message(architecture, message):
    with pytest.raises(ValueError, match=message):
        validate_architecture(architecture)
    with pytest.raises(ValueError, match=message):
        init_network(architecture)
