"""Plain-Python rules of the interaction stream (no Odoo import).

The Odoo layer hands over plain dicts and the ids it found in the database;
this package says which rows are acceptable and what a person should fix.
"""
