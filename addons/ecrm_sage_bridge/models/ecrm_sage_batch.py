# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import io
import json
from collections import defaultdict, namedtuple

from psycopg2 import OperationalError
from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import job

from ..sage_formats.account_ref import ReferenceAllocator
from ..sage_formats.bca_api import SageApiError
from ..sage_formats.audit_trail import AuditTrailWriter, check_line, document_lines
from ..sage_formats.checksum import content_checksum
from ..sage_formats.customers import CustomerRecord, CustomerWriter

FILE_ENCODING = "cp1252"  # what Sage 50 reads and writes
NO_TAX_CODE = "T9"        # outside the scope of VAT
PAGE_SIZE = 1000
SUBJECT_REFS = 5          # document numbers named in a timeline entry
# write_date is a transaction's start time: an edit committed after a check may carry an
# earlier stamp, so anything edited shortly before its last check is compared again.
RECHECK_WINDOW = "1 hour"
# Receipts booked per job: measured about 0.17 s each inside the accounting module, so a
# chunk takes 8-19 s (measured, e2e), well under a worker's 60 s CPU limit (the job runs in one).
RECEIPTS_PER_JOB = 100
# Records sent per job of a Business Cloud export: each is a look-up and a POST (or PUT), some
# 0.2-0.5 s against Sage's servers, so a job stays well under a worker's 120 s real-time limit.
API_RECORDS_PER_JOB = 50
SAGE_CHANNEL = "root.ecrm.sage"
# queue_job retries: after how many tries -> seconds to wait (serialization failures, lock timeouts)
RETRY_PATTERN = {1: 10, 5: 60, 10: 300}

# What one job of an export did (``_export_step``): where the next job starts, how many candidates
# were looked at so far and of how many, and whether any are left.
ExportStep = namedtuple("ExportStep", "last_id seen total more")
# A file or dry-run export as ``_export`` made it.
ExportOutcome = namedtuple("ExportOutcome", "exported skipped file line_count")
# What a batch's long work is, as ``_sage_start`` queues it.
SageWork = namedtuple("SageWork", "state method description")
# What a binding says about one Odoo record (``_bindings``).
BoundRecord = namedtuple("BoundRecord", "binding_id sage_ref checksum state batch_name sync_date")
# An invoice line and a tax amount of an invoice, as ``_invoice_rows`` reads them.
InvoiceLine = namedtuple("InvoiceLine", "account_id subtotal tax_ids")
InvoiceTax = namedtuple("InvoiceTax", "tax_id amount")
# A customer sent again (its binding takes the new checksum) and a binding found in conflict.
Update = namedtuple("Update", "binding_id checksum")
Conflict = namedtuple("Conflict", "binding_id reason")
# The customer record's fields, read by name: each SQL alias is a CustomerRecord field.
CUSTOMER_SQL = """
    SELECT p.id AS partner_id, p.name AS name, p.street AS street, p.street2 AS street2, p.city AS town,
           st.name AS county, p.zip AS postcode,
           (SELECT person.name FROM res_partner person
             WHERE person.parent_id = p.id AND person.active AND person.type = 'contact'
               AND person.name IS NOT NULL ORDER BY person.id LIMIT 1) AS contact_name,
           p.phone AS phone, p.email AS email, p.vat AS vat, COALESCE(p.credit_limit, 0) AS credit_limit
      FROM res_partner p LEFT JOIN res_country_state st ON st.id = p.state_id
     WHERE p.customer AND p.active AND p.parent_id IS NULL AND p.name IS NOT NULL
       AND (p.company_id = %s OR p.company_id IS NULL) AND p.id > %s
     ORDER BY p.id LIMIT %s"""
# Posted invoices and credit notes of the backend's period never exported, after an id.
PENDING_INVOICES = """
      FROM account_invoice inv
     WHERE inv.company_id = %s AND inv.type IN ('out_invoice', 'out_refund')
       AND inv.state IN ('open', 'paid') AND inv.date_invoice >= %s
       AND NOT EXISTS (SELECT 1 FROM ecrm_sage_binding b WHERE b.backend_id = %s
                          AND b.res_model = 'account.invoice' AND b.res_id = inv.id)
       AND inv.id > %s"""


