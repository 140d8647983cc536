"""Sage 50 / Sage Business Cloud formats and rules, in plain Python (no Odoo import).

The Odoo layer maps records to the plain data these functions take and return.
"""
