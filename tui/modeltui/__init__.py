"""modeltui: route each prompt to the cheapest good-enough model, stream it, log what it cost."""

__version__ = "0.1.0"