class EcrmSageBatch(models.Model):
    """One numbered exchange with Sage: a file sent or received, with its log.

    States: exported (file produced, bindings written) -> done (a person
    confirmed Sage imported it); imports are done when applied.
    """

    _name = "ecrm.sage.batch"
    _description = "Sage exchange batch"
    _order = "id desc"
    _inherit = ["ecrm.job.mixin"]

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="restrict", index=True,
                                 readonly=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, readonly=True, index=True)
    kind = fields.Selection([("customers", "Customers"), ("invoices", "Invoices and credit notes"),
                             ("receipts", "Receipts"), ("balances", "Balances")], required=True, readonly=True)
    direction = fields.Selection([("outbound", "Odoo to Sage"), ("inbound", "Sage to Odoo")],
                                 compute="_compute_direction", store=True)
    state = fields.Selection([("exporting", "Exporting"), ("exported", "Exported"), ("importing", "Importing"),
                              ("done", "Done"),
                              ("failed", "Failed"), ("cancel", "Cancelled")],
                             required=True, default="exported", readonly=True, index=True)
    record_count = fields.Integer(string="Records", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    skipped_rows = fields.Text(readonly=True, copy=False,
                               help="What an export left out and why: JSON, [{id, reason}].")
    log = fields.Text(readonly=True)
    file = fields.Binary(attachment=True, readonly=True)
    file_name = fields.Char(readonly=True)
    binding_ids = fields.One2many("ecrm.sage.binding", "batch_id", readonly=True)
    staged_rows = fields.Text(readonly=True, copy=False, groups="base.group_system",
                              help="The validated, matched receipts of an import still being booked (JSON).")
    job_count = fields.Integer(compute="_compute_job_count")

    def _job_ids(self):
        """The queue jobs of this batch (record_ids is a serialized column: read in SQL)."""
        self.env.cr.execute("SELECT id FROM queue_job WHERE model_name = %s AND record_ids::text = %s",
                            (self._name, "[%d]" % self.id))
        return [row[0] for row in self.env.cr.fetchall()]

    def _compute_job_count(self):
        for batch in self:
            batch.job_count = len(batch._job_ids())

    @api.multi
    def action_view_jobs(self):
        self.ensure_one()
        action = self.env.ref("queue_job.action_queue_job").read()[0]
        action["domain"] = [("id", "in", self._job_ids())]
        action["context"] = {}
        return action

    @api.depends("kind")
    def _compute_direction(self):
        for batch in self:
            batch.direction = "outbound" if batch.kind in ("customers", "invoices") else "inbound"

    @api.model
    def create(self, vals):
        if vals.get("name", "/") == "/":
            vals["name"] = self.env["ir.sequence"].next_by_code("ecrm.sage.batch") or "/"
        return super().create(vals)

    @api.multi
    def action_mark_done(self):
        """Sage imported the file: the batch is closed."""
        for batch in self:
            if batch.state != "exported":
                raise UserError(_("Only an exported batch can be marked done (%s is %s).") % (batch.name, batch.state))
        self.write({"state": "done"})
        return True

    # ---- export ----

    @api.model
    def _export(self, backend, kind, dry_run, batch=None):
        """Export page by page into one file: each page's rows are written to the file, its
        bindings and timeline entries stored (in ``batch``; nothing for a dry run), then
        dropped, so memory does not grow with the batch. No Sage call: the file transport, or
        any dry run. A Business Cloud export sends in chunk jobs instead (``_export_step``).
        """
        stream = io.StringIO(newline="")
        writer = CustomerWriter(stream) if kind == "customers" else AuditTrailWriter(stream)
        exported, skipped = 0, []
        for plan in self._pages(backend, kind, 0, PAGE_SIZE):
            for record in plan["records"]:
                if kind == "customers":
                    writer.write(record)
                else:
                    writer.write_many(record)
            exported += len(plan["bindings"]) + len(plan.get("updates", ()))
            skipped += plan["skipped"]
            plan["records"] = []
            if not dry_run:
                self._store_plan(backend, kind, plan, batch)
        data = stream.getvalue().encode(FILE_ENCODING, errors="replace")
        return ExportOutcome(exported, skipped, base64.b64encode(data).decode("ascii") if writer.count else False,
                             writer.count)

    @api.model
    def _export_preview(self, backend, kind):
        """A dry run: what a real run would send, as the file, writing nothing."""
        outcome = self._export(backend, kind, True)
        return export_result(exported=outcome.exported, skipped=outcome.skipped, file=outcome.file)

    @api.multi
    def _export_result(self):
        """What ``export_batch`` answers for a real run: the batch, and its figures once done."""
        self.ensure_one()
        batch = self.sudo()
        return export_result(batch.id, batch.state, batch.record_count, batch._skipped(),
                             batch.state == "exported" and _text(batch.file))

    @api.multi
    def _import_api_result(self):
        """What an API import answers: the batch ``importing`` (or, once its jobs ran, how it ended)."""
        self.ensure_one()
        batch = self.sudo()
        if batch.state == "failed":
            return import_result(errors=[{"row": 0, "message": batch.ecrm_job_message or batch.log}])
        matched = unmatched = 0
        if batch.kind == "receipts" and batch.state == "done":
            matched = self.env["ecrm.sage.receipt"].sudo().search_count(
                [("batch_id", "=", batch.id), ("state", "=", "matched")])
            unmatched = batch.record_count - matched
        return import_result(applied=batch.record_count, batch_id=batch.id, matched=matched, unmatched=unmatched,
                             state=batch.state)

    @api.multi
    def _skipped(self):
        self.ensure_one()
        return json.loads(self.skipped_rows or "[]")

    @api.multi
    def _add_exported(self, exported, skipped):
        """Count what one job sent or left out; the batch adds up its jobs."""
        self.ensure_one()
        if exported or skipped:
            self.write({"record_count": self.record_count + exported,
                        "skipped_rows": json.dumps(self._skipped() + list(skipped)),
                        "skipped_count": self.skipped_count + len(skipped)})

    @api.multi
    def _finish_export(self, backend, file=False, line_count=None):
        """The last job of an export: timeline entries, the log, the state, a reconciliation."""
        self.ensure_one()
        self._log_interactions(backend, self.kind)
        self.write({"state": "exported" if file else "done", "file": file,
                    "file_name": file and "%s-%s.csv" % (self.name.replace("/", "-"), self.kind),
                    "log": self._export_log(self.record_count, self._skipped(), line_count)})
        backend._run_reconciliation()

    @api.multi
    def _export_step(self, backend, after_id, seen):
        """One job's share of an export; returns an ExportStep.

        File transport: the whole export (no network; 10,000 invoices in about 4 s), under the
        backend's sync lock. Business Cloud: the pages after ``after_id`` up to the first with
        something to send (API_RECORDS_PER_JOB records), sent to Sage first, with no lock held
        and nothing written yet; only then is the backend locked and what was sent stored. The
        job's commit keeps each chunk's Sage ids; a chunk that fails writes nothing, and the
        next attempt finds what Sage had already stored by its reference (``create_once``).
        """
        self.ensure_one()
        kind = self.kind
        if backend.transport != "sage_bca_api":
            backend._lock()
            outcome = self._export(backend, kind, False, self)
            self._add_exported(outcome.exported, outcome.skipped)
            self._finish_export(backend, outcome.file, outcome.line_count)
            looked_at = outcome.exported + len(outcome.skipped)
            return ExportStep(0, looked_at, looked_at, False)
        total = seen + self._export_candidates(backend, kind, after_id)
        plans, pages, more = [], self._pages(backend, kind, after_id, API_RECORDS_PER_JOB), False
        for plan in pages:
            plans.append(plan)
            if plan["records"]:
                self.env["ecrm.sage.api.transport"]._push(backend, kind, plan)
                plan["records"] = []
                more = next(pages, None) is not None  # the next job reads that page again
                break
        pages.close()
        backend._lock()  # after every Sage call of this chunk: no HTTP waits while we hold it
        for plan in plans:
            self._store_plan(backend, kind, plan, self)
            self._add_exported(len(plan["bindings"]) + len(plan.get("updates", ())), plan["skipped"])
            seen += plan["seen"]
        if not more:
            self._finish_export(backend)
        return ExportStep(plans[-1]["last_id"] if plans else after_id, seen, max(total, seen), more)

    @api.model
    def _pages(self, backend, kind, after_id, size):
        if kind == "customers":
            return self._customer_pages(backend, after_id, size)
        return self._invoice_pages(backend, after_id, size)

    @api.model
    def _export_candidates(self, backend, kind, after_id):
        """How many customers or invoices after ``after_id`` an export looks at (for its progress)."""
        if kind == "customers":
            self.env.cr.execute("""
                SELECT count(*) FROM res_partner p
                 WHERE p.customer AND p.active AND p.parent_id IS NULL AND p.name IS NOT NULL
                   AND (p.company_id = %s OR p.company_id IS NULL) AND p.id > %s""",
                                (backend.company_id.id, after_id))
        else:
            self.env.cr.execute("SELECT count(*)" + PENDING_INVOICES,
                                (backend.company_id.id, backend.start_date, backend.id, after_id))
        return self.env.cr.fetchone()[0]

    @api.model
    def _store_plan(self, backend, kind, plan, batch):
        """Write what one exported page changes in Odoo, in ``batch``."""
        if plan.get("checked"):
            self.env.cr.execute("UPDATE ecrm_sage_binding SET checked_date = (now() at time zone 'UTC') "
                                "WHERE id IN %s", (tuple(plan["checked"]),))
        if not (plan["bindings"] or plan.get("updates") or plan["conflicts"]):
            return
        now = fields.Datetime.now()
        for values in plan["bindings"]:
            values.update(batch_id=batch.id, sync_date=now)
        self.env["ecrm.sage.binding"]._insert_many(plan["bindings"])
        self._apply_updates(plan.get("updates", ()), batch)
        self._mark_conflicts(plan["conflicts"])

    @staticmethod
    def _export_log(exported, skipped, line_count=None):
        if line_count is None:
            lines = ["%d record(s) sent to Sage, %d skipped." % (exported, len(skipped))]
        else:
            lines = ["%d record(s) exported in %d line(s), %d skipped." % (exported, line_count, len(skipped))]
        lines += ["skipped %s: %s" % (item["id"], item["reason"]) for item in skipped]
        return "\n".join(lines)

    @api.model
    def _bindings(self, backend, res_model):
        """res_id -> BoundRecord, in one query."""
        self.env.cr.execute("""
            SELECT b.res_id, b.id, b.sage_ref, b.checksum, b.state, batch.name, b.sync_date
              FROM ecrm_sage_binding b LEFT JOIN ecrm_sage_batch batch ON batch.id = b.batch_id
             WHERE b.backend_id = %s AND b.res_model = %s""", (backend.id, res_model))
        return {res_id: BoundRecord(*values) for res_id, *values in self.env.cr.fetchall()}

    @api.model
    def _customer_pages(self, backend, after_id=0, size=None):
        """Plans of at most ``size`` customers after ``after_id``, read page by page (keyset on id).

        New customers get a reference; changed ones are sent again (Sage updates by
        reference). The reference allocator lives across pages: it sees every
        reference of the run, and of the jobs before it (their bindings are committed)."""
        size = size or PAGE_SIZE
        bound = self._bindings(backend, "res.partner")
        allocator = ReferenceAllocator(binding.sage_ref for binding in bound.values())
        last_id = after_id
        while True:
            self.env.cr.execute(CUSTOMER_SQL, (backend.company_id.id, last_id, size))
            rows = self.env.cr.dictfetchall()
            if not rows:
                return
            last_id = rows[-1]["partner_id"]
            plan = self._customer_plan(backend, rows, bound, allocator)
            plan.update(last_id=last_id, seen=len(rows))
            yield plan

    @staticmethod
    def _customer_plan(backend, rows, bound, allocator):
        plan = {"records": [], "bindings": [], "updates": [], "skipped": [], "conflicts": []}
        for content in rows:
            partner_id = content.pop("partner_id")
            checksum = content_checksum(content)
            binding = bound.get(partner_id)
            if binding:
                if binding.checksum == checksum:
                    continue
                ref = binding.sage_ref
                plan["updates"].append(Update(binding.binding_id, checksum))
            else:
                ref = allocator.allocate(content["name"])
                plan["bindings"].append({
                    "backend_id": backend.id, "company_id": backend.company_id.id, "res_model": "res.partner",
                    "res_id": partner_id, "partner_id": partner_id, "sage_ref": ref, "checksum": checksum,
                    "state": "exported"})
            plan["records"].append(CustomerRecord(account_ref=ref, **content))
        return plan

    @api.model
    def _invoice_rows(self, backend, invoice_ids=None):
        """Posted customer invoices/credit notes with their lines and taxes, three grouped queries."""
        where, params = ["inv.company_id = %s", "inv.type IN ('out_invoice', 'out_refund')"], [backend.company_id.id]
        if invoice_ids is None:
            where += ["inv.state IN ('open', 'paid')", "inv.date_invoice >= %s"]
            params.append(backend.start_date)
        else:
            where.append("inv.id IN %s")
            params.append(tuple(invoice_ids) or (0,))
        self.env.cr.execute("""
            SELECT inv.id, inv.number, inv.type, inv.date_invoice, inv.name, inv.commercial_partner_id,
                   inv.state, inv.currency_id, inv.write_date
              FROM account_invoice inv WHERE %s ORDER BY inv.id""" % " AND ".join(where), params)
        invoices = self.env.cr.dictfetchall()
        ids = tuple(inv["id"] for inv in invoices) or (0,)
        self.env.cr.execute("""
            SELECT line.invoice_id, line.account_id, line.price_subtotal,
                   array_remove(array_agg(rel.tax_id ORDER BY rel.tax_id), NULL)
              FROM account_invoice_line line
              LEFT JOIN account_invoice_line_tax rel ON rel.invoice_line_id = line.id
             WHERE line.invoice_id IN %s
             GROUP BY line.id ORDER BY line.id""", (ids,))
        lines = defaultdict(list)
        for invoice_id, account_id, subtotal, tax_ids in self.env.cr.fetchall():
            lines[invoice_id].append(InvoiceLine(account_id, subtotal or 0.0, tuple(tax_ids)))
        self.env.cr.execute("""
            SELECT invoice_id, tax_id, SUM(amount) FROM account_invoice_tax
             WHERE invoice_id IN %s GROUP BY invoice_id, tax_id ORDER BY invoice_id, tax_id""", (ids,))
        taxes = defaultdict(list)
        for invoice_id, tax_id, amount in self.env.cr.fetchall():
            taxes[invoice_id].append(InvoiceTax(tax_id, amount or 0.0))
        for invoice in invoices:
            invoice["lines"], invoice["taxes"] = lines[invoice["id"]], taxes[invoice["id"]]
        return invoices

    @staticmethod
    def _invoice_content(invoice):
        """What a change to would mean Sage holds something else; payment does not count."""
        return {
            "number": invoice["number"], "type": invoice["type"], "date": invoice["date_invoice"],
            "partner": invoice["commercial_partner_id"], "currency": invoice["currency_id"],
            "posted": invoice["state"] in ("open", "paid"),
            "lines": sorted([line.account_id, line.subtotal, list(line.tax_ids)] for line in invoice["lines"]),
            "taxes": invoice["taxes"],
        }

    @api.model
    def _invoice_checksums(self, backend, invoice_ids):
        return {invoice["id"]: content_checksum(self._invoice_content(invoice))
                for invoice in self._invoice_rows(backend, invoice_ids)}

    @api.model
    def _invoice_pages(self, backend, after_id=0, size=None):
        """Plans of at most ``size`` invoices: first the conflicts (when starting, ``after_id`` 0),
        then unbound posted invoices after ``after_id``.

        An invoice already bound is never sent again. One edited since it was last checked
        (its write date moved) is compared with the checksum sent; a difference makes the
        binding a conflict for a person to resolve.
        """
        size = size or PAGE_SIZE
        partner_refs = {res_id: binding.sage_ref for res_id, binding in self._bindings(backend, "res.partner").items()}
        tax_codes, nominal_codes = backend._tax_codes(), backend._nominal_codes()
        company_currency = backend.company_id.currency_id.id
        if not after_id:
            yield self._conflict_plan(backend)
        self.env.cr.execute("SELECT inv.id" + PENDING_INVOICES + " ORDER BY inv.id",
                            (backend.company_id.id, backend.start_date, backend.id, after_id))
        pending = [row[0] for row in self.env.cr.fetchall()]
        codes = {"department": backend.department_code, "project_ref": backend.project_ref}
        binding_base = {"backend_id": backend.id, "company_id": backend.company_id.id,
                        "res_model": "account.invoice", "state": "exported"}
        for start in range(0, len(pending), size):
            page = pending[start:start + size]
            plan = {"records": [], "bindings": [], "skipped": [], "conflicts": [], "last_id": page[-1],
                    "seen": len(page)}
            for invoice in self._invoice_rows(backend, page):
                reason = self._invoice_problem(invoice, partner_refs, tax_codes, nominal_codes, company_currency)
                document = None if reason else self._sage_document(
                    codes, invoice, partner_refs, tax_codes, nominal_codes)
                lines = document_lines(document) if document else []
                problems = [problem for line in lines for problem in check_line(line)]
                if reason or problems:
                    plan["skipped"].append({"id": invoice["id"], "reason": reason or "; ".join(problems)})
                    continue
                plan["records"].append(lines)
                plan["bindings"].append(dict(
                    binding_base, res_id=invoice["id"], invoice_id=invoice["id"],
                    partner_id=invoice["commercial_partner_id"], sage_ref=invoice["number"],
                    checksum=content_checksum(self._invoice_content(invoice))))
            yield plan

    @api.model
    def _conflict_plan(self, backend):
        """Bound invoices edited since last checked: unchanged ones are marked checked, changed
        ones become conflicts (never sent again)."""
        self.env.cr.execute("""
            SELECT b.res_id, b.id, b.checksum, batch.name
              FROM ecrm_sage_binding b JOIN account_invoice inv ON inv.id = b.res_id
              LEFT JOIN ecrm_sage_batch batch ON batch.id = b.batch_id
             WHERE b.backend_id = %s AND b.res_model = 'account.invoice' AND b.state != 'conflict'
               AND inv.write_date > COALESCE(b.checked_date, b.sync_date, b.create_date) - %s::interval""",
            (backend.id, RECHECK_WINDOW))
        touched = {res_id: (binding_id, checksum, batch_name)
                   for res_id, binding_id, checksum, batch_name in self.env.cr.fetchall()}
        plan = {"records": [], "bindings": [], "skipped": [], "conflicts": [], "checked": []}
        for invoice in self._invoice_rows(backend, list(touched)):
            binding_id, checksum, batch_name = touched[invoice["id"]]
            if content_checksum(self._invoice_content(invoice)) == checksum:
                plan["checked"].append(binding_id)
                continue
            reason = _("changed after it was exported in batch %s: conflict to resolve, not re-sent") % batch_name
            plan["conflicts"].append(Conflict(binding_id, reason))
            plan["skipped"].append({"id": invoice["id"], "reason": reason})
        plan.update(last_id=0, seen=0)
        return plan

    @staticmethod
    def _invoice_problem(invoice, partner_refs, tax_codes, nominal_codes, company_currency):
        if invoice["commercial_partner_id"] not in partner_refs:
            return _("customer %s is not in Sage yet: export customers first") % invoice["commercial_partner_id"]
        if invoice["currency_id"] != company_currency:
            return _("invoice in a foreign currency; only the company currency is exported")
        if not invoice["lines"]:
            return _("invoice has no lines")
        for line in invoice["lines"]:
            if line.account_id not in nominal_codes:
                return _("account %s has no Sage nominal code") % line.account_id
            if len(line.tax_ids) > 1:
                return _("a line carries %d taxes; Sage takes one tax code per line") % len(line.tax_ids)
            if line.tax_ids and line.tax_ids[0] not in tax_codes:
                return _("tax %s has no Sage tax code") % line.tax_ids[0]
        for tax in invoice["taxes"]:
            if tax.tax_id not in tax_codes:
                return _("tax %s has no Sage tax code") % tax.tax_id
        return None

    @staticmethod
    def _sage_document(codes, invoice, partner_refs, tax_codes, nominal_codes):
        tax_by_code = defaultdict(float)
        for tax in invoice["taxes"]:
            tax_by_code[tax_codes[tax.tax_id]] += tax.amount
        return {
            "type": "SC" if invoice["type"] == "out_refund" else "SI",
            "account_ref": partner_refs[invoice["commercial_partner_id"]],
            "date": invoice["date_invoice"], "reference": invoice["number"],
            "details": invoice["name"] or invoice["number"],
            "department": codes["department"], "project_ref": codes["project_ref"],
            "lines": [{"nominal_code": nominal_codes[line.account_id], "net": line.subtotal,
                       "tax_code": tax_codes[line.tax_ids[0]] if line.tax_ids else NO_TAX_CODE}
                      for line in invoice["lines"]],
            "taxes": dict(tax_by_code),
        }

    @api.model
    def _apply_updates(self, updates, batch):
        """Customers sent again: their bindings take the new checksum and batch, in one UPDATE."""
        if not updates:
            return
        execute_values(self.env.cr._obj, """
            UPDATE ecrm_sage_binding b SET checksum = v.checksum, batch_id = v.batch_id, state = 'exported',
                   last_error = NULL, sync_date = (now() at time zone 'UTC')
              FROM (VALUES %s) AS v (id, checksum, batch_id) WHERE b.id = v.id""",
            [(update.binding_id, update.checksum, batch.id) for update in updates], page_size=1000)
        self.env["ecrm.sage.binding"].invalidate_cache()

    @api.model
    def _mark_conflicts(self, conflicts):
        for conflict in conflicts:
            self.env["ecrm.sage.binding"].browse(conflict.binding_id).write(
                {"state": "conflict", "last_error": conflict.reason})

    @api.multi
    def _log_interactions(self, backend, kind):
        """One timeline entry per customer and batch, naming what was sent; read in one grouped query.

        A customer invoiced ten times sees one 'sent to Sage' entry for the batch,
        not ten; each invoice's own binding links it to the batch.
        """
        self.ensure_one()
        subject = self._interaction_subject(kind)
        self.env.cr.execute("""
            SELECT partner_id, array_agg(sage_ref ORDER BY id) FROM ecrm_sage_binding
             WHERE batch_id = %s AND partner_id IS NOT NULL GROUP BY partner_id ORDER BY partner_id""", (self.id,))
        common = {"channel": "ledger", "direction": "outbound", "company_id": backend.company_id.id,
                  "interaction_type": "sage_customer_exported" if kind == "customers" else "sage_invoice_exported",
                  "res_model": self._name, "res_id": self.id}
        rows = [dict(common, partner_id=partner_id, subject=subject(refs))
                for partner_id, refs in self.env.cr.fetchall()]
        self.env["ecrm.interaction"]._log_in_pages(rows)

    @api.multi
    def _interaction_subject(self, kind):
        """The subject of a customer's entry, as a function of the references sent for them."""
        name = self.name
        if kind == "customers":
            template = _("Sent to Sage as %s (batch %s)")
            return lambda refs: template % (refs[0], name)
        template = _("%d document(s) sent to Sage in batch %s: %s")

        def subject(refs):
            shown = ", ".join(refs[:SUBJECT_REFS]) + (", ..." if len(refs) > SUBJECT_REFS else "")
            return template % (len(refs), name, shown)
        return subject

    # ---- import ----

    @api.model
    def _run_import(self, backend, kind, data, dry_run):
        """Parse, then apply whole in the caller's transaction; any row error applies nothing.

        Returns the import result (see ``import_result``). The batch (which keeps the file) is
        created only once the file or the Sage API answer has been read and found good.
        """
        importer = (self.env["ecrm.sage.receipt"]._import_receipts if kind == "receipts"
                    else self.env["ecrm.sage.binding"]._import_balances)

        opened = self.browse()

        def open_batch():
            nonlocal opened
            if not dry_run:
                backend._lock()  # after every Sage call: no HTTP waits while we hold it
                opened = self.create({
                    "backend_id": backend.id, "kind": kind, "state": "done",
                    "file": base64.b64encode(data) if data is not None else False,
                    "file_name": "sage-%s.csv" % kind if data is not None else False})
            return opened

        try:
            outcome = importer(backend, data, open_batch)
        except SageApiError as error:  # a dry run: a real one is a job (``_sage_job_import_api``)
            return import_result(errors=[{"row": 0, "message": "Sage API: %s" % error}])
        if outcome["errors"]:
            return import_result(errors=outcome["errors"])
        batch = opened
        state = batch.state if batch else False
        if batch and kind == "receipts":
            batch.write({"state": "importing", "record_count": outcome["applied"], "log": outcome["log"]})
            starter = self.env.context.get("ecrm_sage_uid")
            (batch.sudo(starter) if starter else batch)._ecrm_job_enqueue(
                "_sage_job_book_receipts", 0, channel=SAGE_CHANNEL,
                description=_("Book Sage receipts of %s") % batch.name)
            state = batch.state  # done (or failed) already when jobs run at once (test_queue_job_no_delay)
            if state == "failed":
                return import_result(errors=[{"row": 0, "message": batch.ecrm_job_message or batch.log}])
        elif batch:
            batch.write({"record_count": outcome["applied"], "log": outcome["log"]})
        return import_result(applied=outcome["applied"], batch_id=batch.id, matched=outcome.get("matched", 0),
                             unmatched=outcome.get("unmatched", 0), state=state)

    # ---- exports and API imports, as jobs ----

    @api.model
    def _sage_start(self, backend, kind, work):
        """A new batch of ``kind`` with its work queued (a SageWork); while the same work of the
        backend is queued or running, that batch instead: nothing is queued twice.

        The backend's sync lock makes a second click wait for the first's transaction, which
        then shows its batch queued. No Sage call happens here. A receipts file being booked is
        other work (its rows are the file's, not the API's).
        """
        backend._lock()
        open_batches = self.search([("backend_id", "=", backend.id), ("kind", "=", kind), ("file_name", "=", False),
                                    ("state", "in", ("exporting", "importing"))])
        busy = open_batches._ecrm_job_under_way()
        if busy:
            return busy[0]
        open_batches._close_abandoned()
        batch = self.create({"backend_id": backend.id, "kind": kind, "state": work.state})
        starter = self.env.context.get("ecrm_sage_uid")
        (batch.sudo(starter) if starter else batch)._ecrm_job_enqueue(
            work.method, channel=SAGE_CHANNEL, description=work.description % batch.name)
        return batch

    @api.multi
    def _close_abandoned(self):
        """Fail the batches whose job queue_job failed without our code seeing it (a worker killed
        on every try), so they no longer show as exporting or importing. One with staged receipts
        is left as it is: some may be booked, and only its booking job undoes them."""
        for batch in self.filtered(lambda batch: batch.ecrm_job_state == "failed" and not batch.sudo().staged_rows):
            reason = batch.ecrm_job_message or _("The job failed.")
            batch.write({"state": "failed", "log": "%s\n%s" % (batch.log, reason) if batch.log else reason})

    @api.multi
    def _sage_context(self):
        """The batch and its backend as the jobs work on them (privileged, in the backend's company)."""
        batch = self.sudo()
        company = batch.company_id.id
        return batch, batch.backend_id.with_context(force_company=company, company_id=company)

    @job(default_channel=SAGE_CHANNEL, retry_pattern=RETRY_PATTERN)
    @api.multi
    def _sage_job_export(self, after_id=0, seen=0):
        """Send the batch's customers or invoices, a chunk per job (``_export_step``); the last
        chunk finishes the batch (exported with its file, or done) and reconciles the backend."""
        self.ensure_one()
        batch, backend = self._sage_context()
        with self._ecrm_job_tracking() as progress:
            if batch.state != "exporting":
                return _("batch %s is %s: nothing to export") % (batch.name, batch.state)
            try:
                with self.env.cr.savepoint():
                    step = batch._export_step(backend, after_id, seen)
            except Exception as error:
                return batch._sage_job_failed(progress, error, _(
                    "The export to Sage stopped: %s. What this batch recorded before is kept (Sage has it); "
                    "records Sage accepted in the failed step are found there and adopted by the next "
                    "export, not sent twice."))
            progress.update(step.seen, step.total, force=True)
            if step.more:
                progress.then("_sage_job_export", step.last_id, step.seen)
                return _("%d of %d looked at") % (step.seen, step.total)
            return _("%d record(s) exported") % batch.record_count

    @job(default_channel=SAGE_CHANNEL, retry_pattern=RETRY_PATTERN)
    @api.multi
    def _sage_job_import_api(self):
        """Read the batch's receipts or balances from the Business Cloud API, then stage the
        receipts for the booking jobs or apply the balances.

        Sage is read before anything is written or locked; the backend's sync lock is taken
        once it has answered (``open_batch``)."""
        self.ensure_one()
        batch, backend = self._sage_context()
        with self._ecrm_job_tracking() as progress:
            if batch.state != "importing" or batch.sudo().staged_rows:
                return _("batch %s is %s: nothing to import") % (batch.name, batch.state)
            importer = (self.env["ecrm.sage.receipt"].sudo()._import_receipts if batch.kind == "receipts"
                        else self.env["ecrm.sage.binding"].sudo()._import_balances)

            def open_batch():
                backend._lock()
                return batch

            try:
                with self.env.cr.savepoint():
                    outcome = importer(backend, None, open_batch)
            except Exception as error:
                return batch._sage_job_failed(progress, error, "Sage API: %s")
            if outcome["errors"]:
                errors = import_result(errors=outcome["errors"])["errors"]
                return batch._sage_fail(progress, _("Nothing was imported from Sage: %s") % "; ".join(
                    error["message"] for error in errors[:10]))
            batch.write({"record_count": outcome["applied"], "log": outcome["log"]})
            if batch.kind == "receipts":
                progress.update(0, outcome["applied"], force=True)
                progress.then("_sage_job_book_receipts", 0)
                return outcome["log"]
            batch.write({"state": "done"})
            backend._run_reconciliation()
            return outcome["log"]

    @api.multi
    def _sage_job_failed(self, progress, error, template):
        """A job step raised: try again later if it may pass, else fail the batch with ``template``
        (``%s``: what went wrong). The step's writes were rolled back with its savepoint."""
        retry = self._sage_retry(error)
        if retry is not None and not self._sage_last_try():
            if retry is error:
                raise error
            raise retry from error
        self.env.clear()
        return self._sage_fail(progress, template % self._ecrm_job_error_message(error))

    @api.multi
    def _sage_fail(self, progress, reason):
        batch = self.sudo()
        batch.write({"state": "failed", "log": "%s\n%s" % (batch.log or "", reason) if batch.log else reason})
        progress.fail(reason)
        return reason

    @staticmethod
    def _sage_retry(error):
        """The RetryableJobError for an error that may pass (Sage's 429 / 5xx / no answer, a
        serialization failure or lock timeout), None for one that will not."""
        if isinstance(error, RetryableJobError):
            return error
        if isinstance(error, SageApiError) and error.retryable:
            return RetryableJobError("Sage API: %s" % error, seconds=error.retry_after)
        if isinstance(error, OperationalError) and error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
            return RetryableJobError(_("the database was busy (%s); trying again") % error.pgcode)
        return None

    @api.multi
    def _sage_last_try(self):
        """Whether the job running now is queue_job's last try: its error then fails the batch
        rather than leave it exporting or importing under a failed job."""
        self.env.cr.execute("""
            SELECT retry, max_retries FROM queue_job
             WHERE model_name = %s AND record_ids::text = %s AND state = 'started'
             ORDER BY date_started DESC LIMIT 1""", (self._name, "[%d]" % self.id))
        row = self.env.cr.fetchone()
        return bool(row and row[1] and row[0] + 1 >= row[1])

    # ---- receipts, booked in chunk jobs ----

    @api.multi
    def _stage_rows(self, rows):
        self.ensure_one()
        self.sudo().write({"staged_rows": json.dumps(rows)})

    @api.multi
    def _staged(self):
        self.ensure_one()
        return json.loads(self.sudo().staged_rows or "[]")

    @job(default_channel=SAGE_CHANNEL, retry_pattern=RETRY_PATTERN)
    @api.multi
    def _sage_job_book_receipts(self, start):
        """Book staged receipts ``start`` to ``start + RECEIPTS_PER_JOB``, then queue the next chunk.

        Each chunk commits on its own. The import stays whole or nothing all the same: a
        chunk that fails for good (not a concurrency error, which queue_job retries, but its
        last try) undoes
        what the chunks before it committed, in the same transaction, and the batch is failed
        with the reason. The last chunk marks the batch done and reconciles the backend.
        """
        self.ensure_one()
        batch = self.sudo()
        backend = batch.backend_id.with_context(force_company=batch.company_id.id,
                                                company_id=batch.company_id.id)
        with self._ecrm_job_tracking() as progress:
            if batch.state != "importing":
                return _("batch %s is %s: nothing to book") % (batch.name, batch.state)
            rows = batch._staged()
            chunk = rows[start:start + RECEIPTS_PER_JOB]
            backend._lock()
            try:
                with self.env.cr.savepoint():
                    self.env["ecrm.sage.receipt"].sudo()._apply_rows(backend, chunk)
            except Exception as error:
                retry = self._sage_retry(error)
                if retry is not None and not self._sage_last_try():
                    if retry is error:
                        raise
                    raise retry from error
                return self._fail_import(progress, start, error)
            done = start + len(chunk)
            progress.update(done, len(rows), force=True)
            if done < len(rows):
                progress.then("_sage_job_book_receipts", done)
                return _("%d of %d receipts booked") % (done, len(rows))
            batch.write({"state": "done", "staged_rows": False})
            backend._run_reconciliation()
            return _("%d receipts booked") % len(rows)

    @api.multi
    def _fail_import(self, progress, start, error):
        """Undo the chunks committed before, fail the batch, tell who started it what to do."""
        self.env.clear()  # the chunk's own writes were rolled back with its savepoint
        batch = self.sudo()
        reason = _("Receipts %d-%d could not be booked: %s. Nothing of the file was kept; "
                   "correct the cause and import the file again.") % (
            start + 1, start + RECEIPTS_PER_JOB, self._ecrm_job_error_message(error))
        batch._undo_receipts()
        batch.write({"state": "failed", "staged_rows": False, "record_count": 0,
                     "log": "%s\n%s" % (batch.log or "", reason)})
        progress.fail(reason)
        return reason

    @api.multi
    def _undo_receipts(self):
        """Remove what this batch's committed chunks wrote: reconciliations, entries, receipts, timeline."""
        receipts = self.env["ecrm.sage.receipt"].search([("batch_id", "in", self.ids)])
        if not receipts:
            return
        moves = receipts.mapped("move_id")
        moves.mapped("line_ids").remove_move_reconcile()
        if moves:
            # the entries are this import's own, posted by it a moment ago
            self.env.cr.execute("UPDATE account_move SET state = 'draft' WHERE id IN %s", (tuple(moves.ids),))
            moves.invalidate_cache(["state"])
            moves.with_context(tracking_disable=True).unlink()
        self.env["ecrm.interaction"].sudo().search([
            ("res_model", "=", "ecrm.sage.receipt"), ("res_id", "in", receipts.ids)]).unlink()
        receipts.unlink()


def import_result(applied=0, errors=(), batch_id=False, matched=0, unmatched=0, state=False):
    """What ``import_file`` and the API imports return, always with the same keys.

    ``errors``: RowError tuples (or {row, message} dicts); with any, nothing was applied.
    ``state``: the batch's state (``importing`` while receipts are being booked by jobs:
    poll the batch's ``state`` / ``ecrm_job_done`` / ``ecrm_job_total``), False without one.
    """
    errors = [{"row": int(error["row"]), "message": str(error["message"])} if isinstance(error, dict)
              else {"row": int(error.row), "message": str(error.message)} for error in errors]
    if errors:
        applied, batch_id, matched, unmatched, state = 0, False, 0, 0, False
    return {"applied": applied, "errors": errors, "batch_id": batch_id or False, "matched": matched,
            "unmatched": unmatched, "state": state or False}


def export_result(batch_id=False, state=False, exported=0, skipped=(), file=False):
    """What ``export_batch`` returns, always with the same keys.

    A real run answers at once with its batch ``exporting`` (figures 0) while jobs send it;
    the batch's ``state`` / ``record_count`` / ``skipped_rows`` / ``file`` then tell the rest.
    """
    return {"batch_id": batch_id or False, "state": state or False, "exported": exported,
            "skipped": [{"id": int(item["id"]), "reason": str(item["reason"])} for item in skipped],
            "file": file or False}


def _text(value):
    """A binary field's base64 as text (Odoo 11 reads it as bytes)."""
    return value.decode("ascii") if isinstance(value, bytes) else value
