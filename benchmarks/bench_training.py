"""Training speed of nnlib against an equivalent PyTorch CPU model, measured in the same run.

Run it with ``make bench`` (or ``.venv/bin/python benchmarks/bench_training.py``). Conditions, the
same for both libraries:

- dtype float32 (data, weights and every intermediate array);
- one thread: ``threadpoolctl.threadpool_limits(1)`` for NumPy's BLAS, ``torch.set_num_threads(1)``;
- the same initial weights (nnlib's ``init_network``, copied into the ``torch.nn.Linear`` layers),
  the same data, the same optimizer and hyperparameters, and the same bookkeeping per epoch (the
  cost and the accuracy are recorded, as ``nnlib.training.train`` does);
- the repeats alternate nnlib and PyTorch, so that a busy machine slows both alike. Both the process
  CPU time and the wall-clock time are recorded; the medians are printed, and the ratios use CPU time,
  which a machine shared with other jobs disturbs less (on an idle machine the two agree, since each
  library runs on one thread).

Cases:

PyTorch runs twice per repeat: *plain* (``nn.Sigmoid`` + ``BCELoss``, the optimizer's default implementation),
the translation of the article's code, and *best*, its fastest CPU configuration for the same training (the loss
on the logits, ``BCEWithLogitsLoss``, and the ``fused=True`` optimizer; one thread stays fastest for matrices this
small, see ``--torch-threads``). The ratios nnlib/pytorch and nnlib/pytorch-best are printed for every case.

1. the source article's setting: 2->25->50->50->25->1 (ReLU hidden, sigmoid output), ``make_moons(1000,
   noise=0.2)`` with a 10% test split, full-batch gradient descent at lr 0.01 (PyTorch: ``SGD``), BCE. This case
   also times *numpy-inline* (``train_numpy_inline``): the same training as straight-line NumPy, one call per
   formula, without nnlib's functions, checks and divergence watch. Its ratio to nnlib is what nnlib's structure
   costs; its ratio to PyTorch, the floor for NumPy code written as the formulas. *numpy-inline-watch* adds what
   ``train`` checks every epoch (its divergence watch and the gradients' shapes), still without functions;
2. the same network trained with Adam at lr 0.001;
3. a larger mini-batch case: 100 000 examples with 10 features, 10->256->256->1, batch 256.

``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` slow a current NumPy's OpenBLAS down when they are set
for an older one: the script re-executes itself once without them (only its own environment changes).
The last line printed is ``ratio nnlib/pytorch: X.XX`` for case 1 (below 1: nnlib is faster).
``--scale 0.1`` runs every case ten times shorter (a smoke test).
The figures are saved to ``benchmarks/results.json``, which the framework comparison (chapters/frameworks.md)
prints.
"""

import os
import sys

_SLOW_OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
if any(name in os.environ for name in _SLOW_OPENBLAS_VARIABLES):
    # Must happen before NumPy loads OpenBLAS, which reads them once at start-up.
    clean_environment = {k: v for k, v in os.environ.items() if k not in _SLOW_OPENBLAS_VARIABLES}
    os.execve(sys.executable, [sys.executable, *sys.argv], clean_environment)

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from nnlib._validation import check_grads  # noqa: E402
from nnlib.datasets import make_moons, train_test_split  # noqa: E402
from nnlib.network import ARTICLE_ARCHITECTURE, init_network  # noqa: E402
from nnlib.optimizers import Adam  # noqa: E402
from nnlib.training import _Divergence, _saturated_wrong, train  # noqa: E402

DTYPE = np.float32
RESULTS_FILE = Path(__file__).with_name("results.json")
LARGE_ARCHITECTURE = [
    {"input_dim": 10, "output_dim": 256, "activation": "relu"},
    {"input_dim": 256, "output_dim": 256, "activation": "relu"},
    {"input_dim": 256, "output_dim": 1, "activation": "sigmoid"},
]


