# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from ..timeline import rows as interaction_rows

class EcrmInteractionType(models.Model):
    """What happened in an interaction: the timeline's vocabulary.

    Modules and integrators log by ``code``; staff pick a type by its label. Each
    module ships the types it logs; an eCRM Manager adds the company's own.
    """

    _name = "ecrm.interaction.type"
    _description = "Interaction type"
    _order = "sequence, name, id"

    name = fields.Char("Label", required=True, translate=True)
    code = fields.Char(
        required=True, index=True,
        help="What modules and integrators log (log / log_many), e.g. order_received. "
             "It cannot change once an interaction uses it.")
    channel = fields.Selection(
        "_selection_channel", string="Usual channel",
        help="The channel an entry of this type gets when none is given.")
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")], string="Usual direction")
    staff_log = fields.Boolean(
        "Logged by staff", default=True,
        help="Offered to staff logging an interaction by hand. The others are logged by the "
             "suite and the host (orders, invoices, e-mails, ledger events).")
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    interaction_count = fields.Integer("Interactions", compute="_compute_interaction_count")

    _sql_constraints = [
        ("code_unique", "unique(code)", "Another interaction type has this code."),
    ]

    @api.model
    def _selection_channel(self):
        return self.env["ecrm.interaction"]._fields["channel"].selection

    @api.constrains("code")
    def _check_code(self):
        for interaction_type in self:
            if not interaction_rows.TYPE_CODE.match(interaction_type.code or ""):
                raise ValidationError(_(
                    "Type code %(code)r must be a lower-case code of letters, digits and underscores, "
                    "starting with a letter (e.g. order_received).") % {"code": interaction_type.code})

    def _compute_interaction_count(self):
        counts = {group["type_id"][0]: group["type_id_count"] for group in self.env["ecrm.interaction"]
                  .read_group([("type_id", "in", self.ids)], ["type_id"], ["type_id"])}
        for interaction_type in self:
            interaction_type.interaction_count = counts.get(interaction_type.id, 0)

    @api.model
    def create(self, vals):
        interaction_type = super().create(vals)
        self.clear_caches()
        return interaction_type

    @api.multi
    def write(self, vals):
        # a data file re-loaded (install mode) writes every field, the same code included
        if "code" in vals and self.filtered(lambda kind: kind.code != vals["code"])._used():
            raise UserError(_(
                "A type's code cannot change once interactions use it: modules and integrators "
                "log by it. Change its label instead, or archive it and add a new type."))
        result = super().write(vals)
        if {"code", "channel", "direction"} & set(vals):
            self.clear_caches()
        return result

    @api.multi
    def unlink(self):
        if self._used():
            raise UserError(_(
                "Interactions of this type are on the timeline: archive the type instead of "
                "deleting it."))
        result = super().unlink()
        self.clear_caches()
        return result

    def _used(self):
        return bool(self.ids) and bool(self.env["ecrm.interaction"].sudo().search_count(
            [("type_id", "in", self.ids)]))

    @api.model
    @tools.ormcache()
    def _by_code(self):
        """{code: TypeDefaults} of every type, archived ones included (an archived type is no
        longer offered to staff; what integrators log by it is still accepted). An ormcache:
        one tiny query per worker until a type changes, not one per logged batch."""
        self.env.cr.execute("SELECT code, id, channel, direction FROM ecrm_interaction_type")
        return {code: interaction_rows.TypeDefaults(type_id, channel, direction)
                for code, type_id, channel, direction in self.env.cr.fetchall()}

    @api.multi
    def action_view_interactions(self):
        self.ensure_one()
        self.check_access_rights("read")
        self.check_access_rule("read")
        action = self.env.ref("ecrm_core.ecrm_interaction_action").read()[0]
        action["domain"] = [("type_id", "=", self.id)]
        action["context"] = {"default_type_id": self.id}
        return action
