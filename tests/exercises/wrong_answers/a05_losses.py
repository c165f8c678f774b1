"""Wrong answers for 05_losses (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


WRONG_ANSWERS = {
    "binary_cross_entropy_loss": {
        "no_clipping": (
            "return -(Y * np.log(Y_hat) + (1 - Y) * np.log(1 - Y_hat))",
            _ids("binary_cross_entropy_loss", "examples", "reference"),
        ),
        "clips_with_1e_15": (
            """
            P = np.clip(Y_hat, 1e-15, 1 - 1e-15)
            return -(Y * np.log(P) + (1 - Y) * np.log1p(-P))
            """,
            _ids("binary_cross_entropy_loss", "examples", "reference"),
        ),
        "float64_eps_for_float32": (
            """
            eps = np.finfo(np.float64).eps
            P = np.clip(Y_hat, eps, 1 - eps)
            return -(Y * np.log(P) + (1 - Y) * np.log1p(-P))
            """,
            # np.clip with Python-float bounds returns float64, and 1 - eps rounds to 1.0 in float32.
            _ids("binary_cross_entropy_loss", "examples", "reference"),
        ),
        "roles_swapped": (
            """
            eps = np.finfo(Y_hat.dtype).eps
            P = np.clip(Y_hat, eps, 1 - eps)
            return -(Y * np.log1p(-P) + (1 - Y) * np.log(P))
            """,
            _ids("binary_cross_entropy_loss", "examples", "reference"),
        ),
        # Y is not converted: float64 labels turn float32 predictions' losses into float64.
        "labels_dtype_wins": (
            """
            eps = np.finfo(Y_hat.dtype).eps
            P = np.clip(Y_hat, eps, 1 - eps)
            return -(Y * np.log(P) + (1 - Y) * np.log1p(-P))
            """,
            _ids("binary_cross_entropy_loss", "examples", "reference"),
        ),
    },
    "binary_cross_entropy": {
        "sum_not_mean": (
            """
            eps = np.finfo(Y_hat.dtype).eps
            P = np.clip(Y_hat, eps, 1 - eps)
            return float(-(Y * np.log(P) + (1 - Y) * np.log1p(-P)).sum())
            """,
            _ids("binary_cross_entropy", "examples", "reference"),
        ),
        "no_clipping": (
            "return float(-np.mean(Y * np.log(Y_hat) + (1 - Y) * np.log(1 - Y_hat)))",
            _ids("binary_cross_entropy", "examples", "reference"),
        ),
        "returns_a_1x1_array": (
            """
            eps = np.finfo(Y_hat.dtype).eps
            P = np.clip(Y_hat, eps, 1 - eps)
            return -(Y * np.log(P) + (1 - Y) * np.log1p(-P)).mean(axis=1, keepdims=True)
            """,
            _ids("binary_cross_entropy", "examples", "reference"),
        ),
        "clips_with_1e_15": (
            """
            P = np.clip(Y_hat, 1e-15, 1 - 1e-15)
            return float(-(Y * np.log(P) + (1 - Y) * np.log1p(-P)).mean())
            """,
            _ids("binary_cross_entropy", "examples", "reference"),
        ),
        # A float32 cost computed in float64: predictions of exactly 0 or 1 are clipped with float64's eps.
        "float32_cost_in_float64": (
            """
            P = np.asarray(Y_hat, dtype=np.float64)
            eps = np.finfo(P.dtype).eps
            P = np.clip(P, eps, 1 - eps)
            return float(-(Y * np.log(P) + (1 - Y) * np.log1p(-P)).mean())
            """,
            _ids("binary_cross_entropy", "examples", "reference"),
        ),
    },
    "binary_cross_entropy_gradient": {
        "missing_one_over_m": (
            """
            eps = np.finfo(Y_hat.dtype).eps
            P = np.clip(Y_hat, eps, 1 - eps)
            return (P - Y) / (P * (1 - P))
            """,
            _ids("binary_cross_entropy_gradient", "examples", "reference"),
        ),
        "sign_flipped": (
            """
            eps = np.finfo(Y_hat.dtype).eps
            P = np.clip(Y_hat, eps, 1 - eps)
            return (Y / P - (1 - Y) / (1 - P)) / Y.shape[1]
            """,
            _ids("binary_cross_entropy_gradient", "examples", "reference"),
        ),
        "no_clipping": (
            "return ((1 - Y) / (1 - Y_hat) - Y / Y_hat) / Y.shape[1]",
            _ids("binary_cross_entropy_gradient", "examples", "reference"),
        ),
        "float64_result": (
            """
            P = np.clip(np.asarray(Y_hat, dtype=np.float64), 2.220446049250313e-16, 1 - 2.220446049250313e-16)
            return (P - Y) / (P * (1 - P)) / Y.shape[1]
            """,
            _ids("binary_cross_entropy_gradient", "examples", "reference"),
        ),
        "labels_dtype_wins": (
            """
            eps = np.finfo(Y_hat.dtype).eps
            P = np.clip(Y_hat, eps, 1 - eps)
            return (P - Y) / (P * (1 - P)) / Y.shape[1]
            """,
            _ids("binary_cross_entropy_gradient", "examples", "reference"),
        ),
    },
    "sigmoid_binary_cross_entropy_gradient": {
        "missing_one_over_m": ("return A - Y", _ids("sigmoid_binary_cross_entropy_gradient", "examples", "reference")),
        "sign_flipped": (
            "return (Y - A) / Y.shape[1]",
            _ids("sigmoid_binary_cross_entropy_gradient", "examples", "reference"),
        ),
        "chain_rule_through_the_division": (
            "return (A - Y) / (A * (1 - A)) * (A * (1 - A)) / Y.shape[1]",
            _ids("sigmoid_binary_cross_entropy_gradient", "examples", "reference"),
        ),
        "float64_result": (
            "return (A.astype(np.float64) - Y) / Y.shape[1]",
            _ids("sigmoid_binary_cross_entropy_gradient", "examples", "reference"),
        ),
        "labels_dtype_wins": (
            "return (A - Y) / Y.shape[1]",
            _ids("sigmoid_binary_cross_entropy_gradient", "examples", "reference"),
        ),
    },
    "mean_squared_error": {
        "no_one_half": (
            "return float(((Y_hat - Y) ** 2).sum() / Y.shape[1])",
            _ids("mean_squared_error", "examples", "reference"),
        ),
        "mean_over_all_entries": (
            "return float(0.5 * np.mean((Y_hat - Y) ** 2))",
            _ids("mean_squared_error", "examples", "reference"),
        ),
        "pytorch_convention": (
            "return float(np.mean((Y_hat - Y) ** 2))",
            _ids("mean_squared_error", "examples", "reference"),
        ),
        "divides_by_the_rows": (
            "return float(0.5 * ((Y_hat - Y) ** 2).sum() / Y.shape[0])",
            _ids("mean_squared_error", "examples", "reference"),
        ),
        "norm_not_squared": (
            "return float(0.5 * np.linalg.norm(Y_hat - Y) / Y.shape[1])",
            _ids("mean_squared_error", "examples", "reference"),
        ),
    },
    "accuracy": {
        "tie_counts_as_one": (
            "return float(((Y_hat >= threshold) == (Y > 0.5)).mean())",
            _ids("accuracy", "examples", "reference"),
        ),
        "threshold_ignored": (
            "return float(((Y_hat > 0.5) == (Y > 0.5)).mean())",
            _ids("accuracy", "examples", "reference"),
        ),
        "count_not_fraction": (
            "return int(((Y_hat > threshold) == (Y > 0.5)).sum())",
            _ids("accuracy", "examples", "reference"),
        ),
        # Rounding ignores the threshold (and rounds a half to even).
        "rounds_the_predictions": (
            "return float((np.round(Y_hat) == Y).mean())",
            _ids("accuracy", "examples", "reference"),
        ),
        "one_value_per_example": (
            "return ((Y_hat > threshold) == (Y > 0.5)).mean(axis=0)",
            _ids("accuracy", "examples", "reference"),
        ),
    },
}
