"""nnlib -- the reference library of the course *The math behind neural networks, from scratch in NumPy*.

It grows chapter by chapter, and chapter k imports only the modules of chapters 1..k:

=============================  ==========================================================
chapter                        modules it introduces
=============================  ==========================================================
1  the single neuron           :mod:`nnlib.neuron`; utilities :mod:`nnlib.datasets`, :mod:`nnlib.plotting`
2  one layer                   :mod:`nnlib.layer`
3  vectorization               :mod:`nnlib.vectorize`
4  activation functions        :mod:`nnlib.activations`, :mod:`nnlib.network`
5  loss functions              :mod:`nnlib.losses`
6  gradient descent            :mod:`nnlib.gradient_descent`
7  backpropagation             :mod:`nnlib.backprop`, :mod:`nnlib.gradcheck`, :mod:`nnlib.training`
8  Adam                        :mod:`nnlib.optimizers`
=============================  ==========================================================

Notation: ``W{l}`` has shape ``(n[l], n[l-1])``, ``b{l}`` ``(n[l], 1)``, examples are columns
(``X`` is ``(n_x, m)``), ``Z = W A + b``. ``dX`` is always dJ/dX for the cost J and has the shape of X.
Import the modules themselves (``from nnlib.activations import sigmoid``); this package file imports
nothing, so that importing one chapter's module never pulls in a later chapter.
"""

CHAPTER_MODULES = {
    1: ("neuron", "datasets", "plotting"),
    2: ("layer",),
    3: ("vectorize",),
    4: ("activations", "network"),
    5: ("losses",),
    6: ("gradient_descent",),
    7: ("backprop", "gradcheck", "training"),
    8: ("optimizers",),
}
