"""Plain-Python customer 360 maths (no Odoo import): RFM scores, segments, lifetime value, financial years."""
