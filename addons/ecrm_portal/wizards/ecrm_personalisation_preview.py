# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html_escape

from ..personalisation import engine


class EcrmPersonalisationPreview(models.TransientModel):
    """Preview as: which rules would fire for this customer (or an anonymous visitor), and why."""

    _name = "ecrm.personalisation.preview"
    _description = "Preview personalisation as a visitor"

    website_id = fields.Many2one("website", required=True,
                                 default=lambda self: self.env["website"].search([], limit=1))
    partner_id = fields.Many2one("res.partner", "Customer", help="Empty: an anonymous visitor.")
    visit_count = fields.Integer(default=1)
    country_id = fields.Many2one("res.country")
    utm_source = fields.Char("UTM source")
    utm_medium = fields.Char("UTM medium")
    utm_campaign = fields.Char("UTM campaign")
    result_html = fields.Html("Outcome", compute="_compute_result_html", sanitize=False)

    @api.multi
    def _profile(self, rules):
        self.ensure_one()
        partner = self.partner_id
        profile = self.website_id._ecrm_base_profile(
            rules, partner.id, None, visit_count=self.visit_count,
            utm={"source": self.utm_source, "medium": self.utm_medium, "campaign": self.utm_campaign})
        profile["visitor_key"] = "partner:%d" % partner.id if partner else "preview"
        profile["country_code"] = self.country_id.code or profile["country_code"]
        if partner and "pricelist" in rules.needs:
            profile["pricelist_id"] = partner.property_product_pricelist.id
        profile["names"] = self._names(rules)
        return profile

    def _names(self, rules):
        """{kind: {id: name}} of the categories, segments and pricelists the rules name, for the reasons."""
        wanted = {"category": set(), "segment": set(), "pricelist": set()}
        for rule in rules:
            conditions = rule.get("conditions") or {}
            for key in ("purchased_category_ids", "viewed_category_ids", "interest_category_ids"):
                wanted["category"].update(conditions.get(key) or ())
            wanted["segment"].update(conditions.get("segment_ids") or ())
            wanted["pricelist"].update(conditions.get("pricelist_ids") or ())
        # labels only, of records the rules name (the preview is for eCRM users): read as the superuser,
        # so a pricelist of another company does not break the preview
        models_ = {"category": "product.category", "segment": "ecrm.portal.segment", "pricelist": "product.pricelist"}
        return {kind: dict(self.env[models_[kind]].sudo().browse(ids).exists().name_get()) if ids else {}
                for kind, ids in wanted.items()}

    @api.multi
    def preview(self):
        """Plain result for integrators: [{rule_id, name, matched, variant, wins, reasons}].

        ``variant`` is "treatment", "control" or false (the rule did not match): XML-RPC has no None.
        """
        self.ensure_one()
        if not self.env.user.has_group("ecrm_core.group_ecrm_user"):
            raise AccessError(_("Only eCRM users may preview personalisation."))
        rules = self.env["ecrm.personalisation.rule"]._compiled_rules(self.website_id.id)
        decision = engine.decide(rules, self._profile(rules), explain=True)
        return [{
            "rule_id": evaluation.rule["id"], "name": evaluation.rule["name"], "matched": evaluation.matched,
            "variant": evaluation.variant or False, "wins": evaluation.rule["id"] in decision.impressions,
            "reasons": [(_("Met: %s") if check.ok else _("Not met: %s")) % check.reason
                        for check in evaluation.checks],
        } for evaluation in decision.evaluations]

    @api.depends("website_id", "partner_id", "visit_count", "country_id", "utm_source", "utm_medium", "utm_campaign")
    def _compute_result_html(self):
        for wizard in self:
            if not wizard.website_id:
                wizard.result_html = False
                continue
            rows = "".join(
                "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
                    html_escape(row["name"]), "yes" if row["matched"] else "no",
                    html_escape(row["variant"] or "") + (" (applied)" if row["wins"] else ""),
                    "<br/>".join(html_escape(reason) for reason in row["reasons"]) or "no conditions")
                for row in wizard.preview())
            wizard.result_html = ("<table class='table table-condensed'><tr><th>Rule</th><th>Matches</th>"
                                  "<th>Arm</th><th>Why</th></tr>%s</table>" % rows)
