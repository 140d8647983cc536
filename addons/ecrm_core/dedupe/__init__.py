"""Plain-Python duplicate detection (no Odoo import): blocking keys, pair scoring, grouping."""
