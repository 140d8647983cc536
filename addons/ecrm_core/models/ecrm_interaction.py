# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import ValidationError

from ..timeline import host_events
from ..timeline import rows as interaction_rows
from .bulk_insert import insert_rows

CHANNEL_LABELS = {"web_form": "Web form", "sms": "SMS", "eprocurement": "E-procurement"}
# Constraints that timeline/rows.py applies to every row of log_many before the insert;
# the insert does not run them a second time, record by record.
CHECKED_BY_ROWS = ("_check_interaction_type", "_check_source_document")
CHANNEL_SELECTION = [(code, CHANNEL_LABELS.get(code, code.capitalize())) for code in interaction_rows.CHANNELS]
# The feed's Font Awesome 4 icon (Odoo 11's) of each channel.
CHANNEL_ICONS = {
    "email": "fa-envelope", "phone": "fa-phone", "letter": "fa-file-text-o", "fax": "fa-fax",
    "web_form": "fa-globe", "portal": "fa-user-circle", "chat": "fa-comments", "meeting": "fa-users",
    "sms": "fa-mobile", "eprocurement": "fa-exchange", "ledger": "fa-gbp", "other": "fa-circle-o",
}


DEFAULTED = ("company_id", "user_id", "date", "direction")


def source_key_of(values):
    """What makes an entry unique: its company and its source key."""
    return values.get("company_id"), values.get("source_key")


