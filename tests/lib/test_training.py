"""nnlib.training: the source article's result, the history, mini-batches, and every input rule."""

import os
import platform
import subprocess
import sys
import warnings

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from nnlib.backprop import network_backward
from nnlib.datasets import make_moons, train_test_split
from nnlib.losses import accuracy
from nnlib.network import ARTICLE_ARCHITECTURE, init_network, network_forward, predict
from nnlib.optimizers import Adam
from nnlib.training import DivergenceWarning, History, train

SMALL_ARCHITECTURE = [
    {"input_dim": 2, "output_dim": 8, "activation": "tanh"},
    {"input_dim": 8, "output_dim": 1, "activation": "sigmoid"},
]


@pytest.fixture(scope="module")
def moons_float32():
    X, Y = make_moons(1000, noise=0.2, seed=0)
    return train_test_split(X.astype(np.float32), Y.astype(np.float32), test_fraction=0.1, seed=0)


@pytest.fixture
def small_data():
    X, Y = make_moons(120, noise=0.2, seed=1)
    return X, Y


def test_source_article_setting_reaches_95_percent_test_accuracy(moons_float32):
    # 2-25-50-50-25-1, make_moons(1000, noise=0.2), 10% test split, gradient descent lr 0.01, 10 000 epochs.
    X_train, X_test, Y_train, Y_test = moons_float32
    with threadpool_limits(limits=1):  # tiny matrices: one BLAS thread is the fastest
        params, history = train(X_train, Y_train, ARTICLE_ARCHITECTURE, epochs=10_000, learning_rate=0.01)
    assert params["W1"].dtype == np.float32
    Y_test_hat, _ = network_forward(X_test, params, ARTICLE_ARCHITECTURE)
    assert accuracy(Y_test_hat, Y_test) >= 0.95
    assert history.loss[-1] < 0.5 * history.loss[0]


def test_adam_reaches_95_percent_in_far_fewer_epochs(moons_float32):
    X_train, X_test, Y_train, Y_test = moons_float32
    with threadpool_limits(limits=1):
        params, history = train(X_train, Y_train, ARTICLE_ARCHITECTURE, epochs=500, optimizer=Adam(learning_rate=0.005))
    assert np.mean(predict(X_test, params, ARTICLE_ARCHITECTURE) == Y_test) >= 0.95
    assert np.isfinite(history.loss).all()


def test_one_epoch_is_one_gradient_descent_step(small_data):
    X, Y = small_data
    start = init_network(SMALL_ARCHITECTURE, seed=4)
    params, history = train(X, Y, SMALL_ARCHITECTURE, epochs=1, learning_rate=0.3, params=start)
    Y_hat, cache = network_forward(X, start, SMALL_ARCHITECTURE)
    grads = network_backward(Y_hat, Y, cache, start, SMALL_ARCHITECTURE)
    for name, value in start.items():
        np.testing.assert_allclose(params[name], value - 0.3 * grads["d" + name], rtol=1e-12)
    assert history.loss == [pytest.approx(-np.mean(Y * np.log(Y_hat) + (1 - Y) * np.log(1 - Y_hat)))]
    assert history.accuracy == [accuracy(Y_hat, Y)]


def test_history_records_every_epoch_and_the_cost_goes_down(small_data):
    X, Y = small_data
    validation = make_moons(60, noise=0.2, seed=2)
    _, history = train(X, Y, SMALL_ARCHITECTURE, epochs=300, learning_rate=0.5, validation=validation)
    assert isinstance(history, History)
    for values in (history.loss, history.accuracy, history.val_loss, history.val_accuracy):
        assert len(values) == 300
    assert history.loss[-1] < 0.7 * history.loss[0]
    assert history.val_loss[-1] < history.val_loss[0]
    assert history.accuracy[-1] > 0.8 and history.val_accuracy[-1] > 0.8


def test_mean_squared_error_training_records_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (1, 50))
    Y = 2 * X - 1
    architecture = [{"input_dim": 1, "output_dim": 1, "activation": "linear"}]
    params, history = train(X, Y, architecture, epochs=500, learning_rate=0.5, loss="mean_squared_error")
    assert history.accuracy == [] and len(history.loss) == 500
    np.testing.assert_allclose([params["W1"][0, 0], params["b1"][0, 0]], [2.0, -1.0], atol=1e-6)


