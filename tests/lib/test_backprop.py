"""nnlib.backprop: every backward pass against central differences and against JAX's autodiff."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nnlib.activations import ACTIVATIONS, get_activation
from nnlib.backprop import dense_backward, dense_backward_from_dZ, network_backward
from nnlib.losses import get_loss
from nnlib.network import init_network, network_forward

ACTIVATION_NAMES = sorted(ACTIVATIONS)


@st.composite
def networks(draw, loss=None):
    """A random problem: depth 1-4, widths 1-8, random activations, float64 data.

    With binary cross-entropy the output is a sigmoid (its outputs must be probabilities); with the
    squared error any activation may sit at the output.
    """
    loss = loss or draw(st.sampled_from(["binary_cross_entropy", "mean_squared_error"]))
    depth = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 8), min_size=depth + 1, max_size=depth + 1))
    if loss == "binary_cross_entropy":
        sizes[-1] = 1
    activations = draw(st.lists(st.sampled_from(ACTIVATION_NAMES), min_size=depth, max_size=depth))
    if loss == "binary_cross_entropy":
        activations[-1] = "sigmoid"
    architecture = [
        {"input_dim": n_in, "output_dim": n_out, "activation": name}
        for n_in, n_out, name in zip(sizes[:-1], sizes[1:], activations, strict=True)
    ]
    seed = draw(st.integers(0, 2**16))
    m = draw(st.integers(1, 6))
    rng = np.random.default_rng(seed)
    params = init_network(architecture, seed=seed, method=draw(st.sampled_from(["small", "xavier", "he"])))
    # Biases away from 0 as well, so that every gradient entry is exercised.
    params = {
        name: value + (0.1 * rng.standard_normal(value.shape) if name[0] == "b" else 0)
        for name, value in params.items()
    }
    X = rng.standard_normal((sizes[0], m))
    if loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, (1, m)).astype(np.float64)
    else:
        Y = rng.standard_normal((sizes[-1], m))
    return X, Y, params, architecture, loss


def well_conditioned(X, params, architecture):
    """True when finite differences can be trusted: no pre-activation within 1e-4 of a kink (relu,
    leaky_relu, elu at 0) and no output within 1e-2 of 0 or 1 (there ln(1 - y_hat) amplifies rounding)."""
    Y_hat, cache = network_forward(X, params, architecture)
    kink_free = all(
        layer["activation"] not in {"relu", "leaky_relu", "elu"} or np.abs(cache[f"Z{l}"]).min() > 1e-4
        for l, layer in enumerate(architecture, start=1)
    )
    return kink_free and (architecture[-1]["activation"] != "sigmoid" or np.abs(Y_hat - 0.5).max() < 0.49)


def cost(X, Y, params, architecture, loss):
    return get_loss(loss).cost(network_forward(X, params, architecture)[0], Y)


@settings(deadline=None, max_examples=60)
@given(problem=networks())
def test_network_backward_matches_central_differences(problem, finite_difference):
    X, Y, params, architecture, loss = problem
    assume(well_conditioned(X, params, architecture))
    Y_hat, cache = network_forward(X, params, architecture)
    grads = network_backward(Y_hat, Y, cache, params, architecture, loss=loss)
    assert sorted(grads) == sorted("d" + name for name in params)
    for name, value in params.items():
        numeric = finite_difference(lambda v, name=name: cost(X, Y, {**params, name: v}, architecture, loss), value)
        assert grads["d" + name].shape == value.shape
        np.testing.assert_allclose(grads["d" + name], numeric, rtol=1e-5, atol=3e-8, err_msg=name)


def _layers(loss, sizes, names):
    return loss, [
        {"input_dim": n_in, "output_dim": n_out, "activation": name}
        for n_in, n_out, name in zip(sizes[:-1], sizes[1:], names, strict=True)
    ]


# The JAX parity test runs a few fixed shapes (JAX compiles once per shape, about a second each on a busy machine)
# with random weights and data; together they hold every activation, both losses, depths 1 to 4 and m = 1.
JAX_NETWORKS = {
    "bce-relu-tanh": (*_layers("binary_cross_entropy", [3, 5, 4, 1], ["relu", "tanh", "sigmoid"]), 6),
    "mse-leaky-elu-softplus-linear": (
        *_layers("mean_squared_error", [4, 6, 3, 5, 2], ["leaky_relu", "elu", "softplus", "linear"]),
        5,
    ),
    "mse-sigmoid-one-example": (*_layers("mean_squared_error", [2, 3, 1], ["tanh", "sigmoid"]), 1),
    "bce-one-layer": (*_layers("binary_cross_entropy", [5, 1], ["sigmoid"]), 7),
}


@st.composite
def weights_and_data(draw, architecture, loss, m):
    """Random parameters (biases away from 0), inputs and targets for a fixed architecture and m."""
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    params = init_network(architecture, seed=seed, method=draw(st.sampled_from(["small", "xavier", "he"])))
    params = {
        name: value + (0.1 * rng.standard_normal(value.shape) if name[0] == "b" else 0)
        for name, value in params.items()
    }
    X = rng.standard_normal((architecture[0]["input_dim"], m))
    n_out = architecture[-1]["output_dim"]
    Y = (
        rng.integers(0, 2, (n_out, m)).astype(np.float64)
        if loss == "binary_cross_entropy"
        else rng.standard_normal((n_out, m))
    )
    return X, Y, params


def _jax_network(jax, architecture, activation, cost):
    """Y_hat and the gradients of J for every parameter, from JAX's reverse-mode autodiff (compiled)."""

    def forward(params, X):
        A = X
        for l, layer in enumerate(architecture, start=1):
            A = activation(layer["activation"])(params[f"W{l}"] @ A + params[f"b{l}"])
        return A

    def J(params, X, Y):
        Y_hat = forward(params, X)
        return cost(Y_hat, Y), Y_hat

    return jax.jit(jax.value_and_grad(J, has_aux=True))


