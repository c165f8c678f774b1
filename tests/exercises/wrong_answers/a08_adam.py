"""Wrong answers for 08_adam (format: exercises/AUTHORING.md).

Per graded function: name -> (replacement solution body, the grade ids it must lose).
"""


def _ids(function, *kinds):
    return {f"test_{function}_{kind}" for kind in kinds}


WRONG_ANSWERS = {
    "momentum_step": {
        "velocity_as_a_mean": (
            """
            velocity = beta * velocity + (1 - beta) * grad
            return param - learning_rate * velocity, velocity
            """,
            _ids("momentum_step", "examples", "reference"),
        ),
        "steps_along_the_old_velocity": (
            "return param - learning_rate * velocity, beta * velocity + grad",
            _ids("momentum_step", "examples", "reference"),
        ),
        "velocity_updated_in_place": (
            """
            velocity *= beta
            velocity += grad
            return param - learning_rate * velocity, velocity.copy()
            """,
            _ids("momentum_step", "examples", "reference"),
        ),
        "float64_result": (
            """
            velocity = beta * velocity.astype(np.float64) + grad
            return param - learning_rate * velocity, velocity
            """,
            _ids("momentum_step", "reference"),
        ),
    },
    "rmsprop_step": {
        "eps_inside_the_root": (
            """
            square_avg = rho * square_avg + (1 - rho) * grad * grad
            return param - learning_rate * grad / np.sqrt(square_avg + eps), square_avg
            """,
            _ids("rmsprop_step", "examples", "reference"),
        ),
        "gradient_not_squared": (
            """
            square_avg = rho * square_avg + (1 - rho) * grad
            return param - learning_rate * grad / (np.sqrt(np.abs(square_avg)) + eps), square_avg
            """,
            _ids("rmsprop_step", "examples", "reference"),
        ),
        "divides_by_the_average": (
            """
            square_avg = rho * square_avg + (1 - rho) * grad * grad
            return param - learning_rate * grad / (square_avg + eps), square_avg
            """,
            _ids("rmsprop_step", "examples", "reference"),
        ),
        "average_updated_in_place": (
            """
            square_avg *= rho
            square_avg += (1 - rho) * grad * grad
            return param - learning_rate * grad / (np.sqrt(square_avg) + eps), square_avg.copy()
            """,
            _ids("rmsprop_step", "examples", "reference"),
        ),
    },
    "adam_step": {
        # Adam still trains the two moons without the correction: only the step values are wrong.
        "no_bias_correction": (
            """
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            return param - learning_rate * m / (np.sqrt(v) + eps), m, v
            """,
            _ids("adam_step", "examples", "reference"),
        ),
        "t_counted_from_zero": (
            """
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat = m / (1 - beta1 ** (t - 1))
            v_hat = v / (1 - beta2 ** (t - 1))
            return param - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v
            """,
            _ids("adam_step", "examples", "reference", "two_moons"),
        ),
        "eps_inside_the_root": (
            """
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
            return param - learning_rate * m_hat / np.sqrt(v_hat + eps), m, v
            """,
            _ids("adam_step", "examples", "reference"),
        ),
        "climbs_the_gradient": (
            """
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat = m / (1 - beta1**t)
            v_hat = v / (1 - beta2**t)
            return param + learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v
            """,
            _ids("adam_step", "examples", "reference", "two_moons"),
        ),
        # np.power returns a NumPy float64 scalar, which promotes float32 arrays: float32 training becomes float64.
        "float64_result": (
            """
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            m_hat = m / (1 - np.power(beta1, t))
            v_hat = v / (1 - np.power(beta2, t))
            return param - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v
            """,
            _ids("adam_step", "reference", "two_moons"),
        ),
    },
}
