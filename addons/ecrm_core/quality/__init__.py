"""Plain-Python data quality (no Odoo import): normalisation, format checks, junk detection, scoring."""
