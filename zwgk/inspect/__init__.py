"""`zwgk inspect`: what zwgk reads from one page, and why — for evaluators."""

from zwgk.inspect.page import inspect_html

__all__ = ["inspect_html"]
