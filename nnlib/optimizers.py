r"""Chapter 8 -- optimizers: momentum, RMSProp and Adam, with one interface.

Each method is a pure *step* function (math only: arrays in, new arrays out) and a class that keeps
the optimizer state between steps (bookkeeping). Every class has ``update(params, grads)``, which
replaces ``params[name]`` using ``grads["d" + name]`` and its own state for that name. The step functions
check their arguments unless given ``check=False``; a class checks its hyperparameters when it is made and
the gradients once per ``update``, then runs the steps unchecked.

Adam (Kingma & Ba, 2015) keeps two moving averages per parameter, the first moment :math:`m` and
the second moment :math:`v` of the gradient :math:`g`, and corrects their bias toward 0:

.. math::

   m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
   \theta_t = \theta_{t-1} - \eta \frac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon}.
"""

import numpy as np

from nnlib._validation import check_grads, check_number, check_update, lookup
from nnlib.gradient_descent import GradientDescent, gradient_descent_step


def _check_decay(value, name):
    """A moving-average factor: in [0, 1). At 1 the average never moves (Adam's bias correction divides by 0)."""
    return check_number(value, name, low=0, high=1, high_open=True)


def _check_eps(value, zero_allowed=False):
    """eps > 0 for an optimizer: with eps = 0, a parameter whose gradient is 0 gets 0/0 = NaN. The step
    functions, pure formulas, also accept 0 (to check the formula without it)."""
    return check_number(value, "eps", low=0, low_open=not zero_allowed)


def momentum_step(param, grad, velocity, learning_rate, beta=0.9, check=True):
    r"""Heavy-ball momentum (PyTorch's ``SGD(momentum=beta)``): :math:`v \leftarrow \beta v + g`,
    :math:`\theta \leftarrow \theta - \eta v`.

    param, grad, velocity : arrays of one shape; learning_rate > 0; beta in [0, 1).
    Returns ``(param, velocity)``, new arrays. ``check=False`` skips the checks of the arguments.

    Other conventions: the Deep Learning Specialization averages, :math:`v \leftarrow \beta v + (1-\beta) g`,
    so its :math:`v` is :math:`(1-\beta)` times ours and the same step needs a learning rate
    :math:`1/(1-\beta)` = 10 times larger here for beta 0.9; Keras folds the rate into the velocity,
    :math:`v \leftarrow \beta v - \eta g`, :math:`\theta \leftarrow \theta + v`, the same steps as ours
    while the learning rate is constant.
    """
    if check:
        check_update(learning_rate, param, grad, velocity=velocity)
        _check_decay(beta, "beta")
    velocity = beta * velocity + grad
    return param - learning_rate * velocity, velocity


def rmsprop_step(param, grad, square_avg, learning_rate, rho=0.9, eps=1e-8, check=True):
    r"""RMSProp: :math:`s \leftarrow \rho s + (1-\rho) g^2`,
    :math:`\theta \leftarrow \theta - \eta\, g / (\sqrt{s} + \epsilon)`.

    param, grad, square_avg : arrays of one shape; learning_rate > 0; rho in [0, 1); eps >= 0.
    Returns ``(param, square_avg)``, new arrays. ``check=False`` skips the checks of the arguments.

    Other conventions: eps is added *outside* the square root, as in PyTorch's ``RMSprop`` (whose default
    decay is ``alpha=0.99``, not 0.9, and default learning rate 0.01) and the Deep Learning Specialization;
    Keras adds it *inside*, :math:`g / \sqrt{s + \epsilon}`, with ``rho=0.9`` and ``epsilon=1e-7``.
    """
    if check:
        check_update(learning_rate, param, grad, square_avg=square_avg)
        _check_decay(rho, "rho")
        _check_eps(eps, zero_allowed=True)
    square_avg = rho * square_avg + (1 - rho) * grad * grad
    return param - learning_rate * grad / (np.sqrt(square_avg) + eps), square_avg


