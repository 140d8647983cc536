# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from ..quality import checks


class EcrmQualityRule(models.Model):
    """A configurable validation rule on a customer field.

    Blocking rules refuse bad data on create and write - from the form, over
    XML-RPC and through imports alike. Warning rules only lower the record's
    data-quality score.
    """

    _name = "ecrm.quality.rule"
    _inherit = ["ecrm.cached.rules.mixin"]
    _description = "Customer data validation rule"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    field_id = fields.Many2one(
        "ir.model.fields", "Field", required=True, ondelete="cascade",
        domain=[("model", "=", "res.partner"), ("store", "=", True), ("ttype", "in", ("char", "text"))])
    kind = fields.Selection(
        [("required", "Required"), ("regex", "Regular expression"), ("email", "E-mail address"),
         ("uk_postcode", "UK postcode"), ("uk_phone", "UK phone number"), ("vat", "VAT number")],
        required=True)
    pattern = fields.Char(help="For 'Regular expression' rules: the value must contain a match.")
    severity = fields.Selection([("blocking", "Blocking"), ("warning", "Warning")],
                                required=True, default="warning")
    message = fields.Char(required=True, translate=True,
                          help="Shown to the person entering the data: say what to fix.")
    country_ids = fields.Many2many(
        "res.country", string="Only for countries",
        help="Apply the rule only to customers in these countries; empty means everyone.")

    @api.constrains("kind", "pattern")
    def _check_pattern(self):
        for rule in self.filtered(lambda r: r.kind == "regex"):
            try:
                re.compile(rule.pattern or "")
            except re.error as error:
                raise ValidationError(_("Rule %s: invalid regular expression: %s") % (rule.name, error))

    @api.model
    @tools.ormcache()
    def _partner_rules(self):
        """Active rules as plain tuples, cached until a rule changes."""
        return tuple(
            (rule.id, rule.field_id.name, rule.kind, rule.pattern, rule.severity, rule.message,
             frozenset(rule.country_ids.ids))
            for rule in self.sudo().search([]))


def failed_rules(rules, values):
    """The rules that ``values`` (field name -> value, plus 'country_id') break."""
    return [
        rule for rule in rules
        if (not rule[6] or values.get("country_id") in rule[6])
        and not checks.check_value(rule[2], values.get(rule[1]), rule[3])
    ]
