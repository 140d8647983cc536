"""Plain-Python reading of contact files (no Odoo import): CSV (Outlook or mapped) and vCard."""
