"""nnlib.activations: ranges, monotonicity, stability, dtypes, identities, derivatives, parity with JAX."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib import activations
from nnlib.activations import (
    ACTIVATIONS,
    elu,
    elu_derivative,
    get_activation,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softplus,
    softplus_derivative,
    tanh,
    tanh_derivative,
)
from nnlib.gradcheck import numerical_gradient

pytestmark = pytest.mark.filterwarnings("error")  # an overflow or invalid-value warning is a failure here

FAST = settings(deadline=None, max_examples=60)
NAMES = sorted(ACTIVATIONS)
FLOAT_DTYPES = [np.float32, np.float64]


def float_arrays(dtype=np.float64, low=-50.0, high=50.0, max_side=6):
    return arrays(
        dtype,
        st.tuples(st.integers(1, max_side), st.integers(1, max_side)),
        elements=st.floats(low, high, width=np.dtype(dtype).itemsize * 8),
    )


@FAST
@given(float_arrays(low=-1e4, high=1e4))
def test_sigmoid_lies_in_unit_interval(Z):
    S = sigmoid(Z)
    assert ((S >= 0) & (S <= 1)).all()


@FAST
@given(float_arrays(low=-1e4, high=1e4))
def test_tanh_lies_in_minus_one_one(Z):
    T = tanh(Z)
    assert ((T >= -1) & (T <= 1)).all()


@FAST
@given(float_arrays(low=-30, high=1e4))
def test_softplus_is_positive_and_above_relu(Z):
    # Below about -700 e^z underflows and softplus rounds to 0; above -30 it is clearly positive.
    P = softplus(Z)
    assert (P > 0).all()
    assert (P >= relu(Z)).all()


@FAST
@given(float_arrays(low=-1e4, high=1e4))
def test_relu_family_ranges(Z):
    assert (relu(Z) >= 0).all()
    assert (elu(Z) >= -1).all()  # alpha = 1: ELU is bounded below by -alpha
    np.testing.assert_array_equal(relu(Z), np.where(Z > 0, Z, 0))


@FAST
@given(float_arrays(low=-1e4, high=1e4))
def test_derivative_ranges(Z):
    assert ((sigmoid_derivative(Z) >= 0) & (sigmoid_derivative(Z) <= 0.25)).all()
    assert ((tanh_derivative(Z) >= 0) & (tanh_derivative(Z) <= 1)).all()
    assert set(np.unique(relu_derivative(Z))) <= {0.0, 1.0}
    assert set(np.unique(leaky_relu_derivative(Z))) <= {0.01, 1.0}


@pytest.mark.parametrize("name", [n for n in NAMES if n != "linear"])
@FAST
@given(z=st.lists(st.floats(-100, 100), min_size=2, max_size=30))
def test_activation_is_nondecreasing(name, z):
    z = np.sort(np.array(z))
    assert (np.diff(get_activation(name).forward(z)) >= 0).all()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_no_overflow_or_warning_at_extremes(name, dtype):
    Z = np.array([-1e4, -1e3, -100.0, -1.0, 0.0, 1.0, 100.0, 1e3, 1e4], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        A = get_activation(name).forward(Z)
        dA = get_activation(name).derivative(Z)
    assert np.isfinite(A).all() and np.isfinite(dA).all()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", ["sigmoid", "softplus"])
@FAST
@given(data=st.data())
def test_sigmoid_and_softplus_never_overflow_nor_warn_up_to_1e4(name, dtype, data):
    Z = data.draw(float_arrays(dtype, low=-1e4, high=1e4))
    pair = get_activation(name)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        A, dA = pair.forward(Z), pair.derivative(Z)
    assert A.dtype == dA.dtype == dtype
    assert np.isfinite(A).all() and np.isfinite(dA).all()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sigmoid_and_softplus_exact_limits_at_extremes(dtype):
    Z = np.array([-1e4, 1e4], dtype=dtype)
    np.testing.assert_array_equal(sigmoid(Z), [0.0, 1.0])
    np.testing.assert_array_equal(softplus(Z), [0.0, 1e4])
    np.testing.assert_array_equal(softplus_derivative(Z), [0.0, 1.0])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_dtype_and_shape_are_preserved(name, dtype):
    Z = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    pair = get_activation(name)
    for result in (pair.forward(Z), pair.derivative(Z)):
        assert result.dtype == dtype
        assert result.shape == Z.shape


@pytest.mark.parametrize("name", NAMES)
def test_integer_input_becomes_float64(name):
    result = get_activation(name).forward(np.array([[-2, 0, 3]]))
    assert result.dtype == np.float64


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(Z=float_arrays(low=-20, high=20))
def test_input_is_not_modified(name, Z):
    before = Z.copy()
    get_activation(name).forward(Z)
    get_activation(name).derivative(Z)
    np.testing.assert_array_equal(Z, before)


@FAST
@given(float_arrays(low=-300, high=300))
def test_tanh_equals_two_sigmoid_two_z_minus_one(Z):
    np.testing.assert_allclose(tanh(Z), 2 * sigmoid(2 * Z) - 1, atol=1e-15)


@FAST
@given(float_arrays(low=-300, high=300))
def test_sigmoid_symmetry(Z):
    np.testing.assert_allclose(sigmoid(-Z), 1 - sigmoid(Z), atol=1e-15)


@FAST
@given(float_arrays(low=-30, high=30))
def test_softplus_derivative_is_sigmoid_and_softplus_difference_is_identity(Z):
    np.testing.assert_array_equal(softplus_derivative(Z), sigmoid(Z))
    np.testing.assert_allclose(softplus(Z) - softplus(-Z), Z, atol=1e-12)


@FAST
@given(float_arrays(low=-20, high=20))
def test_derivatives_in_closed_form(Z):
    S = sigmoid(Z)
    np.testing.assert_allclose(sigmoid_derivative(Z), S * (1 - S))
    np.testing.assert_allclose(tanh_derivative(Z), 1 / np.cosh(Z) ** 2, rtol=1e-9, atol=1e-15)


def test_values_at_known_points():
    np.testing.assert_allclose(sigmoid(np.array([0.0, np.log(3)])), [0.5, 0.75])
    np.testing.assert_allclose(softplus(np.array([0.0])), [np.log(2)])
    np.testing.assert_allclose(elu(np.array([-np.log(2), 2.0])), [-0.5, 2.0])
    np.testing.assert_allclose(leaky_relu(np.array([-3.0, 3.0]), alpha=0.1), [-0.3, 3.0])
    np.testing.assert_allclose(elu(np.array([-np.log(2)]), alpha=2.0), [-1.0])


def test_kink_conventions_at_zero():
    zero = np.zeros(1)
    assert relu_derivative(zero)[0] == 0.0
    assert leaky_relu_derivative(zero, alpha=0.2)[0] == 0.2
    assert elu_derivative(zero, alpha=3.0)[0] == 3.0


def _away_from_zero(Z):
    # relu, leaky_relu and elu have a kink at 0: finite differences there mean nothing.
    return np.where(np.abs(Z) < 1e-3, 0.5, Z)


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(Z=float_arrays(low=-8, high=8, max_side=3))
def test_derivative_matches_central_differences(name, Z, finite_difference):
    Z = _away_from_zero(Z)
    pair = get_activation(name)
    # Elementwise g: the gradient of sum(g(Z)) is g'(Z).
    numeric = finite_difference(lambda z: pair.forward(z).sum(), Z)
    np.testing.assert_allclose(pair.derivative(Z), numeric, rtol=1e-6, atol=1e-8)
    numeric_nnlib = numerical_gradient(lambda z: pair.forward(z).sum(), Z)
    np.testing.assert_allclose(pair.derivative(Z), numeric_nnlib, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("alpha", [0.05, 0.3, 2.0])
def test_alpha_derivatives_match_central_differences(alpha, finite_difference):
    Z = np.array([[-3.0, -0.5, 0.7, 2.0]])
    numeric = finite_difference(lambda z: leaky_relu(z, alpha).sum(), Z)
    np.testing.assert_allclose(leaky_relu_derivative(Z, alpha), numeric, rtol=1e-7)
    numeric = finite_difference(lambda z: elu(z, alpha).sum(), Z)
    np.testing.assert_allclose(elu_derivative(Z, alpha), numeric, rtol=1e-7, atol=1e-9)


ORACLE_SIZE = 64  # every Z goes to JAX as one vector of this length: one shape, so JAX compiles each operation once


def _jax_forward_and_grad(jax, function, Z):
    """JAX's g(Z) and, by reverse-mode autodiff of sum(g(Z)), g'(Z) (g is elementwise, so padding is harmless)."""
    assert Z.size <= ORACLE_SIZE, Z.shape
    padded = np.zeros(ORACLE_SIZE)
    padded[: Z.size] = Z.ravel()
    A, pullback = jax.vjp(function, jax.numpy.asarray(padded))
    (dZ,) = pullback(jax.numpy.ones_like(A))
    return np.asarray(A)[: Z.size].reshape(Z.shape), np.asarray(dZ)[: Z.size].reshape(Z.shape)


def _comparable_slopes(name, Z):
    """Where nnlib's and JAX's derivatives must agree: not at leaky ReLU's kink Z = 0, whose slope is a convention
    (JAX takes 1, nnlib alpha: test_kink_conventions_at_zero checks nnlib's), and not at subnormal Z, which XLA on
    the CPU flushes to zero, onto the kinks of relu, leaky_relu and elu."""
    normal = (np.abs(Z) >= np.finfo(Z.dtype).tiny) | (Z == 0)
    return normal & (Z != 0) if name == "leaky_relu" else normal


@pytest.mark.parametrize("name", NAMES)
@settings(deadline=None, max_examples=40)
@given(Z=float_arrays(low=-40, high=40))
def test_forward_and_derivative_match_jax(name, Z, jax, jax_activation):
    A_jax, dZ_jax = _jax_forward_and_grad(jax, jax_activation(name), Z)
    pair = get_activation(name)
    np.testing.assert_allclose(pair.forward(Z), A_jax, rtol=1e-10, atol=1e-12)
    slopes = _comparable_slopes(name, Z)
    np.testing.assert_allclose(pair.derivative(Z)[slopes], dZ_jax[slopes], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("alpha", [0.2, 1.5])
def test_alpha_parameters_match_jax(alpha, jax):
    Z = np.linspace(-5, 5, 41).reshape(1, -1)
    A, dZ = _jax_forward_and_grad(jax, lambda z: jax.nn.leaky_relu(z, negative_slope=alpha), Z)
    np.testing.assert_allclose(leaky_relu(Z, alpha), A, rtol=1e-12)
    slopes = _comparable_slopes("leaky_relu", Z)
    np.testing.assert_allclose(leaky_relu_derivative(Z, alpha)[slopes], dZ[slopes], rtol=1e-12)
    A, dZ = _jax_forward_and_grad(jax, lambda z: jax.nn.elu(z, alpha=alpha), Z)
    np.testing.assert_allclose(elu(Z, alpha), A, rtol=1e-12)
    np.testing.assert_allclose(elu_derivative(Z, alpha), dZ, rtol=1e-12)


def test_registry_pairs_each_function_with_its_derivative():
    for name, pair in ACTIVATIONS.items():
        assert pair.forward is getattr(activations, name)
        assert pair.derivative is getattr(activations, f"{name}_derivative")


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="swish") as error:
        get_activation("swish")
    for name in NAMES:
        assert name in str(error.value)


def test_non_numeric_input_is_rejected():
    with pytest.raises(TypeError, match="Z"):
        sigmoid(np.array(["a", "b"]))
