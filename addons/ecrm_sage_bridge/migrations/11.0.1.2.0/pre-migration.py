# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.2.0: a reconciliation line is unique per backend and customer (the rebuild upserts
them). A customer bound twice on a backend had two lines: keep one, the next rebuild
rewrites it."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        DELETE FROM ecrm_sage_reconciliation_line line USING ecrm_sage_reconciliation_line other
         WHERE line.backend_id = other.backend_id AND line.partner_id = other.partner_id
           AND line.id > other.id""")