def adam_step(param, grad, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8, check=True):
    r"""One Adam step (Kingma & Ba, 2015) for step number ``t`` (counting from 1).

    param, grad, m, v : arrays of one shape; t : int >= 1; learning_rate > 0; beta1, beta2 in [0, 1);
    eps >= 0 (the classes want eps > 0). Returns ``(param, m, v)``, new arrays. ``check=False`` skips the checks
    of the arguments.

    Other conventions: PyTorch's ``Adam`` and the Deep Learning Specialization use this form and these
    defaults; Keras uses the paper's "epsilon hat" form, :math:`\eta \sqrt{1-\beta_2^t}/(1-\beta_1^t) \cdot
    m / (\sqrt{v} + \hat\epsilon)`, with ``epsilon=1e-7``; the two differ only while :math:`\sqrt{\hat v}`
    is as small as eps.
    """
    if check:
        check_update(learning_rate, param, grad, m=m, v=v)
        check_number(t, "t", low=1, integer=True)
        _check_decay(beta1, "beta1")
        _check_decay(beta2, "beta2")
        _check_eps(eps, zero_allowed=True)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return param - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v


class Momentum:
    """Gradient descent with momentum (see :func:`momentum_step`); state: one velocity per parameter.

    Defaults: ``learning_rate=0.01``, ``beta=0.9``. ``reset()`` forgets the state; ``has_state()`` says
    whether there is any (``nnlib.training.train`` refuses an optimizer that still has state).
    """

    def __init__(self, learning_rate=0.01, beta=0.9):
        self.learning_rate = check_number(learning_rate, "learning_rate", low=0, low_open=True)
        self.beta = _check_decay(beta, "beta")
        self.reset()

    def reset(self):
        self.velocity = {}

    def has_state(self):
        return bool(self.velocity)

    def update(self, params, grads):
        check_grads(params, grads, self.learning_rate)
        for name, param in params.items():
            velocity = self.velocity.get(name, np.zeros_like(param))
            params[name], self.velocity[name] = momentum_step(
                param, grads["d" + name], velocity, self.learning_rate, self.beta, check=False
            )


class RMSProp:
    """RMSProp (see :func:`rmsprop_step`); state: a moving average of the squared gradient per parameter.

    Defaults: ``learning_rate=0.001``, ``rho=0.9``, ``eps=1e-8`` (PyTorch: 0.01, 0.99, 1e-8). ``reset()`` and
    ``has_state()`` as in :class:`Momentum`.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, eps=1e-8):
        self.learning_rate = check_number(learning_rate, "learning_rate", low=0, low_open=True)
        self.rho, self.eps = _check_decay(rho, "rho"), _check_eps(eps)
        self.reset()

    def reset(self):
        self.square_avg = {}

    def has_state(self):
        return bool(self.square_avg)

    def update(self, params, grads):
        check_grads(params, grads, self.learning_rate)
        for name, param in params.items():
            square_avg = self.square_avg.get(name, np.zeros_like(param))
            params[name], self.square_avg[name] = rmsprop_step(
                param, grads["d" + name], square_avg, self.learning_rate, self.rho, self.eps, check=False
            )


class Adam:
    """Adam (see :func:`adam_step`); state: the step count ``t`` and moments ``m``, ``v`` per parameter.

    Defaults, the paper's and PyTorch's: ``learning_rate=0.001``, ``beta1=0.9``, ``beta2=0.999``, ``eps=1e-8``.
    ``reset()`` and ``has_state()`` as in :class:`Momentum`.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.learning_rate = check_number(learning_rate, "learning_rate", low=0, low_open=True)
        self.beta1, self.beta2 = _check_decay(beta1, "beta1"), _check_decay(beta2, "beta2")
        self.eps = _check_eps(eps)
        self.reset()

    def reset(self):
        self.t = 0
        self.m, self.v = {}, {}

    def has_state(self):
        return self.t > 0

    def update(self, params, grads):
        check_grads(params, grads, self.learning_rate)
        self.t += 1
        for name, param in params.items():
            m = self.m.get(name, np.zeros_like(param))
            v = self.v.get(name, np.zeros_like(param))
            params[name], self.m[name], self.v[name] = adam_step(
                param,
                grads["d" + name],
                m,
                v,
                self.t,
                self.learning_rate,
                self.beta1,
                self.beta2,
                self.eps,
                check=False,
            )


OPTIMIZERS = {"gradient_descent": GradientDescent, "momentum": Momentum, "rmsprop": RMSProp, "adam": Adam}


def get_optimizer(name, **hyperparameters):
    """Build the optimizer called ``name`` with the given hyperparameters; an unknown name raises
    ``ValueError`` listing the valid ones."""
    return lookup(OPTIMIZERS, name, "optimizer")(**hyperparameters)


__all__ = [
    "Adam",
    "GradientDescent",
    "Momentum",
    "OPTIMIZERS",
    "RMSProp",
    "adam_step",
    "get_optimizer",
    "gradient_descent_step",
    "momentum_step",
    "rmsprop_step",
]