@pytest.mark.parametrize("network", JAX_NETWORKS.values(), ids=JAX_NETWORKS.keys())
def test_network_forward_and_backward_match_jax_autodiff(network, jax, jax_activation, jax_cost):
    loss, architecture, m = network
    value_and_grad = _jax_network(jax, architecture, jax_activation, jax_cost(loss))

    @settings(deadline=None, max_examples=30)
    @given(problem=weights_and_data(architecture, loss, m))
    def check(problem):
        X, Y, params = problem
        Y_hat, cache = network_forward(X, params, architecture)
        # Within machine epsilon of 0 or 1 nnlib clips y_hat in its BCE gradient: another formula.
        assume(loss != "binary_cross_entropy" or np.abs(Y_hat - 0.5).max() < 0.5 - 1e-9)
        (_, Y_hat_jax), grads_jax = value_and_grad(params, X, Y)
        grads = network_backward(Y_hat, Y, cache, params, architecture, loss=loss)
        np.testing.assert_allclose(Y_hat, Y_hat_jax, rtol=1e-10, atol=1e-13)
        assert sorted(grads) == sorted("d" + name for name in grads_jax)
        for name, expected in grads_jax.items():
            np.testing.assert_allclose(grads["d" + name], expected, rtol=1e-10, atol=1e-13, err_msg=name)

    check()


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_dense_backward_matches_central_differences(name, finite_difference):
    rng = np.random.default_rng(3)
    A_prev, W, b = rng.standard_normal((3, 4)), rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
    R = rng.standard_normal((2, 4))  # J = sum(R * A), so dA = R

    def J(A_prev, W, b):
        return float((R * get_activation(name).forward(W @ A_prev + b)).sum())

    Z = W @ A_prev + b
    dA_prev, dW, db = dense_backward(R, A_prev, Z, W, name)
    np.testing.assert_allclose(dA_prev, finite_difference(lambda v: J(v, W, b), A_prev), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dW, finite_difference(lambda v: J(A_prev, v, b), W), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(db, finite_difference(lambda v: J(A_prev, W, v), b), rtol=1e-6, atol=1e-9)


def test_dense_backward_from_dZ_formulas_and_shapes():
    dZ = np.array([[1.0, 2.0]])  # (n[l] = 1, m = 2): exercises the one-row (outer product) case
    A_prev = np.array([[3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    W = np.array([[0.5, -1.0, 2.0]])
    dA_prev, dW, db = dense_backward_from_dZ(dZ, A_prev, W)
    np.testing.assert_array_equal(dW, [[11.0, 17.0, 23.0]])
    np.testing.assert_array_equal(db, [[3.0]])
    np.testing.assert_array_equal(dA_prev, [[0.5, 1.0], [-1.0, -2.0], [2.0, 4.0]])
    assert dA_prev.shape == A_prev.shape and dW.shape == W.shape and db.shape == (1, 1)


def test_dense_backward_rejects_dA_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"dA has shape \(2, 3\) but Z has shape \(3, 2\)"):
        dense_backward(np.ones((2, 3)), np.ones((4, 2)), np.ones((3, 2)), np.ones((3, 4)), "relu")


@settings(deadline=None, max_examples=20)
@given(problem=networks(loss="binary_cross_entropy"))
def test_fused_sigmoid_bce_path_equals_the_general_path(problem):
    X, Y, params, architecture, loss = problem
    Y_hat, cache = network_forward(X, params, architecture)
    fused = network_backward(Y_hat, Y, cache, params, architecture, loss=loss)
    # Under another name the same sigmoid goes through dA = dJ/dY_hat and g'(Z) instead of A - Y.
    general_architecture = [*architecture[:-1], {**architecture[-1], "activation": "sigmoid_by_chain_rule"}]
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(ACTIVATIONS, "sigmoid_by_chain_rule", ACTIVATIONS["sigmoid"])
        general = network_backward(Y_hat, Y, cache, params, general_architecture, loss=loss)
    for name in fused:
        np.testing.assert_allclose(fused[name], general[name], rtol=1e-7, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_keep_the_parameters_dtype(dtype):
    architecture = [
        {"input_dim": 2, "output_dim": 3, "activation": "tanh"},
        {"input_dim": 3, "output_dim": 1, "activation": "sigmoid"},
    ]
    params = init_network(architecture, dtype=dtype)
    X, Y = np.ones((2, 4), dtype), np.array([[0.0, 1.0, 1.0, 0.0]])  # float64 labels are cast to Y_hat's dtype
    Y_hat, cache = network_forward(X, params, architecture)
    grads = network_backward(Y_hat, Y, cache, params, architecture)
    assert all(value.dtype == dtype for value in grads.values())


@settings(deadline=None, max_examples=10)
@given(problem=networks())
def test_backward_does_not_modify_its_inputs(problem):
    X, Y, params, architecture, loss = problem
    Y_hat, cache = network_forward(X, params, architecture)
    snapshots = [{k: v.copy() for k, v in d.items()} for d in (params, cache)] + [Y_hat.copy(), Y.copy()]
    network_backward(Y_hat, Y, cache, params, architecture, loss=loss)
    for before, after in zip(snapshots[:2], (params, cache), strict=True):
        for name in before:
            np.testing.assert_array_equal(after[name], before[name])
    np.testing.assert_array_equal(Y_hat, snapshots[2])
    np.testing.assert_array_equal(Y, snapshots[3])
