# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

LEDGER_FIELDS = ("sage_account_ref", "sage_balance", "sage_overdue", "sage_credit_limit", "sage_on_hold",
                 "sage_credit_status", "sage_balance_date")
STAFF = "ecrm_core.group_ecrm_user"


class ResPartner(models.Model):
    """The ledger picture sales staff see: what Sage says about the customer.

    Stored, so staff can filter and group customers on it; copied from the
    customer's binding (and onto its contacts) by ``_sage_refresh_ledger``
    whenever a sync changes the bindings. A customer bound on several
    backends shows the one whose balance Sage reported last.
    """

    _inherit = "res.partner"

    # ledger figures are eCRM staff's (README "Access"): refused to portal users and plain employees
    sage_binding_ids = fields.One2many("ecrm.sage.binding", "partner_id", string="Sage bindings",
                                       domain=[("res_model", "=", "res.partner")], groups=STAFF)
    sage_account_ref = fields.Char(string="Sage account", readonly=True, index=True, copy=False, groups=STAFF)
    sage_balance = fields.Monetary(string="Ledger balance", readonly=True, copy=False, groups=STAFF)
    sage_overdue = fields.Monetary(string="Overdue", readonly=True, copy=False, groups=STAFF)
    sage_credit_limit = fields.Monetary(string="Sage credit limit", readonly=True, copy=False, groups=STAFF)
    sage_on_hold = fields.Boolean(string="On hold in Sage", readonly=True, index=True, copy=False, groups=STAFF)
    sage_credit_status = fields.Selection(
        [("none", "Not in Sage"), ("ok", "Within limit"), ("over_limit", "Over credit limit"),
         ("on_hold", "On hold")], string="Credit status", default="none", readonly=True, index=True, copy=False,
        groups=STAFF)
    sage_balance_date = fields.Date(string="Ledger balance of", readonly=True, copy=False, groups=STAFF)

    @api.model
    def _sage_refresh_ledger(self, partner_ids):
        """Copy the ledger figures of these customers' bindings onto them and their contacts.

        One UPDATE whatever the number of customers; a customer no longer bound
        on an active backend goes back to 'Not in Sage'.
        """
        partner_ids = tuple(set(partner_ids or ()))
        if not partner_ids:
            return
        self.env.cr.execute("""
            WITH ledger AS (
                SELECT DISTINCT ON (b.partner_id) b.partner_id, b.sage_ref,
                       COALESCE(b.sage_balance, 0) AS balance, COALESCE(b.sage_overdue, 0) AS overdue,
                       COALESCE(b.sage_credit_limit, 0) AS credit_limit, COALESCE(b.sage_on_hold, FALSE) AS on_hold,
                       b.sage_balance_date
                  FROM ecrm_sage_binding b JOIN ecrm_sage_backend backend ON backend.id = b.backend_id
                 WHERE b.res_model = 'res.partner' AND b.partner_id IN %(ids)s AND backend.active
                 ORDER BY b.partner_id, b.sage_balance_date DESC NULLS LAST, b.id DESC)
            UPDATE res_partner p
               SET sage_account_ref = ledger.sage_ref, sage_balance = ledger.balance,
                   sage_overdue = ledger.overdue, sage_credit_limit = ledger.credit_limit,
                   sage_on_hold = COALESCE(ledger.on_hold, FALSE), sage_balance_date = ledger.sage_balance_date,
                   sage_credit_status = CASE WHEN ledger.sage_ref IS NULL THEN 'none'
                                             WHEN ledger.on_hold THEN 'on_hold'
                                             WHEN ledger.credit_limit > 0 AND ledger.balance > ledger.credit_limit
                                                  THEN 'over_limit'
                                             ELSE 'ok' END
              FROM res_partner customer LEFT JOIN ledger ON ledger.partner_id = customer.id
             WHERE customer.id IN %(ids)s AND p.commercial_partner_id = customer.id""", {"ids": partner_ids})
        self.invalidate_cache(fnames=list(LEDGER_FIELDS))
