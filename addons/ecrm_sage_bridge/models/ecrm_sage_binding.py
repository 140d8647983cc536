# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import namedtuple

from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.addons.ecrm_core.models.bulk_insert import insert_rows

from ..sage_formats.account_ref import is_valid_reference
from ..sage_formats.inbound import parse_balances
from .ecrm_sage_balance_snapshot import SnapshotRow

BOUND_MODELS = [("res.partner", "Customer"), ("account.invoice", "Invoice / credit note")]
# A customer's binding as the balances import needs it (``_customer_bindings``).
CustomerBinding = namedtuple("CustomerBinding", "binding_id partner_id on_hold sage_id")


class EcrmSageBinding(models.Model):
    """An Odoo record as Sage knows it: its reference there and what was sent.

    The checksum of the content at the last sync tells an edit in Odoo from a
    re-read. An exported invoice is never sent again: an edit makes the
    binding a conflict for a person to resolve.
    """

    _name = "ecrm.sage.binding"
    _description = "Sage binding"
    _order = "id desc"
    _rec_name = "sage_ref"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, readonly=True, index=True)
    res_model = fields.Selection(BOUND_MODELS, string="Odoo model", required=True, index=True)
    res_id = fields.Integer(string="Odoo record id", required=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, ondelete="set null",
                                 help="The customer, or the invoiced customer of an invoice.")
    invoice_id = fields.Many2one("account.invoice", index=True, ondelete="set null")
    sage_ref = fields.Char(string="Sage reference", required=True, index=True,
                           help="Account reference of a customer, invoice number of an invoice.")
    sage_id = fields.Char(string="Sage API id", help="The id the Sage Business Cloud API gave the record.")
    checksum = fields.Char(string="Checksum at last sync", readonly=True)
    state = fields.Selection(
        [("exported", "In sync"), ("conflict", "Conflict"), ("error", "Error")],
        required=True, default="exported", index=True)
    last_error = fields.Text()
    batch_id = fields.Many2one("ecrm.sage.batch", string="Last batch", ondelete="set null")
    sync_date = fields.Datetime(string="Last sync")
    checked_date = fields.Datetime(string="Last checked", readonly=True,
                                   help="When the record was last found unchanged since its sync.")
    sage_balance = fields.Monetary(readonly=True, currency_field="currency_id")
    sage_credit_limit = fields.Monetary(readonly=True, currency_field="currency_id")
    sage_overdue = fields.Monetary(readonly=True, currency_field="currency_id")
    sage_on_hold = fields.Boolean(readonly=True)
    sage_balance_date = fields.Date(readonly=True)
    currency_id = fields.Many2one(related="backend_id.company_id.currency_id", readonly=True)

    _sql_constraints = [
        ("sage_ref_unique", "unique(backend_id, res_model, sage_ref)",
         "This Sage reference is already bound to another record."),
        ("record_unique", "unique(backend_id, res_model, res_id)",
         "This record is already bound to Sage on this backend."),
    ]

    @api.constrains("sage_ref", "res_model")
    def _check_sage_ref(self):
        for binding in self:
            if binding.res_model == "res.partner" and not is_valid_reference(binding.sage_ref):
                raise ValidationError(_("%r is not a Sage account reference (up to 8 characters "
                                        "A-Z, 0-9).") % binding.sage_ref)

    @api.model
    def create(self, vals):
        binding = super().create(vals)
        self.env["res.partner"]._sage_refresh_ledger(binding._customer_ids())
        return binding

    @api.multi
    def write(self, vals):
        if "sage_ref" in vals:
            vals["sage_ref"] = (vals["sage_ref"] or "").strip().upper()
            if self.filtered(lambda binding: binding.res_model == "account.invoice"):
                raise UserError(_("The Sage reference of an exported invoice is its number; it cannot change."))
        customers_before = self._customer_ids()
        result = super().write(vals)
        self.env["res.partner"]._sage_refresh_ledger(customers_before + self._customer_ids())
        return result

    @api.multi
    def unlink(self):
        customers = self._customer_ids()
        result = super().unlink()
        self.env["res.partner"]._sage_refresh_ledger(customers)
        return result

    @api.multi
    def _customer_ids(self):
        return self.filtered(lambda binding: binding.res_model == "res.partner").mapped("partner_id").ids

    @api.multi
    def action_accept_odoo_version(self):
        """A person decided Sage was corrected by hand: the current content becomes the synced one."""
        for binding in self.filtered(lambda b: b.state == "conflict"):
            checksums = self.env["ecrm.sage.batch"]._invoice_checksums(binding.backend_id, [binding.res_id])
            binding.write({"state": "exported", "last_error": False,
                           "checksum": checksums.get(binding.res_id, binding.checksum)})
        return True

    @api.model
    def _insert_many(self, values_list):
        """Insert bindings with one INSERT from column arrays (an export of 10,000 invoices writes 10,000)."""
        if not values_list:
            return self.browse()
        columns = ["backend_id", "company_id", "res_model", "res_id", "partner_id", "invoice_id", "sage_ref",
                   "sage_id", "checksum", "state", "batch_id", "sync_date"]
        ids = insert_rows(self, {column: [values.get(column) or None for values in values_list]
                                 for column in columns})
        self.env["res.partner"]._sage_refresh_ledger(
            [values["partner_id"] for values in values_list if values["res_model"] == "res.partner"])
        return self.browse(ids)

    @api.model
    def _import_balances(self, backend, data, open_batch):
        """Balances, credit limits and on-hold status from Sage onto the customers' bindings.

        Read first (``data`` None: from the Sage API), then written in the batch ``open_batch()``
        creates (none for a dry run): every Sage call happens before the first write."""
        by_ref = self._customer_bindings(backend)
        if data is None:
            parsed = self.env["ecrm.sage.api.transport"]._balances(backend, by_ref)
        else:
            parsed = parse_balances(data, set(by_ref), backend.sage_company_code)
        if parsed.errors:
            return {"applied": 0, "errors": parsed.errors}
        batch = open_batch()
        if batch:
            self._apply_balances(backend, parsed.records, by_ref, batch, from_file=data is not None)
        return {"applied": len(parsed.records), "errors": [],
                "log": _("%d customer balance(s) updated.") % len(parsed.records)}

    @api.model
    def _customer_bindings(self, backend):
        """account ref -> CustomerBinding, in one query."""
        self.env.cr.execute("""
            SELECT sage_ref, id, partner_id, sage_on_hold, sage_id FROM ecrm_sage_binding
             WHERE backend_id = %s AND res_model = 'res.partner'""", (backend.id,))
        return {ref: CustomerBinding(*values) for ref, *values in self.env.cr.fetchall()}

    @api.model
    def _apply_balances(self, backend, balances, by_ref, batch, from_file=True):
        """One snapshot per customer (the balance history), one UPDATE for the bindings, one for
        the customers, one batch of timeline entries.

        The balances are as at today, or for a file the context's ``sage_balance_date``. The
        binding keeps the latest figures: balances as at an earlier day than the binding's
        own go into the history only.
        """
        Snapshot = self.env["ecrm.sage.balance.snapshot"]
        day = Snapshot._balance_date(from_file)
        values = []
        for balance in balances:
            binding = by_ref[balance.account_ref]
            on_hold = balance.on_hold if balance.on_hold is not None else binding.on_hold or False
            values.append((binding.binding_id, binding.partner_id, balance, on_hold))
        Snapshot._store(backend, day, [
            SnapshotRow(partner_id, balance.account_ref, balance.balance, balance.overdue, balance.credit_limit,
                        on_hold)
            for _binding_id, partner_id, balance, on_hold in values if partner_id], batch)
        updated = execute_values(self.env.cr._obj, """
            UPDATE ecrm_sage_binding b
               SET sage_balance = v.balance, sage_credit_limit = v.credit_limit, sage_overdue = v.overdue,
                   sage_on_hold = v.on_hold, sage_balance_date = v.day::date, batch_id = v.batch_id
              FROM (VALUES %s) AS v (id, balance, credit_limit, overdue, on_hold, day, batch_id)
             WHERE b.id = v.id AND (b.sage_balance_date IS NULL OR b.sage_balance_date <= v.day::date)
         RETURNING b.id""", [
            (binding_id, balance.balance, balance.credit_limit, balance.overdue, on_hold, day, batch.id)
            for binding_id, _partner_id, balance, on_hold in values], page_size=1000, fetch=True)
        updated = {row[0] for row in updated}
        self.invalidate_cache()
        balances = [balance for balance in balances if by_ref[balance.account_ref].binding_id in updated]
        self.env["res.partner"]._sage_refresh_ledger([by_ref[balance.account_ref].partner_id for balance in balances])
        changed = [balance for balance in balances
                   if balance.on_hold is not None and bool(by_ref[balance.account_ref].on_hold) != balance.on_hold]
        rows = [{
            "partner_id": by_ref[balance.account_ref].partner_id, "channel": "ledger", "direction": "inbound",
            "interaction_type": "sage_account_on_hold" if balance.on_hold else "sage_account_released",
            "company_id": backend.company_id.id,
            "subject": (_("Sage put account %s on hold (balance %s)") if balance.on_hold
                        else _("Sage released account %s (balance %s)")) % (balance.account_ref, balance.balance),
        } for balance in changed]
        self.env["ecrm.interaction"]._log_in_pages(rows)
