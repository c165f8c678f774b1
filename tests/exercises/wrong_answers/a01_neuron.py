"""Wrong answers for 01_neuron (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


WRONG_ANSWERS = {
    "weighted_sum": {
        "bias_subtracted": ("return np.dot(w, x) - b", _ids("weighted_sum", "examples", "reference")),
        "sums_every_example_together": ("return np.sum(w * x) + b", _ids("weighted_sum", "examples", "reference")),
        # Right for float inputs: integers give an integer result.
        "integer_result": ("return np.dot(w, x) + b", _ids("weighted_sum", "examples", "reference")),
        "float64_result": (
            "return np.dot(np.asarray(w, dtype=np.float64), np.asarray(x, dtype=np.float64)) + b",
            _ids("weighted_sum", "examples", "reference"),
        ),
        "modifies_w_in_place": (
            """
            z = np.dot(w, x) + b
            w *= 2
            return z
            """,
            _ids("weighted_sum", "examples", "reference"),
        ),
    },
    "step": {
        "fires_at_zero": ("return (np.asarray(z) >= 0).astype(float)", _ids("step", "examples", "reference")),
        "boolean_result": ("return np.asarray(z) > 0", _ids("step", "examples", "reference")),
        "always_float64": ("return np.where(np.asarray(z) > 0, 1.0, 0.0)", _ids("step", "examples", "reference")),
        # Right for floats: an integer array gives an integer result.
        "integer_result": (
            """
            z = np.asarray(z)
            return (z > 0).astype(z.dtype)
            """,
            _ids("step", "examples", "reference"),
        ),
        "overwrites_z": (
            """
            z = np.asarray(z)
            if z.dtype.kind != "f":
                z = z.astype(np.float64)
            z[...] = z > 0
            return z
            """,
            _ids("step", "examples", "reference"),
        ),
    },
    "threshold_neuron": {
        "fires_at_equality": (
            "return (np.asarray(x).sum(axis=0) >= threshold).astype(float)",
            _ids("threshold_neuron", "examples", "reference"),
        ),
        "threshold_sign_flipped": (
            "return (np.asarray(x).sum(axis=0) + threshold > 0).astype(float)",
            _ids("threshold_neuron", "examples", "reference"),
        ),
        "sums_the_whole_batch": (
            "return float(np.sum(x) > threshold)",
            _ids("threshold_neuron", "examples", "reference"),
        ),
        "float64_result": (
            "return (np.asarray(x).sum(axis=0) > threshold).astype(np.float64)",
            _ids("threshold_neuron", "examples", "reference"),
        ),
        # Right for floats: integer inputs give an integer result.
        "dtype_of_x": (
            """
            x = np.asarray(x)
            return (x.sum(axis=0) > threshold).astype(x.dtype)
            """,
            _ids("threshold_neuron", "examples", "reference"),
        ),
    },
    "perceptron": {
        "no_step": ("return np.dot(w, x) + b", _ids("perceptron", "examples", "reference")),
        "bias_subtracted": (
            "return (np.asarray(np.dot(w, x) - b) > 0).astype(float)",
            _ids("perceptron", "examples", "reference"),
        ),
        "fires_at_zero": (
            """
            z = np.asarray(np.dot(w, x) + b)
            return (z >= 0).astype(z.dtype if z.dtype.kind == "f" else np.float64)
            """,
            _ids("perceptron", "examples", "reference"),
        ),
        # Right for floats: integer inputs give an integer result.
        "integer_result": (
            """
            z = np.asarray(np.dot(w, x) + b)
            return (z > 0).astype(z.dtype)
            """,
            _ids("perceptron", "examples", "reference"),
        ),
        # Keeps the dtype of x: float32 x with float64 w gives float32, not float64.
        "dtype_of_x": (
            """
            x = np.asarray(x)
            z = np.dot(w, x) + b
            return (np.asarray(z) > 0).astype(x.dtype if x.dtype.kind == "f" else np.float64)
            """,
            _ids("perceptron", "examples", "reference"),
        ),
    },
    "count_parameters": {
        "weights_only": (
            "return sum(n_in * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))",
            _ids("count_parameters", "examples", "reference"),
        ),
        "input_layer_biases": (
            "return sum(n_in * n_out + n_in for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))",
            _ids("count_parameters", "examples", "reference"),
        ),
        "counts_neurons": (
            "return sum(int(n) for n in layer_sizes)",
            _ids("count_parameters", "examples", "reference"),
        ),
        "float_result": (
            "return float(sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])))",
            _ids("count_parameters", "examples", "reference"),
        ),
        "first_layer_only": (
            "return int(layer_sizes[0] * layer_sizes[1] + layer_sizes[1])",
            _ids("count_parameters", "examples", "reference"),
        ),
    },
}
