"""Equity Exchange: where public health departments learn from each other's equity work."""

__version__ = "0.1.0"
