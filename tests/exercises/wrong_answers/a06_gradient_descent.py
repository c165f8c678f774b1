"""Wrong answers for 06_gradient_descent (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


_MINIMIZE_BODY = """
x = np.array(np.atleast_1d(x0), dtype=np.float64)
path = [x.copy()]
with np.errstate(over="ignore", invalid="ignore"):
    for k in range(1, n_steps + 1):
        x = x - learning_rate * np.reshape(gradient(x), x.shape)
        if not np.isfinite(x).all():
            raise FloatingPointError(f"diverged at step {k}")
        path.append(x.copy())
return np.array(path{slice})
"""

WRONG_ANSWERS = {
    "gradient_descent_step": {
        "climbs_the_gradient": (
            "return param + learning_rate * grad",
            _ids("gradient_descent_step", "examples", "reference"),
        ),
        "modifies_param_in_place": (
            """
            param -= learning_rate * grad
            return param
            """,
            _ids("gradient_descent_step", "examples", "reference"),
        ),
        "float64_result": (
            "return np.asarray(param, dtype=np.float64) - learning_rate * grad",
            _ids("gradient_descent_step", "examples", "reference"),
        ),
        # In-place subtraction on a copy keeps param's dtype: an integer param cannot take a float step.
        "copy_then_subtract_in_place": (
            """
            new_param = np.array(param)
            new_param -= learning_rate * grad
            return new_param
            """,
            _ids("gradient_descent_step", "examples", "reference"),
        ),
        "learning_rate_forgotten": ("return param - grad", _ids("gradient_descent_step", "examples", "reference")),
    },
    "linear_regression_cost": {
        "no_one_half": (
            """
            residual = theta[0] + theta[1] * x - y
            return float(np.mean(residual**2))
            """,
            _ids("linear_regression_cost", "examples", "reference"),
        ),
        "sum_not_mean": (
            """
            residual = theta[0] + theta[1] * x - y
            return float(np.sum(residual**2) / 2)
            """,
            _ids("linear_regression_cost", "examples", "reference"),
        ),
        "intercept_and_slope_swapped": (
            """
            residual = theta[1] + theta[0] * x - y
            return float(residual @ residual / (2 * len(x)))
            """,
            _ids("linear_regression_cost", "examples", "reference"),
        ),
        "square_of_the_mean": (
            """
            residual = theta[0] + theta[1] * x - y
            return float(np.mean(residual) ** 2 / 2)
            """,
            _ids("linear_regression_cost", "examples", "reference"),
        ),
        "absolute_residuals": (
            """
            residual = theta[0] + theta[1] * x - y
            return float(np.abs(residual).sum() / (2 * len(x)))
            """,
            _ids("linear_regression_cost", "examples", "reference"),
        ),
    },
    "linear_regression_gradient": {
        "components_swapped": (
            """
            residual = theta[0] + theta[1] * x - y
            return np.array([(residual * x).mean(), residual.mean()])
            """,
            _ids("linear_regression_gradient", "examples", "reference"),
        ),
        "intercept_and_slope_swapped": (
            """
            residual = theta[1] + theta[0] * x - y
            return np.array([residual.mean(), (residual * x).mean()])
            """,
            _ids("linear_regression_gradient", "examples", "reference"),
        ),
        "wrong_sign": (
            """
            residual = y - theta[0] - theta[1] * x
            return np.array([residual.mean(), (residual * x).mean()])
            """,
            _ids("linear_regression_gradient", "examples", "reference"),
        ),
        "missing_one_over_m": (
            """
            residual = theta[0] + theta[1] * x - y
            return np.array([residual.sum(), (residual * x).sum()])
            """,
            _ids("linear_regression_gradient", "examples", "reference"),
        ),
        "factor_two": (
            """
            residual = theta[0] + theta[1] * x - y
            return 2 * np.array([residual.mean(), (residual * x).mean()])
            """,
            _ids("linear_regression_gradient", "examples", "reference"),
        ),
    },
    "minimize": {
        "path_without_x0": (
            _MINIMIZE_BODY.replace("{slice}", "[1:]"),
            _ids("minimize", "examples", "reference", "learning_rates"),
        ),
        # Correct values, but the overflow is returned as inf/nan instead of raising.
        "no_divergence_check": (
            """
            x = np.array(np.atleast_1d(x0))
            if x.dtype.kind != "f":
                x = x.astype(np.float64)
            path = np.empty((n_steps + 1, x.size), dtype=x.dtype)
            path[0] = x
            with np.errstate(over="ignore", invalid="ignore"):
                for k in range(1, n_steps + 1):
                    x = x - learning_rate * np.reshape(gradient(x), x.shape)
                    path[k] = x
            return path
            """,
            _ids("minimize", "learning_rates"),
        ),
        # Only NaN is checked: a point that runs to +inf (and stays there) is returned.
        "checks_only_nan": (
            """
            x = np.array(np.atleast_1d(x0))
            if x.dtype.kind != "f":
                x = x.astype(np.float64)
            path = np.empty((n_steps + 1, x.size), dtype=x.dtype)
            path[0] = x
            with np.errstate(over="ignore", invalid="ignore"):
                for k in range(1, n_steps + 1):
                    x = x - learning_rate * np.reshape(gradient(x), x.shape)
                    if np.isnan(x).any():
                        raise FloatingPointError(f"diverged at step {k}")
                    path[k] = x
            return path
            """,
            _ids("minimize", "learning_rates"),
        ),
        "always_float64": (
            _MINIMIZE_BODY.replace("{slice}", ""),
            _ids("minimize", "examples", "reference"),
        ),
        "modifies_x0_in_place": (
            """
            x = np.atleast_1d(x0)
            if x.dtype.kind != "f":
                x = x.astype(np.float64)
            path = np.empty((n_steps + 1, x.size), dtype=x.dtype)
            path[0] = x
            with np.errstate(over="ignore", invalid="ignore"):
                for k in range(1, n_steps + 1):
                    x -= learning_rate * np.reshape(gradient(x), x.shape)
                    if not np.isfinite(x).all():
                        raise FloatingPointError(f"diverged at step {k}")
                    path[k] = x
            return path
            """,
            _ids("minimize", "examples", "reference"),
        ),
    },
    "cosine_decay": {
        "linear_schedule": (
            "return final_rate + (initial_rate - final_rate) * (1 - min(step, total_steps) / total_steps)",
            _ids("cosine_decay", "examples", "reference"),
        ),
        "integer_division": (
            """
            progress = min(step, total_steps) // total_steps
            return final_rate + 0.5 * (initial_rate - final_rate) * (1 + np.cos(np.pi * progress))
            """,
            _ids("cosine_decay", "examples", "reference"),
        ),
        "no_clamp_after_the_end": (
            "return final_rate + 0.5 * (initial_rate - final_rate) * (1 + np.cos(np.pi * step / total_steps))",
            _ids("cosine_decay", "examples", "reference"),
        ),
        "a_full_cosine": (
            """
            progress = min(step, total_steps) / total_steps
            return final_rate + 0.5 * (initial_rate - final_rate) * (1 + np.cos(2 * np.pi * progress))
            """,
            _ids("cosine_decay", "examples", "reference"),
        ),
        "final_rate_not_added": (
            """
            progress = min(step, total_steps) / total_steps
            return 0.5 * (initial_rate - final_rate) * (1 + np.cos(np.pi * progress))
            """,
            _ids("cosine_decay", "examples", "reference"),
        ),
    },
}
