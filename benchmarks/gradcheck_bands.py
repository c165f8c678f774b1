"""False-alarm and miss rates of nnlib.gradcheck.check_network_gradients over random seeds (too slow for CI).

For each seed: one of the course's architectures (in turn), random float64 data and parameters (the
architecture's own initialisation), then

- the check of nnlib's correct backward pass: a false alarm if its verdict is "bug";
- two planted bugs, each a change of one parameter's gradient by 1e-6 of its norm (the whole array scaled by
  1 + 1e-6, and one component moved by 1e-6 of the norm, unless that component is skipped next to a kink,
  where no finite difference can judge it): a miss if the verdict is not "bug";
- a transposed dW of a non-square layer: a miss if it is not reported as a shape mismatch.

Run: ``.venv/bin/python benchmarks/gradcheck_bands.py --seeds 1000``; the article's network (every fifth seed)
takes about 8 s of CPU a seed, the others well under one. ``--shard 0/2`` and ``--shard 1/2`` in two processes
check the even and the odd seeds, one core each.
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from nnlib.backprop import network_backward
from nnlib.gradcheck import BUG_FROM, compare_gradients, network_numerical_gradients
from nnlib.network import ARTICLE_ARCHITECTURE, init_network, network_forward


def layers(sizes, activations):
    return [
        {"input_dim": n_in, "output_dim": n_out, "activation": activation}
        for n_in, n_out, activation in zip(sizes[:-1], sizes[1:], activations, strict=True)
    ]


# (name, architecture, loss, initialisation, examples)
CASES = [
    ("article 2-25-50-50-25-1 relu, small init", list(ARTICLE_ARCHITECTURE), "binary_cross_entropy", "small", 8),
    (
        "chapter 7 check, he init",
        layers([2, 25, 50, 50, 25, 1], ["relu"] * 4 + ["sigmoid"]),
        "binary_cross_entropy",
        "he",
        20,
    ),
    (
        "tanh-softplus-sigmoid",
        layers([3, 4, 3, 1], ["tanh", "softplus", "sigmoid"]),
        "binary_cross_entropy",
        "small",
        5,
    ),
    (
        "leaky_relu-elu-sigmoid",
        layers([2, 8, 6, 1], ["leaky_relu", "elu", "sigmoid"]),
        "binary_cross_entropy",
        "xavier",
        10,
    ),
    ("relu-linear, MSE", layers([3, 5, 2], ["relu", "linear"]), "mean_squared_error", "he", 10),
]


def problem(seed):
    name, architecture, loss, init, m = CASES[seed % len(CASES)]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((architecture[0]["input_dim"], m))
    n_out = architecture[-1]["output_dim"]
    if loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, (n_out, m)).astype(float)
    else:
        Y = rng.standard_normal((n_out, m))
    params = init_network(architecture, seed=seed, method=init)
    return name, architecture, loss, X, Y, params


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--small-only", action="store_true", help="skip the two 2-25-50-50-25-1 networks")
    parser.add_argument("--shard", default="0/1", help="I/N: only the seeds equal to I modulo N (default 0/1: all)")
    args = parser.parse_args()
    shard, shards = (int(part) for part in args.shard.split("/"))
    start = time.perf_counter()
    false_alarms, misses, shape_misses, skipped_total, checked, planted, in_skipped = [], [], [], 0, 0, 0, 0
    worst_clean, least_bug = 0.0, np.inf
    with threadpool_limits(limits=1):
        for seed in range(args.seeds):
            if seed % shards != shard:
                continue
            name, architecture, loss, X, Y, params = problem(seed)
            if args.small_only and architecture[0]["output_dim"] == 25:
                continue
            checked += 1
            Y_hat, cache = network_forward(X, params, architecture)
            grads = network_backward(Y_hat, Y, cache, params, architecture, loss=loss)
            numeric, kinked = network_numerical_gradients(X, Y, params, architecture, loss=loss)
            clean = compare_gradients(numeric, kinked, grads)
            skipped_total += sum(clean.skipped.values())
            worst_clean = max(worst_clean, max(clean.values()))
            if clean.verdict == "bug":
                false_alarms.append((seed, name, max(clean.values())))
            rng = np.random.default_rng(seed + 10**6)
            target = f"W{rng.integers(1, len(architecture) + 1)}"
            g = grads["d" + target]
            one_component = g.copy()
            component = tuple(int(rng.integers(0, n)) for n in g.shape)
            one_component[component] += 1e-6 * np.linalg.norm(g)
            bugs = [{**grads, "d" + target: g * (1 + 1e-6)}]
            if kinked[target][component]:
                in_skipped += 1  # next to a kink: not checkable, and the result says it was skipped
            else:
                bugs.append({**grads, "d" + target: one_component})
            for bug in bugs:
                result = compare_gradients(numeric, kinked, bug)
                least_bug = min(least_bug, result[target])
                planted += 1
                if result.verdict != "bug":
                    misses.append((seed, name, target, result[target]))
            non_square = next(l for l, layer in enumerate(architecture, 1) if layer["input_dim"] != layer["output_dim"])
            transposed = {**grads, f"dW{non_square}": grads[f"dW{non_square}"].T}
            result = compare_gradients(numeric, kinked, transposed)
            if f"W{non_square}" not in result.shape_mismatches or result.verdict != "bug":
                shape_misses.append(seed)
            if checked % 50 == 0:
                print(
                    f"  after {checked} seeds: {len(false_alarms)} false alarms, {len(misses)} misses, "
                    f"worst clean {worst_clean:.2e}, least bug {least_bug:.2e}",
                    flush=True,
                )
    seconds = time.perf_counter() - start
    print(
        f"{checked} of seeds 0..{args.seeds - 1} (shard {args.shard}) checked in {seconds:.0f} s; a bug from a "
        f"relative error of {BUG_FROM:.0e}"
    )
    print(f"false alarms (correct backward pass called a bug): {len(false_alarms)}/{checked} {false_alarms[:5]}")
    print(f"misses (gradient changed by 1e-6 of its norm, not 'bug'): {len(misses)}/{planted} {misses[:5]}")
    print(f"one-component changes not planted because the component is skipped (next to a kink): {in_skipped}")
    print(f"transposed dW not reported as a shape mismatch: {len(shape_misses)}/{checked}")
    print(f"largest clean relative error {worst_clean:.2e}; smallest relative error of a planted bug {least_bug:.2e}")
    print(f"components skipped next to a ReLU kink: {skipped_total} in all")


if __name__ == "__main__":
    main()
