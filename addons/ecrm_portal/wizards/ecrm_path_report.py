# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import api, fields, models
from odoo.tools import html_escape


class EcrmPathReport(models.TransientModel):
    """Entry pages, exit pages and paths that reached the cart without an order, over a period."""

    _name = "ecrm.path.report"
    _description = "Visitor paths"

    date_from = fields.Date(required=True, default=lambda self: fields.Date.to_string(
        fields.Date.from_string(fields.Date.context_today(self)) - datetime.timedelta(days=30)))
    date_to = fields.Date()
    limit = fields.Integer("Rows per table", default=20)
    result_html = fields.Html("Paths", compute="_compute_result_html", sanitize=False)

    @api.depends("date_from", "date_to", "limit")
    def _compute_result_html(self):
        for wizard in self:
            if not wizard.date_from:
                wizard.result_html = False
                continue
            date_to = wizard.date_to and "%s 23:59:59" % wizard.date_to
            report = self.env["ecrm.page.view"].ecrm_path_report(wizard.date_from, date_to, wizard.limit or 20)
            wizard.result_html = "".join((
                _table("Entry pages", "Page", [(path, count) for path, count in report["entry"]]),
                _table("Exit pages", "Page", [(path, count) for path, count in report["exit"]]),
                _table("Paths that reached the cart without an order", "Path",
                       [(" > ".join(path), count) for path, count in report["cart_without_order"]]),
            ))


def _table(title, label, rows):
    body = "".join("<tr><td>%s</td><td>%d</td></tr>" % (html_escape(text), count) for text, count in rows)
    return ("<h3>%s</h3><table class='table table-condensed'><tr><th>%s</th><th>Sessions</th></tr>%s</table>"
            % (html_escape(title), html_escape(label), body or "<tr><td colspan='2'>None</td></tr>"))