def test_callback_sees_every_epoch_in_order(small_data):
    X, Y = small_data
    seen = []
    train(
        X,
        Y,
        SMALL_ARCHITECTURE,
        epochs=4,
        callback=lambda epoch, params, history: seen.append((epoch, len(history.loss))),
    )
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]


def test_mini_batches_take_several_steps_per_epoch_and_are_reproducible(small_data):
    X, Y = small_data
    steps = []

    class CountingOptimizer(Adam):
        def update(self, params, grads):
            steps.append(grads["dW1"].shape)
            super().update(params, grads)

    first, _ = train(X, Y, SMALL_ARCHITECTURE, epochs=2, batch_size=50, optimizer=CountingOptimizer(0.01), seed=5)
    assert len(steps) == 2 * 3  # batches of 50, 50 and 20 per epoch
    second, _ = train(X, Y, SMALL_ARCHITECTURE, epochs=2, batch_size=50, optimizer=Adam(0.01), seed=5)
    full, _ = train(X, Y, SMALL_ARCHITECTURE, epochs=2, optimizer=Adam(0.01), seed=5)
    np.testing.assert_array_equal(first["W1"], second["W1"])
    assert not np.allclose(first["W1"], full["W1"])


def test_progress_bar_option_trains_the_same(small_data):
    pytest.importorskip("tqdm")
    X, Y = small_data
    with_bar, _ = train(X, Y, SMALL_ARCHITECTURE, epochs=3, progress=True)
    without, _ = train(X, Y, SMALL_ARCHITECTURE, epochs=3)
    np.testing.assert_array_equal(with_bar["W2"], without["W2"])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inputs_set_the_dtype_and_are_never_modified(small_data, dtype):
    X, Y = (a.astype(dtype) for a in small_data)
    start = init_network(SMALL_ARCHITECTURE, seed=1)  # float64: train copies it to X's dtype
    X_before, Y_before = X.copy(), Y.copy()
    start_before = {name: value.copy() for name, value in start.items()}
    params, _ = train(X, Y, SMALL_ARCHITECTURE, epochs=5, params=start, batch_size=32)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)
    for name, value in start.items():
        np.testing.assert_array_equal(value, start_before[name])
        assert params[name] is not value and params[name].dtype == dtype


def test_initial_params_are_copied_even_for_an_optimizer_that_writes_in_place(small_data):
    X, Y = small_data

    class InPlaceGradientDescent:
        def update(self, params, grads):
            for name in params:
                params[name] -= 0.1 * grads["d" + name]

    start = init_network(SMALL_ARCHITECTURE, seed=1, dtype=X.dtype)
    start_before = {name: value.copy() for name, value in start.items()}
    trained, _ = train(X, Y, SMALL_ARCHITECTURE, epochs=3, params=start, optimizer=InPlaceGradientDescent())
    for name, value in start.items():
        np.testing.assert_array_equal(value, start_before[name])
        assert not np.array_equal(trained[name], value)


def test_wrong_label_shape_names_both_shapes(small_data):
    X, Y = small_data
    with pytest.raises(ValueError, match=r"Y has shape \(120, 1\).*\(1, 120\)"):
        train(X, Y.T, SMALL_ARCHITECTURE, epochs=1)


def test_input_of_the_wrong_height_names_the_layer_and_both_shapes(small_data):
    X, Y = small_data
    with pytest.raises(ValueError, match=r"Layer 1: W1 has shape \(8, 2\).*A0 has shape \(3, 120\)"):
        train(np.vstack([X, X[:1]]), Y, SMALL_ARCHITECTURE, epochs=1)
    with pytest.raises(ValueError, match=r"Layer 1: W1 has shape \(8, 2\).*X_val has shape \(3, 120\)"):
        train(X, Y, SMALL_ARCHITECTURE, epochs=1, validation=(np.vstack([X, X[:1]]), Y))


