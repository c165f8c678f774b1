"""Wrong answers for 04_activations (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


# The reference forward pass of network_forward, with {activations} and {store} for the wrong answers to vary.
_FORWARD = """
activations = {
    "relu": lambda Z: np.maximum(Z, 0),
    "sigmoid": lambda Z: np.where(Z >= 0, 1, np.exp(-np.abs(Z))) / (1 + np.exp(-np.abs(Z))),
    "tanh": np.tanh,
    "linear": lambda Z: Z,
}
cache = {"A0": X}
A = X
for l, layer in enumerate(architecture, start=1):
    Z = batch_forward(A, params[f"W{l}"], params[f"b{l}"], layer=l)
    A = activations[layer["activation"]](Z)
    cache[f"Z{l}"], cache[f"A{l}"] = Z, A
return A, cache
"""

_INIT = """
generator = np.random.default_rng(seed)
params = {}
for l, layer in enumerate(architecture, start=1):
    params[f"W{l}"], params[f"b{l}"] = init_layer(
        layer["input_dim"], layer["output_dim"], method=method, seed=generator, dtype=dtype
    )
return params
"""

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
        # No overflow, and right to an absolute 1e-9: e^-30 is not e^-40.
        "clips_z": ("return 1 / (1 + np.exp(-np.clip(Z, -30, 30)))", _ids("sigmoid", "examples", "reference")),
        # Exact in theory, but 1 + tanh(z/2) cancels to 0 or to a few ulps for very negative z.
        "tanh_form": ("return 0.5 * (1 + np.tanh(np.asarray(Z) / 2))", _ids("sigmoid", "examples", "reference")),
    },
    "tanh_derivative": {
        "tanh_not_squared": ("return 1 - np.tanh(Z)", _ids("tanh_derivative", "examples", "reference")),
        "cosh_overflows": ("return 1 / np.cosh(Z) ** 2", _ids("tanh_derivative", "examples", "reference")),
        "returns_tanh_squared": ("return np.tanh(Z) ** 2", _ids("tanh_derivative", "examples", "reference")),
        "float64_result": (
            "return 1 - np.tanh(np.asarray(Z, dtype=np.float64)) ** 2",
            _ids("tanh_derivative", "examples", "reference"),
        ),
        "tanh_in_place": (
            """
            np.tanh(Z, out=Z)
            return 1 - Z * Z
            """,
            _ids("tanh_derivative", "examples", "reference"),
        ),
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
            _ids("relu_derivative", "examples", "reference"),
        ),
        # Right for floats: an integer array gives an integer result.
        "integer_result": (
            """
            Z = np.asarray(Z)
            return (Z > 0).astype(Z.dtype)
            """,
            _ids("relu_derivative", "examples"),
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
        # Right for alpha <= 1 only.
        "maximum_of_z_and_alpha_z": ("return np.maximum(Z, alpha * Z)", _ids("leaky_relu", "examples")),
        "float64_result": (
            "return np.where(Z > 0, Z, alpha * Z).astype(np.float64)",
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
        "float64_result": (
            "return np.logaddexp(np.asarray(Z, dtype=np.float64), 0)",
            _ids("softplus", "examples", "reference"),
        ),
        "max_term_forgotten": (
            "return np.log1p(np.exp(-np.abs(Z)))",
            _ids("softplus", "examples", "reference"),
        ),
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
        "float64_result": (
            "return np.where(Z > 0, Z, alpha * np.expm1(np.minimum(Z, 0))).astype(np.float64)",
            _ids("elu", "examples", "reference"),
        ),
        # exp(z) - 1 instead of expm1: no overflow, but tiny z loses its digits.
        "exp_minus_one": (
            "return np.where(Z > 0, Z, alpha * (np.exp(np.minimum(Z, 0)) - 1))",
            _ids("elu", "examples", "reference"),
        ),
    },
    "init_network": {
        "new_generator_per_layer": (
            _INIT.replace("seed=generator", "seed=seed"),
            _ids("init_network", "examples", "reference"),
        ),
        # seed=None always gives the same parameters.
        "seed_none_fixed": (
            _INIT.replace("default_rng(seed)", "default_rng(99 if seed is None else seed)"),
            _ids("init_network", "examples"),
        ),
        "layers_numbered_from_zero": (
            _INIT.replace('f"W{l}"], params[f"b{l}"]', 'f"W{l - 1}"], params[f"b{l - 1}"]'),
            _ids("init_network", "examples", "reference"),
        ),
        "dims_swapped": (
            _INIT.replace('layer["input_dim"], layer["output_dim"]', 'layer["output_dim"], layer["input_dim"]'),
            _ids("init_network", "examples", "reference"),
        ),
        "method_and_dtype_ignored": (
            _INIT.replace("method=method, seed=generator, dtype=dtype", "seed=generator"),
            _ids("init_network", "examples", "reference"),
        ),
    },
    "network_forward": {
        "cache_without_A0": (
            _FORWARD.replace('cache = {"A0": X}', "cache = {}"),
            _ids("network_forward", "examples", "reference"),
        ),
        "Z_and_A_swapped_in_the_cache": (
            _FORWARD.replace('cache[f"Z{l}"], cache[f"A{l}"] = Z, A', 'cache[f"Z{l}"], cache[f"A{l}"] = A, Z'),
            _ids("network_forward", "examples", "reference"),
        ),
        "last_activation_everywhere": (
            _FORWARD.replace('activations[layer["activation"]]', 'activations[architecture[-1]["activation"]]'),
            _ids("network_forward", "examples", "reference"),
        ),
        "naive_sigmoid_overflows": (
            _FORWARD.replace(
                '"sigmoid": lambda Z: np.where(Z >= 0, 1, np.exp(-np.abs(Z))) / (1 + np.exp(-np.abs(Z))),',
                '"sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),',
            ),
            _ids("network_forward", "examples", "reference"),
        ),
        # Right values, but b of every layer now holds Z.
        "adds_into_b_in_place": (
            _FORWARD.replace(
                'Z = batch_forward(A, params[f"W{l}"], params[f"b{l}"], layer=l)',
                'Z = params[f"b{l}"]\nZ += params[f"W{l}"] @ A',
            ),
            _ids("network_forward", "examples", "reference"),
        ),
    },
}
