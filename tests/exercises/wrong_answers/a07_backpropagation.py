"""Wrong answers for 07_backpropagation (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


WRONG_ANSWERS = {
    "dense_backward": {
        "no_activation_derivative": (
            """
            dZ = dA
            return W.T @ dZ, dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)
            """,
            _ids("dense_backward", "examples", "reference"),
        ),
        "transposed_dW": (
            """
            dZ = dA * get_activation(activation).derivative(Z)
            return W.T @ dZ, A_prev @ dZ.T, dZ.sum(axis=1, keepdims=True)
            """,
            _ids("dense_backward", "examples", "reference"),
        ),
        "db_without_keepdims": (
            """
            dZ = dA * get_activation(activation).derivative(Z)
            return W.T @ dZ, dZ @ A_prev.T, dZ.sum(axis=1)
            """,
            _ids("dense_backward", "examples", "reference"),
        ),
        "divides_by_m_again": (
            """
            m = A_prev.shape[1]
            dZ = dA * get_activation(activation).derivative(Z)
            return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m
            """,
            _ids("dense_backward", "examples", "reference"),
        ),
        "dA_prev_from_dA": (
            """
            dZ = dA * get_activation(activation).derivative(Z)
            return W.T @ dA, dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)
            """,
            _ids("dense_backward", "examples", "reference"),
        ),
    },
    "network_backward": {
        "missing_one_over_m": (
            """
            n_layers = len(architecture)
            dZ = Y_hat - Y
            grads = {}
            for l in range(n_layers, 0, -1):
                grads[f"dW{l}"] = dZ @ cache[f"A{l - 1}"].T
                grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)
                if l > 1:
                    g = get_activation(architecture[l - 2]["activation"])
                    dZ = (params[f"W{l}"].T @ dZ) * g.derivative(cache[f"Z{l - 1}"])
            return grads
            """,
            _ids("network_backward", "examples", "reference"),
        ),
        "activation_of_the_wrong_layer": (
            """
            n_layers = len(architecture)
            dZ = sigmoid_binary_cross_entropy_gradient(Y_hat, Y)
            grads = {}
            for l in range(n_layers, 0, -1):
                grads[f"dW{l}"] = dZ @ cache[f"A{l - 1}"].T
                grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)
                if l > 1:
                    g = get_activation(architecture[l - 1]["activation"])
                    dZ = (params[f"W{l}"].T @ dZ) * g.derivative(cache[f"Z{l - 1}"])
            return grads
            """,
            _ids("network_backward", "examples", "reference"),
        ),
        # Right for a sigmoid output with cross-entropy (the visible test), wrong for every other pair.
        "always_the_fused_gradient": (
            """
            n_layers = len(architecture)
            dZ = (Y_hat - Y) / Y.shape[1]
            grads = {}
            for l in range(n_layers, 0, -1):
                grads[f"dW{l}"] = dZ @ cache[f"A{l - 1}"].T
                grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)
                if l > 1:
                    g = get_activation(architecture[l - 2]["activation"])
                    dZ = (params[f"W{l}"].T @ dZ) * g.derivative(cache[f"Z{l - 1}"])
            return grads
            """,
            _ids("network_backward", "examples", "reference"),
        ),
        "dW_from_the_layers_own_output": (
            """
            n_layers = len(architecture)
            dZ = sigmoid_binary_cross_entropy_gradient(Y_hat, Y)
            grads = {}
            for l in range(n_layers, 0, -1):
                grads[f"dW{l}"] = dZ @ cache[f"A{l}"].T
                grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True)
                if l > 1:
                    g = get_activation(architecture[l - 2]["activation"])
                    dZ = (params[f"W{l}"].T @ dZ) * g.derivative(cache[f"Z{l - 1}"])
            return grads
            """,
            _ids("network_backward", "examples", "reference"),
        ),
        "db_without_keepdims": (
            """
            n_layers = len(architecture)
            dZ = sigmoid_binary_cross_entropy_gradient(Y_hat, Y)
            grads = {}
            for l in range(n_layers, 0, -1):
                grads[f"dW{l}"] = dZ @ cache[f"A{l - 1}"].T
                grads[f"db{l}"] = dZ.sum(axis=1)
                if l > 1:
                    g = get_activation(architecture[l - 2]["activation"])
                    dZ = (params[f"W{l}"].T @ dZ) * g.derivative(cache[f"Z{l - 1}"])
            return grads
            """,
            _ids("network_backward", "examples", "reference"),
        ),
    },
    "numerical_gradient": {
        "forward_difference": (
            """
            x = np.array(x, dtype=np.float64)
            f_x = f(x)
            grad = np.empty_like(x)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original + h
                grad[index] = (f(x) - f_x) / h
                x[index] = original
            return grad
            """,
            _ids("numerical_gradient", "examples", "reference"),
        ),
        "never_restores_x": (
            """
            x = np.asarray(x, dtype=np.float64)
            grad = np.empty_like(x)
            for index in np.ndindex(x.shape):
                x[index] += h
                f_plus = f(x)
                x[index] -= 2 * h
                grad[index] = (f_plus - f(x)) / (2 * h)
            return grad
            """,
            _ids("numerical_gradient", "examples", "reference"),
        ),
        "keeps_float32": (
            """
            x = np.array(x)
            grad = np.empty_like(x)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original + h
                f_plus = f(x)
                x[index] = original - h
                f_minus = f(x)
                x[index] = original
                grad[index] = (f_plus - f_minus) / (2 * h)
            return grad
            """,
            _ids("numerical_gradient", "examples", "reference"),
        ),
        "divides_by_h": (
            """
            x = np.array(x, dtype=np.float64)
            grad = np.empty_like(x)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original + h
                f_plus = f(x)
                x[index] = original - h
                f_minus = f(x)
                x[index] = original
                grad[index] = (f_plus - f_minus) / h
            return grad
            """,
            _ids("numerical_gradient", "examples", "reference"),
        ),
        "ignores_h": (
            """
            x = np.array(x, dtype=np.float64)
            grad = np.empty_like(x)
            for index in np.ndindex(x.shape):
                original = x[index]
                x[index] = original + 1e-6
                f_plus = f(x)
                x[index] = original - 1e-6
                f_minus = f(x)
                x[index] = original
                grad[index] = (f_plus - f_minus) / 2e-6
            return grad
            """,
            _ids("numerical_gradient", "examples", "reference"),
        ),
    },
    "relative_error": {
        "absolute_error": (
            "return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - b))",
            _ids("relative_error", "examples", "reference"),
        ),
        "norm_of_the_sum": (
            """
            a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
            denominator = np.linalg.norm(a + b)
            return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)
            """,
            _ids("relative_error", "examples", "reference"),
        ),
        "nan_for_two_zeros": (
            """
            a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
            with np.errstate(invalid="ignore"):
                return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
            """,
            _ids("relative_error", "examples", "reference"),
        ),
        # float32 norms of tiny arrays underflow: 0 / 0 is reported as "equal".
        "computed_in_float32": (
            """
            a, b = np.asarray(a), np.asarray(b)
            denominator = np.linalg.norm(a) + np.linalg.norm(b)
            return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)
            """,
            _ids("relative_error", "examples", "reference"),
        ),
        "divides_by_the_larger_norm": (
            """
            a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
            denominator = max(np.linalg.norm(a), np.linalg.norm(b))
            return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)
            """,
            _ids("relative_error", "examples", "reference"),
        ),
    },
}
