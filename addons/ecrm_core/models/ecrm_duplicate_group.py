# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import itertools

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..dedupe import matching


class EcrmDuplicateGroup(models.Model):
    """Customers the scanner believes are one and the same, waiting for a person's decision."""

    _name = "ecrm.duplicate.group"
    _description = "Probable duplicate customers"
    _inherit = ["mail.thread"]
    _order = "state, score desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    partner_ids = fields.Many2many("res.partner", string="Customers", readonly=True)
    partner_count = fields.Integer(compute="_compute_name", store=True)
    score = fields.Float(readonly=True, group_operator="avg", help="0-100: how sure the scanner is.")
    reason = fields.Char(readonly=True)
    state = fields.Selection(
        [("open", "To review"), ("merged", "Merged"), ("dismissed", "Not duplicates")],
        default="open", required=True, readonly=True, track_visibility="onchange")
    survivor_id = fields.Many2one("res.partner", "Keep", help="The customer that stays after the merge.")
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, index=True, readonly=True,
        help="The company of the customers (a scan pairs customers of one company only); empty for "
             "customers shared by every company.")

    @api.depends("partner_ids.company_id")
    def _compute_company_id(self):
        for group in self:
            group.company_id = group.partner_ids[:1].company_id

    @api.constrains("partner_ids")
    def _check_one_company(self):
        for group in self:
            if len(set(group.partner_ids.mapped(lambda partner: partner.company_id.id))) > 1:
                raise ValidationError(_("A duplicate group holds customers of one company only."))

    @api.depends("partner_ids")
    def _compute_name(self):
        for group in self:
            group.partner_count = len(group.partner_ids)
            group.name = " / ".join(group.partner_ids.mapped("display_name")[:3])

    @api.model
    def scan(self, domain=None):
        """Find duplicate groups among the customers matching ``domain``; returns how many.

        Open proposals about these customers are brought up to date: one found again is kept,
        one no longer found goes. Merged and dismissed groups stay, and pairs a person
        dismissed are never proposed again.
        """
        if not self._is_manager():
            raise AccessError(_("Only an eCRM manager may scan customers for duplicates."))
        # the customers the manager may read (the host's record rules) among ``domain``
        partner_ids = self.env["res.partner"].search(list(domain or [])).ids
        self.env.cr.execute(
            "SELECT id, name, email, phone, mobile, zip, vat, company_id FROM res_partner WHERE id IN %s",
            (tuple(partner_ids) or (0,),))
        by_company = {}
        for row in self.env.cr.fetchall():
            by_company.setdefault(row[-1], []).append(row[:-1])
        # customers of different companies are never one customer: each company is matched apart
        skip_pairs = self._dismissed_pairs()
        found = sorted((group for rows in by_company.values()
                        for group in matching.find_groups(matching.prepare(rows), skip_pairs=skip_pairs)),
                       key=lambda group: (-group[1], group[0]))
        # proposals about the scanned customers are brought up to date: one found again keeps its
        # record (someone may be reviewing it while a background scan runs), one no longer found
        # goes, a new one is added; others' proposals stay for review
        open_groups = {frozenset(group.partner_ids.ids): group for group in self.search(
            [("state", "=", "open"), ("partner_ids", "in", partner_ids)])}
        quiet = self.with_context(tracking_disable=True, mail_create_nolog=True)
        for members, score, reason in found:
            kept = open_groups.pop(frozenset(members), None)
            if kept:
                if (kept.score, kept.reason) != (score, reason):
                    kept.write({"score": score, "reason": reason})
                continue
            quiet.create({"partner_ids": [(6, 0, members)], "score": score, "reason": reason,
                         "survivor_id": members[0]})
        self.browse().union(*open_groups.values()).unlink()
        return len(found)

    @api.model
    def _dismissed_pairs(self):
        self.env.cr.execute("""
            SELECT array_agg(rel.res_partner_id) FROM ecrm_duplicate_group g
              JOIN ecrm_duplicate_group_res_partner_rel rel ON rel.ecrm_duplicate_group_id = g.id
             WHERE g.state = 'dismissed' GROUP BY g.id""")
        return frozenset(frozenset(pair) for (members,) in self.env.cr.fetchall()
                         for pair in itertools.combinations(members, 2))

    @api.multi
    def action_dismiss(self):
        self.write({"state": "dismissed"})
        return True

    @api.model
    def _is_manager(self):
        return self.env.uid == SUPERUSER_ID or self.env.user.has_group("ecrm_core.group_ecrm_manager")

    @api.multi
    def action_merge(self):
        """Merge with Odoo's own partner merge (foreign keys follow the survivor)."""
        if not self._is_manager():
            raise AccessError(_("Only an eCRM manager may merge customers."))
        # the manager may read these groups (record rules) and so their customers; the host
        # wizard itself is the administrator's, hence sudo() once that is checked
        self.check_access_rule("write")
        Wizard = self.env["base.partner.merge.automatic.wizard"].sudo()
        for group in self.filtered(lambda g: g.state == "open"):
            survivor = group.survivor_id or group.partner_ids[:1]
            others = group.partner_ids - survivor
            summary = ", ".join("%s <%s> (#%d)" % (p.name, p.email or "-", p.id) for p in others)
            # the host wizard merges at most three at a time
            for start in range(0, len(others), 2):
                Wizard._merge((survivor | others[start:start + 2]).ids, survivor)
            # consents arrived by SQL (the host merge): refresh the stored per-channel states
            survivor.invalidate_cache()
            for name in ("ecrm_consent_email", "ecrm_consent_phone", "ecrm_consent_post", "ecrm_consent_sms"):
                self.env.add_todo(survivor._fields[name], survivor)
            survivor.recompute()
            group.state = "merged"
            survivor.message_post(body=_("Merged duplicates %s (duplicate group #%d, %s).")
                                  % (summary, group.id, group.reason))
            self.env["res.partner"]._ecrm_recompute_360(survivor.ids)  # a manager's merge, checked above
        return True

    @api.multi
    def action_open_merge_wizard(self):
        """Odoo's merge wizard pre-filled, for choosing field by field."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "base.partner.merge.automatic.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "res.partner", "active_ids": self.partner_ids.ids,
                        "default_dst_partner_id": (self.survivor_id or self.partner_ids[:1]).id},
        }
