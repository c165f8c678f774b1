"""Wrong answers for 04_activations (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


WRONG_ANSWERS = {
    "sigmoid": {
        "naive_overflows": ("return 1 / (1 + np.exp(-Z))", _ids("sigmoid", "examples", "reference")),
        "where_computes_both_branches": (
            """
            Z = np.asarray(Z)
            return np.where(Z >= 0, 1 / (1 + np.exp(-Z)), np.exp(Z) / (1 + np.exp(Z)))
            """,
            _ids("sigmoid", "examples", "reference"),
        ),
        "float64_result": (
            """
            Z = np.asarray(Z, dtype=np.float64)
            exp_neg_abs = np.exp(-np.abs(Z))
            return np.where(Z >= 0, 1, exp_neg_abs) / (1 + exp_neg_abs)
            """,
            _ids("sigmoid", "examples", "reference"),
        ),
    },
    "tanh_derivative": {
        "tanh_not_squared": ("return 1 - np.tanh(Z)", _ids("tanh_derivative", "examples", "reference")),
        "cosh_overflows": ("return 1 / np.cosh(Z) ** 2", _ids("tanh_derivative", "examples", "reference")),
        "returns_tanh_squared": ("return np.tanh(Z) ** 2", _ids("tanh_derivative", "examples", "reference")),
    },
    "relu_derivative": {
        "one_at_zero": (
            "return (np.asarray(Z) >= 0).astype(np.asarray(Z).dtype)",
            _ids("relu_derivative", "examples", "reference"),
        ),
        "boolean_result": ("return np.asarray(Z) > 0", _ids("relu_derivative", "examples", "reference")),
        "float64_result": (
            "return np.where(np.asarray(Z) > 0, 1.0, 0.0)",
            _ids("relu_derivative", "examples", "reference"),
        ),
        "overwrites_Z": (
            """
            Z[Z > 0] = 1
            Z[Z <= 0] = 0
            return Z
            """,
            _ids("relu_derivative", "reference"),
        ),
    },
    "leaky_relu": {
        "alpha_ignored": ("return np.where(Z > 0, Z, 0.01 * Z)", _ids("leaky_relu", "examples", "reference")),
        "alpha_not_times_z": ("return np.where(Z > 0, Z, alpha)", _ids("leaky_relu", "examples", "reference")),
        "scales_Z_in_place": (
            """
            Z[Z < 0] *= alpha
            return Z
            """,
            _ids("leaky_relu", "examples", "reference"),
        ),
    },
    "softplus": {
        "naive_overflows_and_loses_tiny_values": (
            "return np.log(1 + np.exp(Z))",
            _ids("softplus", "examples", "reference", "tiny_values"),
        ),
        "no_overflow_but_log_not_log1p": (
            "return np.maximum(Z, 0) + np.log(1 + np.exp(-np.abs(Z)))",
            _ids("softplus", "tiny_values"),
        ),
        "log1p_but_overflows": ("return np.log1p(np.exp(Z))", _ids("softplus", "examples", "reference")),
    },
    "elu": {
        "where_overflows_in_discarded_branch": (
            "return np.where(Z > 0, Z, alpha * (np.exp(Z) - 1))",
            _ids("elu", "examples", "reference"),
        ),
        "minus_one_forgotten": (
            "return np.where(Z > 0, Z, alpha * np.exp(np.minimum(Z, 0)))",
            _ids("elu", "examples", "reference"),
        ),
        "alpha_ignored": (
            "return np.where(Z > 0, Z, np.expm1(np.minimum(Z, 0)))",
            _ids("elu", "examples", "reference"),
        ),
    },
}
