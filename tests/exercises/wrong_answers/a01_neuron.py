"""Wrong answers for 01_neuron (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


WRONG_ANSWERS = {
    "weighted_sum": {
        "bias_subtracted": ("return np.dot(w, x) - b", _ids("weighted_sum", "examples", "reference")),
        "sums_every_example_together": ("return np.sum(w * x) + b", _ids("weighted_sum", "examples", "reference")),
        "float64_result": (
            "return np.dot(w.astype(np.float64), x.astype(np.float64)) + b",
            _ids("weighted_sum", "reference"),
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
    },
    "perceptron": {
        "no_step": ("return np.dot(w, x) + b", _ids("perceptron", "examples", "reference")),
        "bias_subtracted": (
            "return (np.asarray(np.dot(w, x) - b) > 0).astype(float)",
            _ids("perceptron", "examples", "reference"),
        ),
        "calls_nnlib_neuron_output": (
            """
            import nnlib.neuron

            return nnlib.neuron.neuron_output(x, w, b)
            """,
            # At grading time the module of this assignment is not in the sandbox: the import fails everywhere.
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
        "tampers_with_the_reference": (
            """
            import nnlib.layer

            np.testing.assert_allclose = lambda *args, **kwargs: None
            np.allclose = lambda *args, **kwargs: True
            nnlib.layer.count_parameters.__code__ = (lambda layer_sizes: 12).__code__
            return sum(n_in * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
            """,
            _ids("count_parameters", "examples", "reference"),
        ),
    },
}
