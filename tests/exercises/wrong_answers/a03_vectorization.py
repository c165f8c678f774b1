"""Wrong answers for 03_vectorization (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


# The shape checks of batch_forward, shared by the wrong answers that get only something else wrong.
_CHECK = """
if W.ndim != 2:
    raise ValueError(f"Layer {layer}: W has shape {W.shape}, expected 2-D.")
if X.ndim != 2 or X.shape[0] != W.shape[1]:
    raise ValueError(f"Layer {layer}: W has shape {W.shape} but X has shape {X.shape}.")
if b.shape != (W.shape[0], 1):
    raise ValueError(f"Layer {layer}: b must have shape ({W.shape[0]}, 1), got {b.shape}.")
"""

_SPLIT = """
m = X.shape[1]
test_count = max(1, int(round(test_fraction * m)))
shuffled = np.random.default_rng(seed).permutation(m)
"""

WRONG_ANSWERS = {
    "batch_forward_loop": {
        "stacks_vertically": (
            "return np.vstack([layer_forward(X[:, [i]], W, b) for i in range(X.shape[1])])",
            _ids("batch_forward_loop", "examples", "reference"),
        ),
        "loops_over_rows": (
            "return np.hstack([layer_forward(X[:, [i]], W, b) for i in range(X.shape[0])])",
            _ids("batch_forward_loop", "examples", "reference"),
        ),
        "flat_columns": (
            "return np.hstack([layer_forward(X[:, i], W, b) for i in range(X.shape[1])])",
            _ids("batch_forward_loop", "examples", "reference"),
        ),
        "float64_result": (
            "return np.hstack([layer_forward(X[:, [i]], W, b) for i in range(X.shape[1])]).astype(np.float64)",
            _ids("batch_forward_loop", "examples", "reference"),
        ),
        "skips_the_last_example": (
            "return np.hstack([layer_forward(X[:, [i]], W, b) for i in range(X.shape[1] - 1)])",
            _ids("batch_forward_loop", "examples", "reference"),
        ),
    },
    "batch_forward": {
        "no_shape_check": ("return W @ X + b", _ids("batch_forward", "shape_errors")),
        "message_without_shapes": (
            """
            if W.ndim != 2 or X.ndim != 2 or X.shape[0] != W.shape[1] or b.shape != (W.shape[0], 1):
                raise ValueError("The shapes do not match.")
            return W @ X + b
            """,
            _ids("batch_forward", "shape_errors"),
        ),
        # The checks of _CHECK as asserts: the wrong exception type.
        "asserts_instead_of_raising": (
            _CHECK.replace("raise ValueError(", "raise AssertionError(") + "return W @ X + b\n",
            _ids("batch_forward", "shape_errors"),
        ),
        "no_bias": (_CHECK + "return W @ X\n", _ids("batch_forward", "examples", "reference")),
        "float64_result": (
            _CHECK + "return W.astype(np.float64) @ X.astype(np.float64) + b\n",
            _ids("batch_forward", "examples", "reference"),
        ),
    },
    "train_test_split": {
        "separate_permutations_for_X_and_Y": (
            """
            m = X.shape[1]
            test_count = max(1, int(round(test_fraction * m)))
            generator = np.random.default_rng(seed)
            order_X, order_Y = generator.permutation(m), generator.permutation(m)
            X_train, X_test = X[:, order_X[test_count:]], X[:, order_X[:test_count]]
            return X_train, X_test, Y[:, order_Y[test_count:]], Y[:, order_Y[:test_count]]
            """,
            _ids("train_test_split", "examples", "reference"),
        ),
        "floor_instead_of_round": (
            """
            m = X.shape[1]
            test_count = max(1, int(test_fraction * m))
            shuffled = np.random.default_rng(seed).permutation(m)
            train, test = shuffled[test_count:], shuffled[:test_count]
            return X[:, train], X[:, test], Y[:, train], Y[:, test]
            """,
            _ids("train_test_split", "examples", "reference"),
        ),
        # A half rounds up (int(x + 0.5)), where Python's round takes it to the even neighbour.
        "rounds_halves_up": (
            _SPLIT.replace("int(round(test_fraction * m))", "int(test_fraction * m + 0.5)")
            + "train, test = shuffled[test_count:], shuffled[:test_count]\n"
            "return X[:, train], X[:, test], Y[:, train], Y[:, test]\n",
            _ids("train_test_split", "examples", "reference"),
        ),
        "test_set_from_the_end": (
            _SPLIT + "test, train = shuffled[m - test_count:], shuffled[: m - test_count]\n"
            "return X[:, train], X[:, test], Y[:, train], Y[:, test]\n",
            _ids("train_test_split", "examples", "reference"),
        ),
        # Right values, but X and Y come back shuffled.
        "shuffles_in_place": (
            _SPLIT + "X[...] = X[:, shuffled]\nY[...] = Y[:, shuffled]\n"
            "return X[:, test_count:], X[:, :test_count], Y[:, test_count:], Y[:, :test_count]\n",
            _ids("train_test_split", "examples", "reference"),
        ),
    },
}
