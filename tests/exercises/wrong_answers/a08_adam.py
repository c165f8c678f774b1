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
            _ids("momentum_step", "examples", "reference"),
        ),
        # The other convention (CS231n): the learning rate inside the velocity.
        "learning_rate_in_the_velocity": (
            """
            velocity = beta * velocity + learning_rate * grad
            return param - velocity, velocity
            """,
            _ids("momentum_step", "examples", "reference"),
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
        "rho_weighs_the_gradient": (
            """
            square_avg = (1 - rho) * square_avg + rho * grad * grad
            return param - learning_rate * grad / (np.sqrt(square_avg) + eps), square_avg
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

_TRAIN = """
X = np.asarray(X)
if X.dtype.kind != "f":
    X = X.astype(np.float64)
Y = np.asarray(Y).astype(X.dtype)
if params is None:
    params = init_network(architecture, seed=seed, method=init, dtype={dtype})
else:
    params = {copy}
cost_function = get_loss(loss).cost
rng = np.random.default_rng(seed)
history = {{"loss": [], "accuracy": []}}
m = X.shape[1]
for epoch in range(1, epochs + 1):
    if batch_size is None or batch_size >= m:
        batches = [np.arange(m)]
    else:
        order = {order}
        batches = [order[start : start + batch_size] for start in range(0, m, batch_size)]
    total_cost = total_correct = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for batch in batches:
            Y_hat, cache = network_forward(X[:, batch], params, architecture)
            cost = cost_function(Y_hat, Y[:, batch])
            if {diverged}:
                raise FloatingPointError(f"Training diverged at epoch {{epoch}}: the cost is {{cost}}.")
            total_cost += cost * len(batch)
            if loss == "binary_cross_entropy":
                total_correct += accuracy(Y_hat, Y[:, batch]) * len(batch)
            grads = network_backward(Y_hat, Y[:, batch], cache, params, architecture, loss=loss)
            if optimizer is None:
                for name in params:
                    params[name] = params[name] {sign} learning_rate * grads["d" + name]
            else:
                optimizer.update(params, grads)
    history["loss"].append(total_cost / m)
    if loss == "binary_cross_entropy":
        history["accuracy"].append(total_correct / m)
if not all(np.isfinite(value).all() for value in params.values()):
    raise FloatingPointError(f"Training diverged at epoch {{epochs}}: a parameter holds NaN or inf.")
return params, history
"""


def _train(
    dtype="X.dtype",
    copy="{name: np.array(value, dtype=X.dtype) for name, value in params.items()}",
    order="rng.permutation(m)",
    diverged="not np.isfinite(cost)",
    sign="-",
):
    return _TRAIN.format(dtype=dtype, copy=copy, order=order, diverged=diverged, sign=sign)


WRONG_ANSWERS["train"] = {
    # The caller's dict is updated: its arrays are rebound to the trained ones.
    "trains_the_callers_params": (_train(copy="params"), _ids("train", "examples", "reference")),
    "climbs_the_gradient": (_train(sign="+"), _ids("train", "examples", "two_moons", "reference")),
    "float64_parameters": (_train(dtype="np.float64"), _ids("train", "examples", "reference")),
    "batches_never_shuffled": (_train(order="np.arange(m)"), _ids("train", "examples", "reference")),
    # +inf is not NaN: the run goes on until inf - inf makes a NaN, epochs later.
    "checks_only_nan": (_train(diverged="np.isnan(cost)"), _ids("train", "examples")),
}
