"""Inbound order formats as plain Python: no Odoo import.

``parse(format_code, payload, max_bytes)`` turns raw bytes into a plain order
dict (see ``order.py``); ``acknowledgement`` builds the UBL OrderResponse.
"""
from .bounds import DEFAULT_LIMITS, Limits  # noqa: F401
from .errors import DocumentError, Problem  # noqa: F401
from .order import FORMATS, parse  # noqa: F401
