# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import json
from collections import namedtuple

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import job

from ..contact_import import reading
from ..dedupe import matching
from ..quality import checks, normalise
from ..models.ecrm_quality_rule import failed_rules

ACTIONS = [("new", "New"), ("update", "Update"), ("reject", "Rejected")]


class AnalysedRow(namedtuple("AnalysedRow", "line action match values raw reason warnings")):
    """One row of the file as the dry run and the commit both see it.

    ``match``: the customer an update writes to; ``reason``: why it is rejected;
    ``warnings``: what it is saved with but should be looked at.
    """

    @classmethod
    def rejected(cls, line, values, raw, reason):
        return cls(line, "reject", None, values, raw, reason, None)

# rows per job: each chunk commits on its own, well inside the runner's request limits
COMMIT_CHUNK = 500


class EcrmPartnerImport(models.TransientModel):
    """Validated customer import: dry run, all-or-nothing commit, rejected rows as CSV.

    The dry run and the commit run the very same analysis, so what the preview
    promised is what the commit does - or the commit does nothing at all.

    The commit is queued jobs, a chunk of rows each, so an 8,000-customer file never
    meets the request limits. It stays whole or nothing by staging: new customers are
    created archived, chunk by chunk, and switched live together by the last job; an
    updated customer's previous values are kept, and a chunk that fails for good puts
    them back and deletes the archived new ones (nobody could have used them).
    """

    _name = "ecrm.partner.import"
    _inherit = ["ecrm.job.mixin"]
    _description = "Validated customer import"
    _rec_name = "name"

    name = fields.Char(compute="_compute_name")

    state = fields.Selection([("upload", "Upload"), ("preview", "Dry run"), ("importing", "Importing"),
                              ("done", "Imported")], default="upload", required=True)
    plan = fields.Text(readonly=True, help="The rows the commit applies, staged for its jobs (JSON).")
    undo = fields.Text(readonly=True, help="What the chunks applied so far, to take back (JSON).")
    file = fields.Binary(attachment=False)
    filename = fields.Char()
    file_format = fields.Selection(
        [("auto", "Detect"), ("csv", "CSV (Outlook export or named columns)"), ("vcard", "vCard (.vcf)")],
        default="auto", required=True)
    encoding = fields.Selection(
        [("utf-8", "UTF-8"), ("cp1252", "Windows (cp1252)"), ("latin-1", "ISO-8859-1")],
        default="utf-8", required=True)
    line_ids = fields.One2many("ecrm.partner.import.line", "import_id", readonly=True)
    column_ids = fields.One2many("ecrm.partner.import.column", "import_id", string="Column mapping",
                                 help="Which customer field each column of the file fills; change and run "
                                      "the dry run again.")
    new_count = fields.Integer(readonly=True)
    update_count = fields.Integer(readonly=True)
    reject_count = fields.Integer(readonly=True)
    duplicate_count = fields.Integer(readonly=True, help="New rows that look like an existing customer.")
    warning_count = fields.Integer("With warnings", readonly=True,
                                   help="Rows that will be saved, but with data to look at (a postcode, a phone).")
    rejects_file = fields.Binary(readonly=True, attachment=False)
    rejects_filename = fields.Char(default="rejected_rows.csv")

    @api.depends("filename")
    def _compute_name(self):
        for wizard in self:
            wizard.name = _("Customer import of %s") % (wizard.filename or _("a file"))

    # ---- reading ----

    def _read_rows(self):
        """[(line, values, raw, reason)]; raises UserError for a file that is unusable as a whole."""
        try:
            text = reading.decode(base64.b64decode(self.file or b""), self.encoding)
            vcard = self.file_format == "vcard" or (
                self.file_format == "auto" and text.lstrip().upper().startswith("BEGIN:VCARD"))
            if vcard:
                return [(line, values and {k: v for k, v in values.items() if k != "_raw"},
                         values and values["_raw"], reason)
                        for line, values, reason in reading.read_vcards(text)], None
            header, rows = reading.read_csv(text)
        except reading.ImportFileError as error:
            raise UserError(str(error))
        outlook = reading.is_outlook(header)
        mapping = self._column_mapping(header)
        return [(line, raw and reading.row_values(raw, mapping, outlook), raw, reason)
                for line, raw, reason in rows], header

    def _column_mapping(self, header):
        """The person's mapping when they edited it, else our guess; kept on the wizard to edit."""
        if not self.column_ids or set(self.column_ids.mapped("column")) != set(header):
            guessed = reading.guess_mapping(header)
            self.column_ids = [(5, 0, 0)] + [(0, 0, {"sequence": index, "column": column,
                                                     "field": guessed.get(column) or False})
                                             for index, column in enumerate(header)]
        return {line.column: line.field for line in self.column_ids if line.field}

    # ---- the one analysis both steps share ----

    def _analyse(self):
        rows, header = self._read_rows()
        Partner = self.env["res.partner"]
        countries = {c.name.lower(): c.id for c in self.env["res.country"].search([])}
        countries.update({c.code.lower(): c.id for c in self.env["res.country"].search([])})
        index = self._existing_index()
        rules = self.env["ecrm.quality.rule"]._partner_rules()
        seen = {}
        analysed = []
        for line, values, raw, reason in rows:
            if reason:
                analysed.append(AnalysedRow.rejected(line, values, raw, reason))
                continue
            values = dict(values)
            country = values.pop("country", None)
            if country:
                values["country_id"] = countries.get(country.strip().lower())
                if not values["country_id"]:
                    analysed.append(AnalysedRow.rejected(line, values, raw, _("unknown country %r") % country))
                    continue
            problem = self._row_problem(values, rules)
            keys = self._match_keys(values)
            earlier = next((seen[key] for key in keys if key in seen), None)
            if not problem and earlier:
                problem = _("same customer as line %d of this file") % earlier
            if problem:
                analysed.append(AnalysedRow.rejected(line, values, raw, problem))
                continue
            for key in keys:
                seen.setdefault(key, line)
            match = next((index[key] for key in keys if key in index), None)
            analysed.append(AnalysedRow(line, "update" if match else "new", match, values, raw, None,
                                        self._row_warnings(values, rules)))
        return analysed, header, self._possible_duplicates(analysed, Partner)

    def _row_problem(self, values, rules):
        if not values.get("name"):
            return _("no name (or company) given")
        if values.get("email") and not checks.check_value("email", values["email"]):
            return _("invalid e-mail address %r") % values["email"]
        blocking = [rule for rule in rules if rule[4] == "blocking"]
        broken = failed_rules(blocking, values)
        return "; ".join(rule[5] for rule in broken) if broken else None

    @staticmethod
    def _row_warnings(values, rules):
        """What the row will be saved with but should be looked at: warning rules, placeholder data."""
        warnings = [rule[5] for rule in failed_rules([rule for rule in rules if rule[4] == "warning"], values)]
        return "; ".join(warnings + checks.junk_reasons(values.get("name"), values.get("email"))) or None

    def _changes(self, analysed):
        """{line: "field: old -> new" lines} of what each update would change on its customer."""
        updates = [row for row in analysed if row.action == "update"]
        names = sorted({name for row in updates for name in row.values})
        current = {record["id"]: record for record in self.env["res.partner"].browse(
            [row.match for row in updates]).read(names)} if updates else {}
        fields_ = self.env["res.partner"]._fields
        changes = {}
        for row in updates:
            lines = []
            for name, new in sorted(row.values.items()):
                old = current[row.match].get(name)
                old = old[0] if isinstance(old, tuple) else old
                if (old or False) != (new or False):
                    display = current[row.match].get(name)
                    display = display[1] if isinstance(display, tuple) else display
                    if fields_[name].type == "many2one" and new:
                        new = self.env[fields_[name].comodel_name].browse(new).display_name
                    lines.append("%s: %s \u2192 %s" % (fields_[name].string, display or _("(empty)"), new or _("(empty)")))
            changes[row.line] = "\n".join(lines) or _("no change")
        return changes

    @staticmethod
    def _match_keys(values):
        keys = [("email", normalise.normalise_email(values.get("email")))]
        keys += [("phone", normalise.normalise_phone(values.get(field))) for field in ("phone", "mobile")]
        keys.append(("name", normalise.normalise_name(values.get("name"))))
        return [key for key in keys if key[1]]

    def _readable_partners(self, columns, order=""):
        """Rows of ``columns`` of the active customers the caller may read, in one query.

        Matching only among those: the wizard must not tell anyone which e-mail addresses or
        names belong to customers they cannot see (the host's record rules, e.g. multi-company).
        """
        Partner = self.env["res.partner"]
        query = Partner._where_calc([])  # adds the active test
        Partner._apply_ir_rules(query, "read")
        from_clause, where_clause, params = query.get_sql()
        # ``columns`` and ``order`` are ours, never caller input
        self.env.cr.execute("SELECT %s FROM %s WHERE %s %s" % (
            ", ".join('"res_partner"."%s"' % column for column in columns), from_clause, where_clause or "TRUE",
            order), params)
        return self.env.cr.fetchall()

    def _existing_index(self):
        """Normalised e-mail / phone / name -> partner id, from one query."""
        index = {}
        for partner_id, name, email, phone, mobile in self._readable_partners(
                ("id", "name", "email", "phone", "mobile"), 'ORDER BY "res_partner"."id" DESC'):
            for key in self._match_keys({"name": name, "email": email, "phone": phone, "mobile": mobile}):
                index[key] = partner_id
        return index

    def _possible_duplicates(self, analysed, Partner):
        """New rows the duplicate scanner would pair with an existing customer: {line: partner id}."""
        new_rows = [row for row in analysed if row.action == "new"]
        if not new_rows:
            return {}
        # a contact's VAT number is its company's: the commercial entity tells the matcher so
        existing = self._readable_partners(("id", "name", "email", "phone", "mobile", "zip", "vat",
                                            "commercial_partner_id"))
        incoming = [(-line, values.get("name"), values.get("email"), values.get("phone"), values.get("mobile"),
                     values.get("zip"), values.get("vat")) for line, values in ((row.line, row.values)
                                                                     for row in new_rows)]
        duplicates = {}
        for members, _score, _reason in matching.find_groups(matching.prepare(existing + incoming)):
            known = [member for member in members if member > 0]
            for member in members:
                if member < 0 and known:
                    duplicates[-member] = known[0]
        return duplicates

    # ---- steps ----

    def _check_user(self, group, message):
        if not (self.env.uid == SUPERUSER_ID or self.env.user.has_group(group)):
            raise AccessError(message)

    def _check_not_started(self):
        if self.state == "importing":
            raise UserError(_("This import is already under way."))
        if self.state == "done":
            raise UserError(_("This import is finished; start a new import for another file."))

    @api.multi
    def action_dry_run(self):
        self.ensure_one()
        self._check_user("ecrm_core.group_ecrm_user", _("Only eCRM users may check a customer import."))
        self._check_not_started()
        analysed, header, duplicates = self._analyse()
        changes = self._changes(analysed)
        self.line_ids.unlink()
        self.write({
            "state": "preview",
            "line_ids": [(0, 0, {
                "line": row.line, "action": row.action, "partner_id": row.match,
                "name": (row.values or {}).get("name"), "email": (row.values or {}).get("email"),
                "reason": row.reason, "warning": row.warnings, "changes": changes.get(row.line),
                "duplicate_of_id": duplicates.get(row.line),
            }) for row in analysed],
            "new_count": sum(1 for row in analysed if row.action == "new"),
            "update_count": sum(1 for row in analysed if row.action == "update"),
            "reject_count": sum(1 for row in analysed if row.action == "reject"),
            "warning_count": sum(1 for row in analysed if row.warnings),
            "duplicate_count": len(duplicates),
            "rejects_file": base64.b64encode(reading.rejects_csv(
                header or sorted({key for row in analysed for key in (row.raw or {})}),
                [(row.line, row.raw, row.reason) for row in analysed if row.action == "reject"])),
        })
        return self._reopen()

    @api.multi
    def action_commit(self):
        """Stage every accepted row and queue the jobs that apply them: all of them, or nothing."""
        self.ensure_one()
        self._check_user("ecrm_core.group_ecrm_manager", _("Only an eCRM manager may import customers."))
        self._check_not_started()
        analysed, _header, _duplicates = self._analyse()
        plan = [{"line": row.line, "action": row.action, "match": row.match, "values": row.values}
                for row in analysed if row.action in ("new", "update")]
        # the counts of what the commit does: a rule added since the dry run may reject more
        self.write({"state": "importing", "plan": json.dumps(plan),
                    "undo": json.dumps({"created": [], "previous": {}}),
                    "new_count": sum(1 for row in analysed if row.action == "new"),
                    "update_count": sum(1 for row in analysed if row.action == "update"),
                    "reject_count": sum(1 for row in analysed if row.action == "reject")})
        self._ecrm_job_enqueue("_ecrm_job_commit", 0, description=self.name)
        return self._reopen()

    @job(default_channel="root.ecrm")
    @api.multi
    def _ecrm_job_commit(self, start):
        """Apply rows ``start`` to ``start + COMMIT_CHUNK`` of the plan, then queue the next chunk.

        A concurrency error goes up for queue_job to retry the chunk (its savepoint took its
        writes back). Any other error undoes the chunks before it and fails the import.
        """
        if not self.exists():  # a wizard the host's vacuum removed before the first chunk ran
            return _("the import was deleted: nothing to apply")
        with self._ecrm_job_tracking() as progress:
            if self.state != "importing":
                return _("the import is %s: nothing to apply") % self.state
            plan, undo = json.loads(self.plan), json.loads(self.undo)
            chunk = plan[start:start + COMMIT_CHUNK]
            try:
                with self.env.cr.savepoint():
                    self._apply_rows(chunk, undo)
            except (RetryableJobError, psycopg2.OperationalError) as error:
                if isinstance(error, RetryableJobError) or error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                return self._fail_commit(progress, chunk, error)
            except (ValidationError, UserError, psycopg2.Error) as error:
                return self._fail_commit(progress, chunk, error)
            self.write({"undo": json.dumps(undo)})
            done = start + len(chunk)
            progress.update(done, len(plan), force=True)
            if done < len(plan):
                progress.then("_ecrm_job_commit", done)
                return _("%d of %d rows applied") % (done, len(plan))
            self._go_live(plan, undo)
            return self._summary()

    def _apply_rows(self, chunk, undo):
        """Create (archived) or update the chunk's customers; note in ``undo`` how to take it back."""
        Partner = self.env["res.partner"]
        for row in chunk:
            if row["action"] == "new":
                partner = Partner.create(dict(row["values"], customer=True, active=False))
                undo["created"].append(partner.id)
            else:
                partner = Partner.browse(row["match"])
                if str(partner.id) not in undo["previous"]:
                    undo["previous"][str(partner.id)] = self._previous_values(partner, row["values"])
                partner.write(row["values"])

    @staticmethod
    def _previous_values(partner, values):
        previous = partner.read(list(values))[0]
        return {name: value[0] if isinstance(value, tuple) else value
                for name, value in previous.items() if name != "id"}

    def _go_live(self, plan, undo):
        """The last job: the new customers appear together, and each row gets its timeline entry."""
        self.env["res.partner"].browse(undo["created"]).write({"active": True})
        created = iter(undo["created"])
        entries = [{"partner_id": row["match"] if row["action"] == "update" else next(created),
                    "channel": "other", "interaction_type": "imported",
                    "subject": _("Imported from %s, line %d") % (self.filename or _("file"), row["line"])}
                   for row in plan]
        for first in range(0, len(entries), 10000):  # log_many takes at most 10,000 rows
            self.env["ecrm.interaction"].log_many(entries[first:first + 10000])
        self.write({"state": "done", "plan": False, "undo": False})

    def _summary(self):
        return _("%(created)d created, %(updated)d updated, %(rejected)d rejected") % {
            "created": self.new_count, "updated": self.update_count, "rejected": self.reject_count}

    def _fail_commit(self, progress, chunk, error):
        """Take back what the chunks before applied, and say which row failed and why."""
        self.env.clear()  # the chunk's own writes went with its savepoint
        undo = json.loads(self.undo)
        for partner_id, values in undo["previous"].items():
            self.env["res.partner"].browse(int(partner_id)).write(values)
        self.env["res.partner"].browse(undo["created"]).unlink()
        message = getattr(error, "name", None) or (
            error.diag.message_primary if isinstance(error, psycopg2.Error) and error.diag else None) or str(error)
        reason = _("Nothing was imported: lines %d-%d could not be saved (%s). Correct the file and run "
                   "the dry run again.") % (chunk[0]["line"], chunk[-1]["line"], message)
        self.write({"state": "preview", "plan": False, "undo": False})
        progress.fail(reason)
        return reason

    @api.multi
    def action_download_rejects(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url", "target": "self",
            "url": "/web/content?model=%s&id=%d&field=rejects_file&filename_field=rejects_filename&download=true"
                   % (self._name, self.id),
        }

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new"}


class EcrmPartnerImportLine(models.TransientModel):
    _name = "ecrm.partner.import.line"
    _description = "Validated customer import: one row"
    _order = "line"

    import_id = fields.Many2one("ecrm.partner.import", required=True, ondelete="cascade")
    line = fields.Integer(required=True)
    action = fields.Selection(ACTIONS, required=True)
    partner_id = fields.Many2one("res.partner", "Matches")
    duplicate_of_id = fields.Many2one("res.partner", "Looks like")
    name = fields.Char()
    email = fields.Char()
    reason = fields.Char()
    warning = fields.Char(help="Saved all the same; worth correcting.")
    changes = fields.Text("Changes", help="What an update changes on the customer, field by field.")


class EcrmPartnerImportColumn(models.TransientModel):
    _name = "ecrm.partner.import.column"
    _description = "Validated customer import: column mapping"
    _order = "sequence"

    import_id = fields.Many2one("ecrm.partner.import", required=True, ondelete="cascade")
    sequence = fields.Integer()
    column = fields.Char(required=True, readonly=True)
    field = fields.Selection([(name, name.replace("_", " ").capitalize()) for name in reading.PARTNER_FIELDS
                              if name != "is_company"], string="Customer field",
                             help="Leave empty to ignore the column.")
