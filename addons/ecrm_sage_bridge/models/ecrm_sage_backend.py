# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import binascii

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..sage_formats.audit_trail import NOMINAL_CODE
from .ecrm_sage_batch import SageWork, import_result

EXPORT_KINDS = ("customers", "invoices")
IMPORT_KINDS = ("receipts", "balances")
DEFAULT_IMPORT_MAX_MB = 5
OUTBOUND = [("odoo_to_sage", "Odoo to Sage"), ("none", "Not synchronised")]
INBOUND = [("sage_to_odoo", "Sage to Odoo"), ("none", "Not synchronised")]


class EcrmSageBackend(models.Model):
    """One Sage company the Odoo company keeps its ledger in step with."""

    _name = "ecrm.sage.backend"
    _description = "Sage ledger backend"
    _inherit = ["mail.thread"]

    name = fields.Char(required=True, track_visibility="onchange")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda self: self.env.user.company_id)
    transport = fields.Selection(
        [("sage50_files", "Sage 50 files (CSV)"), ("sage_bca_api", "Sage Business Cloud Accounting API")],
        required=True, default="sage50_files", track_visibility="onchange")
    sage_company_code = fields.Char(
        string="Sage company", help="How the Sage company names itself in its exports "
                                    "(the 'Company,<code>' line); files from another company are refused.")
    start_date = fields.Date(required=True, default=fields.Date.context_today,
                             help="Invoices dated before this day were keyed into Sage already and are never sent.")
    customer_sync = fields.Selection(OUTBOUND, string="Customers", default="odoo_to_sage", required=True)
    invoice_sync = fields.Selection(OUTBOUND, string="Invoices and credit notes", default="odoo_to_sage",
                                    required=True)
    receipt_sync = fields.Selection(INBOUND, string="Receipts", default="sage_to_odoo", required=True)
    balance_sync = fields.Selection(INBOUND, string="Balances and credit status", default="sage_to_odoo",
                                    required=True)
    tax_map_ids = fields.One2many("ecrm.sage.tax.map", "backend_id", string="Tax codes", copy=True)
    nominal_map_ids = fields.One2many("ecrm.sage.nominal.map", "backend_id", string="Nominal codes", copy=True)
    default_nominal_code = fields.Char(default="4000", help="Used when an income account has no mapping "
                                                            "and its code is not numeric.")
    department_code = fields.Char(help="Sage department number put on every exported line.")
    project_ref = fields.Char(string="Project reference")
    payment_journal_id = fields.Many2one(
        "account.journal", string="Receipts journal", domain=[("type", "in", ("bank", "cash"))],
        help="Receipts imported from Sage are registered as payments in this journal.")
    import_max_size = fields.Integer(
        string="Largest import file (MB)", default=DEFAULT_IMPORT_MAX_MB, required=True,
        help="Receipts and balances files larger than this are refused before they are read. A Sage 50 "
             "receipts file of 10,000 lines is under 1 MB.")
    block_sales_on_hold = fields.Boolean(
        string="Block sale orders of customers on hold",
        help="Confirming a sale order of a customer Sage has on hold is refused.")
    api_url = fields.Char(string="API URL", default="https://api.accounting.sage.com/v3.1")
    api_token_url = fields.Char(string="Token URL", default="https://oauth.accounting.sage.com/token")
    api_client_id = fields.Char(string="Client id", groups="ecrm_core.group_ecrm_manager")
    api_client_secret = fields.Char(string="Client secret", groups="ecrm_core.group_ecrm_manager")
    api_business_id = fields.Char(string="Business id", help="Sent as the X-Business header.")
    api_refresh_token = fields.Char(groups="ecrm_core.group_ecrm_manager", copy=False)
    reconciliation_state = fields.Selection(
        [("not_run", "Not run"), ("in_balance", "In balance"), ("differences", "Differences")],
        default="not_run", readonly=True, copy=False)
    reconciliation_difference_count = fields.Integer(readonly=True, copy=False)
    reconciliation_date = fields.Datetime(string="Reconciled on", readonly=True, copy=False)
    reconciliation_as_at = fields.Date(string="Reconciled as at", readonly=True, copy=False)
    reconciliation_summary = fields.Char(compute="_compute_reconciliation_summary")
    batch_ids = fields.One2many("ecrm.sage.batch", "backend_id")
    conflict_count = fields.Integer(compute="_compute_conflict_count")

    _sql_constraints = [
        ("import_max_size_positive", "CHECK (import_max_size > 0)", "The largest import file must be at least 1 MB."),
    ]

    @api.depends("reconciliation_state", "reconciliation_difference_count")
    def _compute_reconciliation_summary(self):
        for backend in self:
            if backend.reconciliation_state == "differences":
                backend.reconciliation_summary = _("%d differences") % backend.reconciliation_difference_count
            else:
                backend.reconciliation_summary = dict(
                    self._fields["reconciliation_state"].selection)[backend.reconciliation_state]

    def _compute_conflict_count(self):
        counts = {group["backend_id"][0]: group["backend_id_count"] for group in
                  self.env["ecrm.sage.binding"].read_group(
                      [("backend_id", "in", self.ids), ("state", "=", "conflict")], ["backend_id"], ["backend_id"])}
        for backend in self:
            backend.conflict_count = counts.get(backend.id, 0)

    # ---- integrator API (XML-RPC): plain dicts in, plain dicts out ----

    @api.model
    def export_batch(self, backend_id, kind, dry_run=False):
        """Export customers or invoices as one numbered batch.

        Returns {batch_id, state, exported, skipped: [{id, reason}], file (base64 CSV or False)}.
        A dry run returns the preview at once (the CSV too, whatever the transport, ``batch_id``
        and ``state`` False), sends nothing and writes nothing. A real run answers at once with
        its batch ``exporting``: queue jobs send it, and the batch then says the rest (``state``
        exported with its ``file``, or done; failed with ``ecrm_job_message``).
        """
        if kind not in EXPORT_KINDS:
            raise UserError(_("Unknown export kind %r; use one of %s.") % (kind, ", ".join(EXPORT_KINDS)))
        backend = self._checked(backend_id)
        direction = backend.customer_sync if kind == "customers" else backend.invoice_sync
        if direction != "odoo_to_sage":
            raise UserError(_("%s are not synchronised from Odoo to Sage on backend %s.") % (kind, backend.name))
        Batch = backend.env["ecrm.sage.batch"]
        if dry_run:
            return Batch._export_preview(backend, kind)
        if backend.transport == "sage_bca_api":
            self.env["ecrm.sage.api.transport"]._client(backend)  # its settings, before anything is queued
        return Batch._sage_start(backend, kind, SageWork(
            "exporting", "_sage_job_export", _("Export Sage %s of %%s") % kind))._export_result()

    @api.model
    def import_file(self, backend_id, kind, file_base64, dry_run=False, balance_date=False):
        """Import a receipts or balances CSV from Sage 50, whole or not at all.

        ``balance_date`` (balances only, optional): the day the file's balances are as at,
        YYYY-MM-DD, not in the future; default today (a Sage 50 balances CSV has no date).
        Returns {applied, errors: [{row, message}], batch_id, matched, unmatched}; with errors,
        applied is 0 and nothing was written. What the file holds never raises: a file that is
        not base64, too big (``import_max_size``), not Sage CSV text, or has bad rows comes back
        in ``errors``. A wrong kind, backend or date raises UserError.
        """
        if balance_date and kind == "balances":
            self = self.with_context(sage_balance_date=balance_date)
        if kind not in IMPORT_KINDS:
            raise UserError(_("Unknown import kind %r; use one of %s.") % (kind, ", ".join(IMPORT_KINDS)))
        backend = self._checked(backend_id)
        direction = backend.receipt_sync if kind == "receipts" else backend.balance_sync
        if direction != "sage_to_odoo":
            raise UserError(_("%s are not synchronised from Sage to Odoo on backend %s.") % (kind, backend.name))
        if kind == "balances":
            self.env["ecrm.sage.balance.snapshot"]._balance_date(from_file=True)   # a dry run refuses it too
        limit = backend.import_max_size * 1024 * 1024
        if isinstance(file_base64, (str, bytes)) and len(file_base64) * 3 // 4 > limit:
            return import_result(errors=[{"row": 0, "message": _(
                "the file is %.1f MB; backend %s takes files of up to %d MB (Largest import file)")
                % (len(file_base64) * 3 / 4 / 1024 / 1024, backend.name, backend.import_max_size)}])
        try:
            data = base64.b64decode(file_base64 or b"", validate=True)
        except (binascii.Error, TypeError, ValueError):
            return import_result(errors=[{"row": 0, "message": _("the file is not valid base64")}])
        backend._lock()
        with self.env.cr.savepoint():
            result = backend.env["ecrm.sage.batch"]._run_import(backend, kind, data, bool(dry_run))
            if not dry_run and not result["errors"] and kind == "balances":
                backend._run_reconciliation()  # receipts: by the last booking job
        return result

    @api.model
    def import_api_receipts(self, backend_id, dry_run=False):
        """Poll Sage Business Cloud for customer receipts and apply them like a receipts file."""
        return self._import_from_api(backend_id, "receipts", dry_run)

    @api.model
    def import_api_balances(self, backend_id, dry_run=False):
        """Read customer balances, credit limits and overdue amounts from Sage Business Cloud."""
        return self._import_from_api(backend_id, "balances", dry_run)

    @api.model
    def _import_from_api(self, backend_id, kind, dry_run):
        backend = self._checked(backend_id)
        direction = backend.receipt_sync if kind == "receipts" else backend.balance_sync
        if backend.transport != "sage_bca_api" or direction != "sage_to_odoo":
            raise UserError(_("Backend %s does not take %s from the Sage API.") % (backend.name, kind))
        self.env["ecrm.sage.api.transport"]._client(backend)  # its settings, before any call
        Batch = backend.env["ecrm.sage.batch"]
        if dry_run:
            return Batch._run_import(backend, kind, None, True)
        batch = Batch._sage_start(backend, kind, SageWork(
            "importing", "_sage_job_import_api", _("Import Sage %s from the API into %%s") % kind))
        return batch._import_api_result()

    # ---- helpers ----

    @api.model
    def _checked(self, backend_id):
        """The backend as a privileged record, once the caller proved they may configure it."""
        if isinstance(backend_id, bool) or not isinstance(backend_id, int) or not 0 < backend_id < 2 ** 31:
            raise UserError(_("%s is not a Sage backend id (a record id is a positive integer).") % (backend_id,))
        backend = self.browse(backend_id).exists()
        if not backend:
            raise UserError(_("Sage backend %s does not exist.") % backend_id)
        backend.check_access_rights("write")
        backend.check_access_rule("write")
        # ecrm_sage_uid: who asked, for the jobs a sync starts (they run as that person)
        return backend.sudo().with_context(force_company=backend.company_id.id,
                                           company_id=backend.company_id.id, ecrm_sage_uid=self.env.uid)

    @api.multi
    def _lock(self):
        """Serialise syncs of one backend: a second run waits for the first to end or die.

        NO KEY UPDATE, so the API token store's own transaction can still insert
        rows referencing the backend while a sync holds it.
        """
        self.env.cr.execute("SELECT id FROM ecrm_sage_backend WHERE id IN %s FOR NO KEY UPDATE", (tuple(self.ids),))

    @api.multi
    def _tax_codes(self):
        self.ensure_one()
        return {line.tax_id.id: line.sage_tax_code for line in self.tax_map_ids}

    @api.multi
    def _nominal_codes(self):
        """account id -> nominal code: the map first, else a numeric account code."""
        self.ensure_one()
        self.env.cr.execute("SELECT id, code FROM account_account WHERE company_id = %s", (self.company_id.id,))
        codes = {account_id: code for account_id, code in self.env.cr.fetchall()
                 if NOMINAL_CODE.match(code or "")}
        codes.update({line.account_id.id: line.nominal_code for line in self.nominal_map_ids})
        return codes

    @api.multi
    def _receipt_journal(self):
        self.ensure_one()
        journal = self.payment_journal_id or self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company_id.id)], limit=1)
        if not journal:
            raise UserError(_("Backend %s has no receipts journal and the company has no bank journal.")
                            % self.name)
        return journal

    @api.multi
    def _run_reconciliation(self, date=None):
        for backend in self:
            self.env["ecrm.sage.reconciliation.line"]._rebuild(backend, date)

    @api.model
    def _cron_reconcile(self):
        self.search([])._run_reconciliation()

    @api.multi
    def action_run_reconciliation(self):
        self._checked(self.id)._run_reconciliation()
        return self.action_view_reconciliation()

    @api.multi
    def action_view_reconciliation(self):
        self.ensure_one()
        action = self.env.ref("ecrm_sage_bridge.ecrm_sage_reconciliation_line_action").read()[0]
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    @api.multi
    def action_view_conflicts(self):
        self.ensure_one()
        action = self.env.ref("ecrm_sage_bridge.ecrm_sage_binding_action").read()[0]
        action["domain"] = [("backend_id", "=", self.id), ("state", "=", "conflict")]
        return action

    @api.multi
    def action_map_uk_taxes(self):
        """Map the UK chart's (l10n_uk) sale taxes to Sage tax codes, and income account 4000.

        The chart is loaded after the modules that depend on account, so demo data and
        new databases call this once the company has its taxes.
        """
        sage_codes = {"ST0": "T0", "ST11": "T1", "ST1": "T1", "ST2": "T2", "ST4": "T4"}
        for backend in self:
            taxes = self.env["account.tax"].search([
                ("company_id", "=", backend.company_id.id), ("type_tax_use", "=", "sale"),
                ("description", "in", list(sage_codes))])
            mapped = set(backend.tax_map_ids.mapped("tax_id").ids)
            backend.write({"tax_map_ids": [
                (0, 0, {"tax_id": tax.id, "sage_tax_code": sage_codes[tax.description]})
                for tax in taxes if tax.id not in mapped]})
            income = self.env["account.account"].search([
                ("company_id", "=", backend.company_id.id), ("code", "=like", "4000%")], limit=1)
            if income and income not in backend.nominal_map_ids.mapped("account_id"):
                backend.write({"nominal_map_ids": [(0, 0, {"account_id": income.id, "nominal_code": "4000"})]})
        return True

    @api.model
    def _demo_map_uk_taxes(self, backend_xmlid):
        self.env.ref(backend_xmlid).action_map_uk_taxes()