def _cpu_model():
    """The processor's name (Linux), else what the platform module knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown processor"


def torch_model(params, architecture, logits=False):
    """A ``torch.nn.Sequential`` with the same layers as ``architecture`` and nnlib's weights copied in.

    ``logits``: leave the final sigmoid out, for ``BCEWithLogitsLoss``.
    """
    activations = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}
    layers = []
    for l, layer in enumerate(architecture, start=1):
        linear = torch.nn.Linear(layer["input_dim"], layer["output_dim"])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(params[f"W{l}"]))  # (n[l], n[l-1]) in both libraries
            linear.bias.copy_(torch.from_numpy(params[f"b{l}"].ravel()))
        layers.append(linear)
        if not (logits and l == len(architecture)):
            layers.append(activations[layer["activation"]]())
    return torch.nn.Sequential(*layers)


def train_torch(X, Y, params, architecture, epochs, make_optimizer, batch_size=None, seed=99, best=False):
    """PyTorch's version of ``nnlib.training.train``: cost and accuracy recorded every epoch.

    X : (n_x, m) and Y : (1, m) in nnlib's layout; PyTorch gets the transposes (one example per row).
    ``best``: PyTorch's fastest CPU form of the same training: the loss on the logits (``BCEWithLogitsLoss``,
    no final sigmoid module; accuracy from logit > 0) and the optimizer's ``fused`` implementation
    (``make_optimizer`` gets ``fused=True``). Returns the final epoch's training cost.
    """
    model = torch_model(params, architecture, logits=best)
    optimizer = make_optimizer(model.parameters(), fused=True) if best else make_optimizer(model.parameters())
    cost_function = torch.nn.BCEWithLogitsLoss() if best else torch.nn.BCELoss()
    threshold = 0.0 if best else 0.5
    inputs, targets = torch.from_numpy(np.ascontiguousarray(X.T)), torch.from_numpy(np.ascontiguousarray(Y.T))
    m = inputs.shape[0]
    generator = torch.Generator().manual_seed(seed)
    costs, accuracies = [], []
    for _ in range(epochs):
        total_cost = total_correct = 0.0
        batches = [slice(None)] if batch_size is None else torch.randperm(m, generator=generator).split(batch_size)
        for batch in batches:
            x, y = inputs[batch], targets[batch]
            optimizer.zero_grad()
            y_hat = model(x)
            cost = cost_function(y_hat, y)
            cost.backward()
            optimizer.step()
            total_cost += cost.item() * y.shape[0]
            total_correct += ((y_hat > threshold) == (y > 0.5)).sum().item()
        costs.append(total_cost / m)
        accuracies.append(total_correct / m)
    return costs[-1]


def train_numpy_inline(X, Y, params, architecture, epochs, learning_rate=0.01, watch=False):
    """The source article's training written as straight-line NumPy: ReLU hidden layers, a sigmoid output, binary
    cross-entropy, full-batch gradient descent, the cost and accuracy recorded every epoch as ``train`` does.

    The same formulas with the same NumPy calls as nnlib's, without its functions, checks and divergence watch: what
    NumPy itself costs for this training, the floor for code written as the formulas. ``watch``: add what nnlib's
    ``train`` checks every epoch, with nnlib's own code: the divergence watch (a non-finite cost, outputs saturated at
    the wrong label, the parameters every tenth epoch, a rising cost) and the gradients' shapes before each update.
    Returns the final cost.
    """
    L = len(architecture)
    params = {name: value.copy() for name, value in params.items()}
    divergence = _Divergence(params, learning_rate) if watch else None
    m = X.shape[1]
    eps = np.finfo(X.dtype).eps
    ones = np.ones((m, 1), dtype=X.dtype)
    costs, accuracies = [], []
    for epoch in range(1, epochs + 1):
        A, Z = {0: X}, {}
        for l in range(1, L):
            Z[l] = params[f"W{l}"] @ A[l - 1] + params[f"b{l}"]
            A[l] = np.maximum(Z[l], 0.0)
        Z[L] = params[f"W{L}"] @ A[L - 1] + params[f"b{L}"]
        exp_neg_abs = np.exp(-np.abs(Z[L]))
        Y_hat = np.where(Z[L] >= 0, 1, exp_neg_abs) / (1 + exp_neg_abs)
        P = np.clip(Y_hat, eps, 1 - eps)
        costs.append(float(-(Y * np.log(P) + (1 - Y) * np.log1p(-P)).sum() / m))
        accuracies.append(np.count_nonzero((Y_hat > 0.5) == (Y > 0.5)) / m)
        dZ = (Y_hat - Y) / m
        grads = {}
        for l in range(L, 0, -1):
            grads[f"dW{l}"], grads[f"db{l}"] = dZ @ A[l - 1].T, dZ @ ones
            if l > 1:  # W.T @ dZ and dZ = dA_prev * g'(Z) with nnlib's calls, so only the structure differs
                W = params[f"W{l}"]
                dA_prev = np.dot(W.T, dZ) if W.shape[0] == 1 else W.T @ dZ
                dZ = np.multiply(dA_prev, (Z[l - 1] > 0).astype(X.dtype), out=dA_prev)
        if watch:
            divergence.check_cost(epoch, costs[-1], Y_hat)
            check_grads(params, grads, learning_rate)
        for name in params:
            params[name] = params[name] - learning_rate * grads["d" + name]
        if watch:
            divergence.epoch_done(epoch, costs, _saturated_wrong(Y_hat, Y) / m, params, last=epoch == epochs)
    return costs[-1]


def timed(function):
    """Run ``function()``; return its result, the wall-clock time and the process CPU time (seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def time_case(
    name, X, Y, architecture, epochs, repeats, nnlib_optimizer, torch_optimizer, batch_size=None, inline=False
):
    """Time nnlib, plain PyTorch and PyTorch's best CPU configuration ``repeats`` times each (in turn), print the
    medians and the ratios, return the case's figures. ``inline``: also time :func:`train_numpy_inline`."""
    params = init_network(architecture, seed=99, dtype=DTYPE)
    times = {"nnlib": [], "pytorch": [], "pytorch-best": []} | (
        {"numpy-inline": [], "numpy-inline-watch": []} if inline else {}
    )
    costs = {}
    for _ in range(repeats):
        (_, history), *nnlib_times = timed(
            lambda: train(X, Y, architecture, epochs, optimizer=nnlib_optimizer(), params=params, batch_size=batch_size)
        )
        costs["nnlib"] = history.loss[-1]
        times["nnlib"].append(nnlib_times)
        for variant, best in (("pytorch", False), ("pytorch-best", True)):
            costs[variant], *torch_times = timed(
                lambda best=best: train_torch(
                    X, Y, params, architecture, epochs, torch_optimizer, batch_size, best=best
                )
            )
            times[variant].append(torch_times)
        if inline:
            for variant, watch in (("numpy-inline", False), ("numpy-inline-watch", True)):
                costs[variant], *inline_times = timed(
                    lambda watch=watch: train_numpy_inline(X, Y, params, architecture, epochs, watch=watch)
                )
                times[variant].append(inline_times)
    print(f"\n{name}: {epochs} epochs, {repeats} repeats each")
    medians = {}
    for library, runs in times.items():
        wall, cpu = (statistics.median(run[i] for run in runs) for i in (0, 1))
        medians[library] = cpu
        cpu_runs = ", ".join(f"{run[1]:.2f}" for run in runs)
        print(f"  {library:12s} median CPU {cpu:7.3f} s, wall {wall:7.3f} s  (CPU runs: {cpu_runs})")
    print("  final training cost: " + ", ".join(f"{library} {cost:.4f}" for library, cost in costs.items()))
    ratio = medians["nnlib"] / medians["pytorch"]
    best_ratio = medians["nnlib"] / medians["pytorch-best"]
    print(f"  ratio nnlib/pytorch {ratio:.2f}, nnlib/pytorch-best {best_ratio:.2f}")
    figures = {
        "case": name,
        "epochs": epochs,
        "median_cpu_seconds": {library: round(cpu, 3) for library, cpu in medians.items()},
        "ratio_nnlib_to_pytorch": round(ratio, 3),
        "ratio_nnlib_to_pytorch_best": round(best_ratio, 3),
    }
    if inline:
        for variant in ("numpy-inline", "numpy-inline-watch"):
            inline_ratio, structure_ratio = medians[variant] / medians["pytorch"], medians[variant] / medians["nnlib"]
            print(f"  ratio {variant}/pytorch {inline_ratio:.2f}, {variant}/nnlib {structure_ratio:.2f}")
            figures[f"ratio_{variant.replace('-', '_')}_to_pytorch"] = round(inline_ratio, 3)
    return figures


def print_header():
    print("nnlib vs PyTorch CPU training benchmark")
    print("dtype float32 for both; NumPy's BLAS on 1 thread (threadpoolctl), PyTorch on torch.get_num_threads()")
    print("times: medians of process CPU time (used for the ratios) and of wall-clock time; runs alternate")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, {platform.machine()}"
    )
    for pool in threadpool_info():
        print(
            f"NumPy-side {pool['user_api']}: {pool['internal_api']} {pool.get('version')}, "
            f"kernel {pool.get('architecture')}, threads {pool['num_threads']} ({os.path.basename(pool['filepath'])})"
        )
    print(f"PyTorch: MKL {torch.backends.mkl.is_available()}, threads {torch.get_num_threads()}")
    unset = ", ".join(_SLOW_OPENBLAS_VARIABLES)
    print(f"{unset} unset for this run (the script re-executes itself without them)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every case's epochs (e.g. 0.1)")
    parser.add_argument("--torch-threads", type=int, default=1, help="PyTorch's intra-op threads (default 1)")
    args = parser.parse_args()

    def epochs(count):
        return max(1, round(count * args.scale))

    torch.set_num_threads(args.torch_threads)
    torch.manual_seed(0)
    with threadpool_limits(limits=1):
        print_header()
        X, Y = make_moons(1000, noise=0.2, seed=0)
        X_train, _, Y_train, _ = train_test_split(X.astype(DTYPE), Y.astype(DTYPE), test_fraction=0.1, seed=0)

        cases = [
            time_case(
                "1. source article: 2-25-50-50-25-1, full-batch gradient descent lr 0.01, 900 examples",
                X_train,
                Y_train,
                ARTICLE_ARCHITECTURE,
                epochs(4000),
                9,
                nnlib_optimizer=lambda: None,  # train's default: plain gradient descent at learning_rate=0.01
                torch_optimizer=lambda parameters, **options: torch.optim.SGD(parameters, lr=0.01, **options),
                inline=True,
            )
        ]
        cases.append(
            time_case(
                "2. same network, full-batch Adam lr 0.001",
                X_train,
                Y_train,
                ARTICLE_ARCHITECTURE,
                epochs(2500),
                5,
                nnlib_optimizer=lambda: Adam(learning_rate=0.001),
                torch_optimizer=lambda parameters, **options: torch.optim.Adam(parameters, lr=0.001, **options),
            )
        )
        rng = np.random.default_rng(1)
        X_large = rng.standard_normal((10, 100_000)).astype(DTYPE)
        weights = rng.standard_normal((1, 10))
        Y_large = (np.sin(weights @ X_large) + 0.3 * X_large[0] ** 2 > 0.3).astype(DTYPE)
        cases.append(
            time_case(
                "3. large: 100 000 x 10 features, 10-256-256-1, SGD lr 0.01, mini-batches of 256",
                X_large,
                Y_large,
                LARGE_ARCHITECTURE,
                epochs(2),
                5,
                nnlib_optimizer=lambda: None,
                torch_optimizer=lambda parameters, **options: torch.optim.SGD(parameters, lr=0.01, **options),
                batch_size=256,
            )
        )
    RESULTS_FILE.write_text(
        json.dumps(
            {
                "measured": time.strftime("%Y-%m-%d"),
                "machine": f"{_cpu_model()} ({platform.machine()}), {os.cpu_count()} cores",
                "versions": {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__},
                "epochs_scale": args.scale,
                "cases": cases,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"figures saved to {RESULTS_FILE.relative_to(RESULTS_FILE.parents[1])} (chapters/frameworks.md reads them)")
    print(f"ratio nnlib/pytorch: {cases[0]['ratio_nnlib_to_pytorch']:.2f}")


if __name__ == "__main__":
    main()
