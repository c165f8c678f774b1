"""nnlib.datasets: shapes, labels, geometry, reproducibility, and the train/test split."""

import numpy as np
import pytest

from nnlib.datasets import make_circles, make_linear, make_moons, make_spiral, train_test_split

CLASSIFIERS = [make_moons, make_circles, make_spiral]


@pytest.mark.parametrize("make", CLASSIFIERS)
@pytest.mark.parametrize("n_samples", [2, 7, 1000])
def test_course_layout_and_balanced_labels(make, n_samples):
    X, Y = make(n_samples)
    assert X.shape == (2, n_samples) and Y.shape == (1, n_samples)
    assert set(np.unique(Y)) <= {0.0, 1.0}
    assert Y.sum() == n_samples - n_samples // 2
    assert np.isfinite(X).all()


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_same_seed_same_data_other_seed_other_data(make):
    X1, Y1 = make(50, seed=3)
    X2, Y2 = make(50, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(X1, make(50, seed=4)[0])


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_examples_are_shuffled(make):
    _, Y = make(100)
    assert 0 < Y[0, :50].sum() < 50  # the classes are not in two blocks


@pytest.mark.parametrize("make", [*CLASSIFIERS, make_linear])
def test_too_few_samples_is_an_error(make):
    with pytest.raises(ValueError, match="n_samples"):
        make(1)


def test_noiseless_moons_lie_on_their_half_circles():
    X, Y = make_moons(200, noise=0.0)
    upper, lower = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(np.hypot(*upper), 1.0)
    assert (upper[1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[0] - 1, lower[1] - 0.5), 1.0)
    assert (lower[1] <= 0.5 + 1e-12).all()


def test_noiseless_circles_have_radius_one_and_factor():
    X, Y = make_circles(100, noise=0.0, factor=0.3)
    radius = np.hypot(*X)
    np.testing.assert_allclose(radius[Y[0] == 0], 1.0)
    np.testing.assert_allclose(radius[Y[0] == 1], 0.3)


@pytest.mark.parametrize("factor", [0.0, 1.0, 1.5])
def test_circles_reject_a_factor_outside_the_unit_interval(factor):
    with pytest.raises(ValueError, match="factor"):
        make_circles(10, factor=factor)


def test_noiseless_spiral_arms_are_point_reflections_of_each_other():
    X, Y = make_spiral(100, noise=0.0)
    first, second = X[:, Y[0] == 0], X[:, Y[0] == 1]
    order_first, order_second = np.argsort(np.hypot(*first)), np.argsort(np.hypot(*second))
    np.testing.assert_allclose(first[:, order_first], -second[:, order_second], atol=1e-12)


def test_linear_data_recovers_its_line():
    x, y = make_linear(5000, theta0=4.0, theta1=3.0, noise=0.5)
    assert x.shape == y.shape == (5000,)
    assert x.min() >= 0 and x.max() <= 2
    slope, intercept = np.polyfit(x, y, 1)
    assert slope == pytest.approx(3.0, abs=0.05)
    assert intercept == pytest.approx(4.0, abs=0.05)


def test_split_sizes_and_partition_keep_pairs():
    X = np.vstack([np.arange(1000.0), -np.arange(1000.0)])
    Y = (np.arange(1000.0) % 2).reshape(1, -1)
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_fraction=0.1, seed=0)
    assert X_train.shape == (2, 900) and X_test.shape == (2, 100)
    assert Y_train.shape == (1, 900) and Y_test.shape == (1, 100)
    ids = np.concatenate([X_train[0], X_test[0]])
    np.testing.assert_array_equal(np.sort(ids), np.arange(1000.0))  # a partition: no loss, no repeat
    np.testing.assert_array_equal(X_test[1], -X_test[0])  # columns moved whole
    np.testing.assert_array_equal(Y_test[0], X_test[0] % 2)  # each label stays with its example


def test_split_is_random_but_reproducible():
    X, Y = make_moons(100)
    first = train_test_split(X, Y, seed=1)
    np.testing.assert_array_equal(first[1], train_test_split(X, Y, seed=1)[1])
    assert not np.array_equal(first[1], train_test_split(X, Y, seed=2)[1])
    assert not np.array_equal(first[1], X[:, :10])


def test_split_keeps_at_least_one_test_example():
    X, Y = np.ones((2, 5)), np.ones((1, 5))
    assert train_test_split(X, Y, test_fraction=0.01)[1].shape == (2, 1)


def test_split_rejects_mismatched_columns_naming_shapes():
    with pytest.raises(ValueError, match=r"\(2, 10\).*\(1, 9\)"):
        train_test_split(np.ones((2, 10)), np.ones((1, 9)))


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1])
def test_split_rejects_a_fraction_outside_zero_one(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(np.ones((2, 10)), np.ones((1, 10)), test_fraction=fraction)


def test_split_does_not_modify_inputs():
    X, Y = make_moons(50)
    X_before, Y_before = X.copy(), Y.copy()
    train_test_split(X, Y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)