class EcrmInteraction(models.Model):
    """One entry of a customer's timeline, whatever channel it came through.

    Modules write here through ``log`` / ``log_many`` only; nothing keeps a
    private contact history elsewhere.
    """

    _name = "ecrm.interaction"
    _description = "Customer interaction"
    _inherit = ["utm.mixin"]
    _order = "date desc, id desc"
    _rec_name = "subject"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    commercial_partner_id = fields.Many2one(
        "res.partner", string="Company", related="partner_id.commercial_partner_id",
        store=True, index=True, readonly=True,
        help="The company the customer belongs to, for company roll-up.")
    channel = fields.Selection(CHANNEL_SELECTION, required=True, index=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")], required=True, default="inbound")
    type_id = fields.Many2one(
        "ecrm.interaction.type", string="Type", index=True, ondelete="restrict",
        help="What happened. Staff pick it by its label; modules and integrators log its code.")
    # The type's code, stored beside it: the integrators' API (log / log_many take the code),
    # and what the campaign triggers' and the portal's SQL filter on without a join. create,
    # write and log_many keep the two in step; _check_interaction_type proves it.
    interaction_type = fields.Char(
        string="Type code", required=True, index=True,
        help="The type's code, e.g. order_received, cart_abandoned, call_me.")
    date = fields.Datetime(required=True, index=True, default=fields.Datetime.now)
    subject = fields.Char()
    body = fields.Text()
    res_model = fields.Char(string="Source model", index=True)
    res_id = fields.Integer(string="Source record id", index=True)
    source_ref = fields.Reference(
        selection="_selection_source_model", string="Source document",
        compute="_compute_source_ref")
    source_url = fields.Char(compute="_compute_source_ref", help="The source document in the web client.")
    channel_icon = fields.Char(compute="_compute_channel_icon")
    company_id = fields.Many2one(
        "res.company", required=True, index=True,
        default=lambda self: self.env.user.company_id)
    user_id = fields.Many2one(
        "res.users", string="Logged by", default=lambda self: self.env.user)
    source_key = fields.Char(
        readonly=True, copy=False,
        help="What the entry was logged from (a message's Message-ID, an order's confirmation, "
             "a ledger line): the same event is never logged twice.")

    _sql_constraints = [
        ("source_key_unique", "unique(company_id, source_key)", "This event is on the timeline already."),
    ]

    @api.model
    def _selection_source_model(self):
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("res_model", "res_id")
    def _compute_source_ref(self):
        """The source document where it exists and the user may read it: a salesperson sees an
        entry about a colleague's order, not the order (nor its name, which the form would ask)."""
        readable = {}
        for res_model in set(self.filtered("res_model").mapped("res_model")):
            if res_model in self.env and self.env[res_model].check_access_rights("read", raise_exception=False):
                ids = self.filtered(lambda rec: rec.res_model == res_model).mapped("res_id")
                readable[res_model] = set(self.env[res_model].with_context(active_test=False).search(
                    [("id", "in", ids)]).ids)
        for interaction in self:
            found = interaction.res_id in readable.get(interaction.res_model, ())
            interaction.source_ref = found and "%s,%d" % (interaction.res_model, interaction.res_id)
            interaction.source_url = found and "/web#model=%s&id=%d" % (interaction.res_model, interaction.res_id)

    @api.depends("channel")
    def _compute_channel_icon(self):
        for interaction in self:
            interaction.channel_icon = CHANNEL_ICONS.get(interaction.channel, CHANNEL_ICONS["other"])

    @api.constrains("interaction_type", "type_id")
    def _check_interaction_type(self):
        for interaction in self:
            if interaction.type_id.code != interaction.interaction_type:
                raise ValidationError(_("Interaction %(subject)r: type %(type)r does not have the code %(code)r.") % {
                    "subject": interaction.subject, "type": interaction.type_id.name,
                    "code": interaction.interaction_type})

    @api.onchange("type_id")
    def _onchange_type_id(self):
        if self.type_id:
            self.interaction_type = self.type_id.code
            self.channel = self.type_id.channel or self.channel
            self.direction = self.type_id.direction or self.direction

    @api.model
    def _with_type(self, vals, creating=False):
        """``vals`` with the type and its code in step: the code of a type picked by id, or the
        type of a code given; the type's usual channel when none is given, and on create its
        usual direction too (as ``log_many`` does; a write keeps the entry's direction)."""
        if not isinstance(vals, dict) or not (vals.get("type_id") or vals.get("interaction_type")):
            return vals
        Type = self.env["ecrm.interaction.type"]
        if vals.get("type_id"):
            interaction_type = Type.sudo().browse(vals["type_id"]).exists()
            if not interaction_type:
                raise ValidationError(_("Unknown interaction type id %(id)r.") % {"id": vals["type_id"]})
            vals = dict(vals, interaction_type=interaction_type.code)
            defaults = Type._by_code()[interaction_type.code]
        else:
            defaults = Type._by_code().get(vals["interaction_type"])
            if not defaults:
                raise ValidationError(interaction_rows.format_problems([interaction_rows.Problem(
                    0, interaction_rows.type_problem(vals["interaction_type"], Type._by_code()))]))
            vals = dict(vals, type_id=defaults.id)
        if defaults.channel and not vals.get("channel"):
            vals["channel"] = defaults.channel
        if creating and defaults.direction and not vals.get("direction"):
            vals["direction"] = defaults.direction
        return vals

    @api.constrains("res_model", "res_id")
    def _check_source_document(self):
        for interaction in self:
            if bool(interaction.res_model) != bool(interaction.res_id):
                raise ValidationError(_("Source model and source record id go together."))
            if interaction.res_model and interaction.res_model not in self.env:
                raise ValidationError(_("Unknown source model %r.") % interaction.res_model)

    # ---- public API (XML-RPC): the only way modules write to the stream ----

    @api.model
    def log(self, vals):
        """Log one interaction; returns its id. Raises ValidationError, writes nothing, on bad input."""
        return self.log_many([vals])[0]

    @api.model
    def log_many(self, vals_list):
        """Log a batch of interactions; returns their ids in input order.

        Every row is validated before anything is written; one bad row rejects
        the batch with a ValidationError naming each bad row by index. A row whose
        ``source_key`` is on the company's timeline already (a retry, a re-run import) is
        not logged again: its position gets the stored entry's id. Keys of the form of the
        host's own events (``mail:...``, ``sale.order,42:sale``) are the host hooks' alone.
        """
        return self._log_many(vals_list)

    @api.model
    def _log_many(self, vals_list, host_keys=False):
        """``log_many``; with ``host_keys``, for the host hooks' own rows: they may use the host's
        key forms, and the records they name were just read, so their existence is not asked
        again (the rows are still validated, and the database's foreign keys still hold)."""
        self.check_access_rights("create")
        vals_list = self._own_author(vals_list)
        referenced = interaction_rows.referenced_ids(vals_list)
        existing = referenced if host_keys else self._existing_ids(referenced)
        types = self.env["ecrm.interaction.type"]._by_code()
        problems = interaction_rows.validate(vals_list, existing, set(self.env.registry.models), types,
                                             reserved_key=None if host_keys else host_events.is_host_key)
        if problems:
            raise ValidationError(interaction_rows.format_problems(problems))
        missing = [name for name in DEFAULTED if any(row.get(name) in (None, False) for row in vals_list)]
        defaults = self.default_get(missing) if missing else {}
        values_list = [interaction_rows.normalise(row, defaults, types) for row in vals_list]
        commercial = self._commercial_partners({values["partner_id"] for values in values_list})
        for values in values_list:
            values["commercial_partner_id"] = commercial[values["partner_id"]]
        stored = self._ids_by_source_key(map(source_key_of, values_list))
        fresh = [position for position in interaction_rows.first_of_each_key(values_list)
                 if source_key_of(values_list[position]) not in stored]
        try:
            # A rule or constraint failing after the insert must take every row
            # with it, even for a caller that catches the error and carries on.
            with self.env.cr.savepoint():
                new_ids = self._insert_rows([values_list[position] for position in fresh])
        except Exception:
            self.invalidate_cache()
            raise
        self.browse(new_ids)._after_log()
        for position, new_id in zip(fresh, new_ids):
            if values_list[position].get("source_key"):  # a key given twice: both positions get this entry
                stored[source_key_of(values_list[position])] = new_id
        by_position = dict(zip(fresh, new_ids))
        return [by_position.get(position) or stored[source_key_of(values)]
                for position, values in enumerate(values_list)]

    @api.model
    def _ids_by_source_key(self, company_keys):
        """{(company id, source key): id} of the entries stored under any of ``company_keys``."""
        wanted = tuple({pair for pair in company_keys if pair[1]})
        if not wanted:
            return {}
        self.env.cr.execute("SELECT company_id, source_key, id FROM ecrm_interaction "
                            "WHERE (company_id, source_key) IN %s", (wanted,))
        return {(company_id, key): record_id for company_id, key, record_id in self.env.cr.fetchall()}

    @api.model
    def _log_in_pages(self, vals_list, page_size=1000):
        """``log_many`` for server-side callers with thousands of rows: pages of ``page_size``,
        each page's records dropped from the cache before the next, so memory stays flat.
        Returns the ids in input order."""
        ids = []
        for start in range(0, len(vals_list), page_size):
            ids += self.log_many(vals_list[start:start + page_size])
            self.recompute()
            self.invalidate_cache()
        return ids

    @api.model
    def create(self, vals):
        self.check_access_rights("create")
        interaction = super().create(self._with_type(self._own_author([vals])[0], creating=True))
        interaction._after_log()
        return interaction

    @api.multi
    def write(self, vals):
        if "type_id" in vals or "interaction_type" in vals:
            vals = self._with_type(vals)
        return super().write(vals)

    @api.multi
    def unlink(self):
        partner_ids = self.mapped("partner_id").ids
        result = super().unlink()
        # a deleted entry no longer counts: its customers' (and companies') figures are recounted
        self.env["res.partner"]._ecrm_recount_interactions(partner_ids)
        return result

    @api.model
    def _own_author(self, vals_list):
        """The rows as stored: an eCRM User's entries are always logged by themselves.

        Whatever ``user_id`` they give (another user's, none, a copied entry's) becomes
        the caller; only an eCRM Manager logs on a colleague's behalf. New dicts: the
        caller's are left alone. Anything else is returned as is, for the validation.
        """
        if self.env.uid == SUPERUSER_ID or self.env.user.has_group("ecrm_core.group_ecrm_manager") \
                or not isinstance(vals_list, (list, tuple)):
            return vals_list
        return [dict(vals, user_id=self.env.uid) if isinstance(vals, dict) else vals for vals in vals_list]

    @api.multi
    def _after_log(self):
        """Hook run once per batch of new interactions, however they were written.

        Other modules extend it to react to the stream (campaign triggers,
        personalisation); call super() and keep it set-based.
        """
        self.env["res.partner"]._ecrm_count_new_interactions(self.ids)

    @api.model
    def _existing_ids(self, wanted):
        """One query per referenced model; existence only, so archived records count."""
        return {
            model: set(self.env[model].sudo().browse(list(ids)).exists().ids)
            for model, ids in wanted.items()
            if model in self.env
        }

    @api.model
    def _commercial_partners(self, partner_ids):
        """Company roll-up for a batch in one query (the stored related field, precomputed)."""
        self.env.cr.execute(
            "SELECT id, commercial_partner_id FROM res_partner WHERE id IN %s", (tuple(partner_ids),))
        return dict(self.env.cr.fetchall())

    @api.multi
    def _run_constraints(self, field_names, skip=()):
        """Odoo's constraint methods on ``field_names``, but those named in ``skip``."""
        field_names = set(field_names)
        for check in self._constraint_methods:
            if check.__name__ not in skip and set(check._constrains) & field_names:
                check(self)

    @api.model
    def _insert_rows(self, values_list):
        """Insert validated rows in one statement, then let the ORM finish the job.

        One INSERT from column arrays (``insert_rows``) is what makes a batch of
        1,000 cheap. Stored computed fields the rows do not carry (such as those
        other modules add) are recomputed, and Python constraints (but those rows.py already applied) and
        record rules are checked, as ``create`` would. Returns the ids in the rows' order.
        """
        # Column names come from rows.ALLOWED_KEYS and default_get, never from the caller.
        if not values_list:
            return []
        columns = sorted({column for values in values_list for column in values})
        # Keys the snapshot does not show yet: a concurrent transaction's. ON CONFLICT waits for it;
        # if it commits, PostgreSQL (REPEATABLE READ) raises a serialization failure, which Odoo's
        # RPC layer and queue_job retry and the retry finds the entry: no duplicate, no IntegrityError.
        records = self.browse(insert_rows(self, {
            column: [values.get(column) for values in values_list] for column in columns},
            on_conflict_do_nothing=("company_id", "source_key") if "source_key" in columns else None))
        for field in self._fields.values():
            if field.store and field.compute and field.name not in columns:
                self.env.add_todo(field, records)
        if self.env.recompute:  # inside the host's own recompute (a reconcile paying an invoice), it finishes ours
            self.recompute()
        records._run_constraints(columns, skip=CHECKED_BY_ROWS)
        records.check_access_rule("create")
        return records.ids
