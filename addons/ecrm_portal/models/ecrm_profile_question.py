# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class EcrmProfileQuestion(models.Model):
    """A question staff want answered, asked on /my/preferences one at a time and never twice."""

    _name = "ecrm.profile.question"
    _description = "Progressive profiling question"
    _order = "sequence, id"

    name = fields.Char("Question", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    answer_type = fields.Selection([("text", "Free text"), ("choice", "One of the options")],
                                   required=True, default="text")
    options = fields.Text(help="For 'One of the options': one option per line.")
    answer_ids = fields.One2many("ecrm.profile.answer", "question_id", readonly=True)
    answer_count = fields.Integer(compute="_compute_answer_count")

    def _compute_answer_count(self):
        counts = {group["question_id"][0]: group["question_id_count"] for group in
                  self.env["ecrm.profile.answer"].read_group([("question_id", "in", self.ids)],
                                                             ["question_id"], ["question_id"])}
        for question in self:
            question.answer_count = counts.get(question.id, 0)

    def option_list(self):
        self.ensure_one()
        return [line.strip() for line in (self.options or "").splitlines() if line.strip()]

    @api.constrains("answer_type", "options")
    def _check_options(self):
        for question in self:
            if question.answer_type == "choice" and len(question.option_list()) < 2:
                raise ValidationError(_("Question %r needs at least two options, one per line.") % question.name)


class EcrmProfileAnswer(models.Model):
    _name = "ecrm.profile.answer"
    _description = "Answer to a progressive profiling question"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade", readonly=True)
    question_id = fields.Many2one("ecrm.profile.question", required=True, index=True, ondelete="cascade",
                                  readonly=True)
    value = fields.Char("Answer", required=True, readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)

    _sql_constraints = [("partner_question_unique", "unique(partner_id, question_id)",
                         "Each question is asked once: this customer already answered it.")]
