r"""Chapter 8 -- optimizers: momentum, RMSProp and Adam, with one interface.

Each method is a pure *step* function (math only: arrays in, new arrays out) and a class that keeps
the optimizer state between steps (bookkeeping). Every class has ``update(params, grads)``, which
replaces ``params[name]`` using ``grads["d" + name]`` and its own state for that name.

Adam (Kingma & Ba, 2015) keeps two moving averages per parameter, the first moment :math:`m` and
the second moment :math:`v` of the gradient :math:`g`, and corrects their bias toward 0:

.. math::

   m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
   \theta_t = \theta_{t-1} - \eta \frac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon}.
"""

import numpy as np

from nnlib._validation import lookup
from nnlib.gradient_descent import GradientDescent, gradient_descent_step


def momentum_step(param, grad, velocity, learning_rate, beta=0.9):
    r"""Heavy-ball momentum (PyTorch's ``SGD(momentum=beta)``): :math:`v \leftarrow \beta v + g`,
    :math:`\theta \leftarrow \theta - \eta v`.

    param, grad, velocity : arrays of one shape. Returns ``(param, velocity)``, new arrays.
    """
    velocity = beta * velocity + grad
    return param - learning_rate * velocity, velocity


def rmsprop_step(param, grad, square_avg, learning_rate, rho=0.9, eps=1e-8):
    r"""RMSProp: :math:`s \leftarrow \rho s + (1-\rho) g^2`,
    :math:`\theta \leftarrow \theta - \eta\, g / (\sqrt{s} + \epsilon)`.

    param, grad, square_avg : arrays of one shape. Returns ``(param, square_avg)``, new arrays.
    """
    square_avg = rho * square_avg + (1 - rho) * grad * grad
    return param - learning_rate * grad / (np.sqrt(square_avg) + eps), square_avg


def adam_step(param, grad, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One Adam step (Kingma & Ba, 2015) for step number ``t`` (counting from 1).

    param, grad, m, v : arrays of one shape. Returns ``(param, m, v)``, new arrays.
    """
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return param - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v


class Momentum:
    """Gradient descent with momentum; state: one velocity per parameter."""

    def __init__(self, learning_rate=0.01, beta=0.9):
        self.learning_rate, self.beta = learning_rate, beta
        self.velocity = {}

    def update(self, params, grads):
        for name, param in params.items():
            velocity = self.velocity.get(name, np.zeros_like(param))
            params[name], self.velocity[name] = momentum_step(
                param, grads["d" + name], velocity, self.learning_rate, self.beta
            )


class RMSProp:
    """RMSProp; state: a moving average of the squared gradient per parameter."""

    def __init__(self, learning_rate=0.001, rho=0.9, eps=1e-8):
        self.learning_rate, self.rho, self.eps = learning_rate, rho, eps
        self.square_avg = {}

    def update(self, params, grads):
        for name, param in params.items():
            square_avg = self.square_avg.get(name, np.zeros_like(param))
            params[name], self.square_avg[name] = rmsprop_step(
                param, grads["d" + name], square_avg, self.learning_rate, self.rho, self.eps
            )


class Adam:
    """Adam with the paper's defaults; state: the step count ``t`` and moments ``m``, ``v`` per parameter."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.t = 0
        self.m, self.v = {}, {}

    def update(self, params, grads):
        self.t += 1
        for name, param in params.items():
            m = self.m.get(name, np.zeros_like(param))
            v = self.v.get(name, np.zeros_like(param))
            params[name], self.m[name], self.v[name] = adam_step(
                param, grads["d" + name], m, v, self.t, self.learning_rate, self.beta1, self.beta2, self.eps
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
