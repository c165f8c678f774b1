"""Checks shared by every nbgrader assignment of the course (being written)."""
