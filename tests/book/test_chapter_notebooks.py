"""Every chapter runs from the top in a fresh kernel and prints what the book shows (nbval).

This module holds no test functions: conftest.py collects it as one nbval notebook per chapters/NN_*.md (see
the docstring there). Run one chapter with ``pytest tests/book -k 03_vectorization``.
"""
