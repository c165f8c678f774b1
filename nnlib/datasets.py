"""Toy data sets generated in code with a seed (nothing is downloaded).

Every classifier data set is returned in the course's layout: ``X`` of shape ``(2, m)`` with one example
per column, ``Y`` of shape ``(1, m)`` holding 0.0 or 1.0.
"""

import numpy as np

from nnlib._validation import as_matrix, check_number


def _shuffled(X, Y, rng):
    order = rng.permutation(X.shape[1])
    return X[:, order], Y[:, order]


def _check_count(n_samples, noise):
    check_number(noise, "noise", low=0)
    return check_number(n_samples, "n_samples", low=2, integer=True)


def make_moons(n_samples=1000, noise=0.2, seed=0):
    """Two interleaving half circles: class 0 on the upper moon, class 1 on the lower one.

    Returns
    -------
    X : array, shape (2, n_samples)
    Y : array, shape (1, n_samples)
    """
    n_samples = _check_count(n_samples, noise)
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    upper = np.vstack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.vstack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.hstack([upper, lower]) + noise * rng.standard_normal((2, n_samples))
    Y = np.hstack([np.zeros(n_upper), np.ones(n_lower)]).reshape(1, -1)
    return _shuffled(X, Y, rng)


def make_circles(n_samples=1000, noise=0.1, factor=0.5, seed=0):
    """Two concentric circles: class 0 outside (radius 1), class 1 inside (radius ``factor``).

    Returns
    -------
    X : array, shape (2, n_samples)
    Y : array, shape (1, n_samples)
    """
    n_samples = _check_count(n_samples, noise)
    check_number(factor, "factor", low=0, high=1, low_open=True, high_open=True)
    rng = np.random.default_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    angles_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    angles_inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    outer = np.vstack([np.cos(angles_outer), np.sin(angles_outer)])
    inner = factor * np.vstack([np.cos(angles_inner), np.sin(angles_inner)])
    X = np.hstack([outer, inner]) + noise * rng.standard_normal((2, n_samples))
    Y = np.hstack([np.zeros(n_outer), np.ones(n_inner)]).reshape(1, -1)
    return _shuffled(X, Y, rng)


def make_spiral(n_samples=1000, noise=0.2, turns=1.5, seed=0):
    """Two interleaved spiral arms, one per class.

    Returns
    -------
    X : array, shape (2, n_samples)
    Y : array, shape (1, n_samples)
    """
    n_samples = _check_count(n_samples, noise)
    check_number(turns, "turns", low=0, low_open=True)
    rng = np.random.default_rng(seed)
    n_first = n_samples // 2
    arms, labels = [], []
    for label, count in ((0, n_first), (1, n_samples - n_first)):
        radius = np.linspace(0.1, 1.0, count)
        angle = 2 * np.pi * turns * radius + label * np.pi
        arms.append(radius * np.vstack([np.cos(angle), np.sin(angle)]))
        labels.append(np.full(count, float(label)))
    X = np.hstack(arms) + noise * 0.1 * rng.standard_normal((2, n_samples))
    Y = np.hstack(labels).reshape(1, -1)
    return _shuffled(X, Y, rng)


def make_linear(n_samples=100, theta0=4.0, theta1=3.0, noise=1.0, seed=0):
    r"""Points scattered around the line :math:`y = \theta_0 + \theta_1 x`, with ``x`` uniform in [0, 2].

    Returns
    -------
    x : array, shape (n_samples,)
    y : array, shape (n_samples,)
    """
    n_samples = _check_count(n_samples, noise)
    check_number(theta0, "theta0")
    check_number(theta1, "theta1")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, n_samples)
    y = theta0 + theta1 * x + noise * rng.standard_normal(n_samples)
    return x, y


def train_test_split(X, Y, test_fraction=0.1, seed=0):
    """Split examples (columns) at random into a training and a test set.

    Parameters
    ----------
    X : array, shape (n_x, m)
    Y : array, shape (n_y, m)
    test_fraction : float in (0, 1)

    Returns
    -------
    X_train : array, shape (n_x, m - m_test)
    X_test : array, shape (n_x, m_test)
    Y_train : array, shape (n_y, m - m_test)
    Y_test : array, shape (n_y, m_test)
    """
    X, Y = as_matrix(X, "X"), as_matrix(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} examples (columns) but Y has {Y.shape[1]}; shapes {X.shape} and {Y.shape}."
        )
    check_number(test_fraction, "test_fraction", low=0, high=1, low_open=True, high_open=True)
    m = X.shape[1]
    if m < 2:
        raise ValueError(f"X has {m} example; a split needs at least 2 (one for training, one for testing).")
    n_test = max(1, int(round(test_fraction * m)))
    if n_test >= m:
        raise ValueError(f"test_fraction {test_fraction} of {m} examples leaves no training example.")
    order = np.random.default_rng(seed).permutation(m)
    test, train = order[:n_test], order[n_test:]
    return X[:, train], X[:, test], Y[:, train], Y[:, test]