@pytest.mark.parametrize("which", ["X", "Y"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_data_is_a_clear_error(small_data, which, bad):
    X, Y = (a.copy() for a in small_data)
    (X if which == "X" else Y)[0, 7] = bad
    with pytest.raises(ValueError, match=rf"{which} contains NaN or inf \(first at index \(0, 7\)"):
        train(X, Y, SMALL_ARCHITECTURE, epochs=1)


def test_unknown_names_list_the_valid_ones(small_data):
    X, Y = small_data
    with pytest.raises(ValueError, match=r"Unknown loss 'hinge'.*binary_cross_entropy, mean_squared_error"):
        train(X, Y, SMALL_ARCHITECTURE, epochs=1, loss="hinge")
    with pytest.raises(ValueError, match=r"Unknown initialisation method 'zeros'.*he, small, xavier"):
        train(X, Y, SMALL_ARCHITECTURE, epochs=1, init="zeros")
    bad_activation = [{**SMALL_ARCHITECTURE[0], "activation": "swish"}, SMALL_ARCHITECTURE[1]]
    with pytest.raises(ValueError, match=r"Unknown activation 'swish'.*elu, leaky_relu, linear"):
        train(X, Y, bad_activation, epochs=1)


@pytest.mark.parametrize(
    ("architecture", "loss", "learning_rate"),
    [
        (
            [
                {"input_dim": 2, "output_dim": 25, "activation": "relu"},
                {"input_dim": 25, "output_dim": 1, "activation": "sigmoid"},
            ],
            "binary_cross_entropy",
            1e6,
        ),
        (
            [
                {"input_dim": 2, "output_dim": 25, "activation": "relu"},
                {"input_dim": 25, "output_dim": 1, "activation": "linear"},
            ],
            "mean_squared_error",
            10.0,
        ),
    ],
    ids=["bce", "mse"],
)
def test_divergence_is_a_floating_point_error_naming_the_epoch(small_data, architecture, loss, learning_rate):
    X, Y = small_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings on the way: one clear error
        warnings.simplefilter("ignore", DivergenceWarning)  # (nnlib's own early warning may come first)
        with pytest.raises(FloatingPointError, match=r"diverged at epoch \d+"):
            train(X, Y, architecture, epochs=500, learning_rate=learning_rate, loss=loss)


@pytest.mark.parametrize(
    "epochs, message",
    [
        (1, r"diverged at epoch 1: W1 holds NaN or inf"),  # the very last update: the parameters are checked
        (5, r"diverged at epoch 2: the network's output holds NaN or inf"),  # between checks (every tenth epoch)
    ],
)
def test_an_overflow_is_reported_in_the_epoch_it_shows(epochs, message):
    X, Y = np.full((2, 10), 10.0), np.full((1, 10), 1e3)  # dJ/dW is about -1e4: lr 1e308 overflows W1
    architecture = [{"input_dim": 2, "output_dim": 1, "activation": "linear"}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=message):
            train(X, Y, architecture, epochs=epochs, learning_rate=1e308, loss="mean_squared_error")


_FAULTS_PER_EPOCH_SCRIPT = """
import resource
import numpy as np
from nnlib.datasets import make_moons
from nnlib.network import ARTICLE_ARCHITECTURE
from nnlib.training import train
X, Y = make_moons(1000, noise=0.2, seed=0)
X, Y = X.astype(np.float32), Y.astype(np.float32)
train(X, Y, ARTICLE_ARCHITECTURE, epochs=5)  # imports and first allocations out of the count
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
train(X, Y, ARTICLE_ARCHITECTURE, epochs=300)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 300)
"""


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc's heap thresholds"
)
def test_training_in_a_fresh_process_does_not_fault_its_arrays_back_in_every_epoch():
    """Freed activations stay in the heap for the next epoch. With glibc's start-up thresholds a fresh process
    training the source article's network faulted them back in every epoch: 17 faults an epoch in this script,
    up to 166 (and 45 % more time) after other allocation histories."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    result = subprocess.run(
        [sys.executable, "-c", _FAULTS_PER_EPOCH_SCRIPT], capture_output=True, text=True, env=environment, check=True
    )
    faults_per_epoch = float(result.stdout)
    assert faults_per_epoch < 2, f"{faults_per_epoch} page faults per epoch: freed arrays went back to the system"
