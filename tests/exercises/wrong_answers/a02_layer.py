"""Wrong answers for 02_layer (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


# The method check of init_layer, shared by the wrong initialisations that get only something else wrong.
_SCALES = """
scales = {"small": 0.1, "xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in)}
if method not in scales:
    raise ValueError(f"Unknown method {method!r}. Valid methods: he, small, xavier.")
generator = np.random.default_rng(seed)
"""

_DRAW_B = """
if method == "small":
    b = (0.1 * generator.standard_normal((n_out, 1))).astype(dtype)
else:
    b = np.zeros((n_out, 1), dtype=dtype)
return W, b
"""

WRONG_ANSWERS = {
    "init_layer": {
        "W_transposed": (
            _SCALES + "W = (scales[method] * generator.standard_normal((n_in, n_out))).astype(dtype)\n" + _DRAW_B,
            _ids("init_layer", "examples", "reference"),
        ),
        "variance_used_as_standard_deviation": (
            _SCALES.replace("np.sqrt(2.0 / (n_in + n_out))", "2.0 / (n_in + n_out)").replace(
                "np.sqrt(2.0 / n_in)", "2.0 / n_in"
            )
            + "W = (scales[method] * generator.standard_normal((n_out, n_in))).astype(dtype)\n"
            + _DRAW_B,
            _ids("init_layer", "examples", "reference"),
        ),
        "b_drawn_before_W": (
            _SCALES
            + """
            b = (0.1 * generator.standard_normal((n_out, 1))).astype(dtype)
            W = (scales[method] * generator.standard_normal((n_out, n_in))).astype(dtype)
            if method != "small":
                b = np.zeros((n_out, 1), dtype=dtype)
            return W, b
            """.replace("            ", ""),
            _ids("init_layer", "examples", "reference"),
        ),
        # seed=None always gives the same weights.
        "seed_none_fixed": (
            _SCALES.replace("default_rng(seed)", "default_rng(0 if seed is None else seed)")
            + "W = (scales[method] * generator.standard_normal((n_out, n_in))).astype(dtype)\n"
            + _DRAW_B,
            _ids("init_layer", "examples"),
        ),
        "draws_float32_directly": (
            _SCALES
            + "W = scales[method] * generator.standard_normal((n_out, n_in), dtype=dtype)\n"
            + "b = 0.1 * generator.standard_normal((n_out, 1), dtype=dtype) if method == 'small' else None\n"
            + "return W, b if b is not None else np.zeros((n_out, 1), dtype=dtype)\n",
            _ids("init_layer", "examples", "reference"),
        ),
    },
    "layer_forward_loop": {
        "no_bias": (
            """
            z = np.zeros((W.shape[0], 1), dtype=np.result_type(x, W, b))
            for j in range(W.shape[0]):
                for i in range(W.shape[1]):
                    z[j, 0] += W[j, i] * x[i, 0]
            return z
            """,
            _ids("layer_forward_loop", "examples", "reference"),
        ),
        "indices_swapped": (
            """
            z = np.zeros((W.shape[0], 1), dtype=np.result_type(x, W, b))
            for j in range(W.shape[0]):
                z[j, 0] = b[j, 0] + sum(W[i, j] * x[i, 0] for i in range(W.shape[1]))
            return z
            """,
            _ids("layer_forward_loop", "examples", "reference"),
        ),
        "float64_result": (
            """
            z = np.zeros((W.shape[0], 1))
            for j in range(W.shape[0]):
                z[j, 0] = b[j, 0] + sum(W[j, i] * x[i, 0] for i in range(W.shape[1]))
            return z
            """,
            _ids("layer_forward_loop", "examples", "reference"),
        ),
        # Accumulates into b itself: right values, but the caller's b is changed.
        "accumulates_into_b": (
            """
            z = b
            for j in range(W.shape[0]):
                for i in range(W.shape[1]):
                    z[j, 0] += W[j, i] * x[i, 0]
            return z
            """,
            _ids("layer_forward_loop", "examples", "reference"),
        ),
        # The dtype of x: an integer x truncates every float result.
        "dtype_of_x": (
            """
            z = np.zeros((W.shape[0], 1), dtype=x.dtype)
            for j in range(W.shape[0]):
                z[j, 0] = b[j, 0] + sum(W[j, i] * x[i, 0] for i in range(W.shape[1]))
            return z
            """,
            _ids("layer_forward_loop", "examples", "reference"),
        ),
    },
    "layer_forward": {
        "W_transposed": ("return W.T @ x + b", _ids("layer_forward", "examples", "reference")),
        "bias_flattened": ("return W @ x + b.ravel()", _ids("layer_forward", "examples", "reference")),
        "float64_result": (
            "return W.astype(np.float64) @ x.astype(np.float64) + b",
            _ids("layer_forward", "examples", "reference"),
        ),
        "adds_into_b_in_place": (
            """
            b += W @ x
            return b
            """,
            _ids("layer_forward", "examples", "reference"),
        ),
        # Right for floats: integer inputs give an integer result.
        "integer_result": ("return W @ x + b", _ids("layer_forward", "examples", "reference")),
    },
}
