"""Campaign maths on plain data: ROI forecast and actuals, frequency cap, step eligibility.

No Odoo import here; the Odoo layer maps records to these inputs and back.
"""
