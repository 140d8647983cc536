# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import itertools
from collections import defaultdict, namedtuple

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..dedupe import matching

MergePlan = namedtuple("MergePlan", "survivor others")

# each scanned customer as matching.Row, its ancestors (company, parent contact) included, then its company
SCAN_ROWS = """
    WITH RECURSIVE lineage(id, ancestor_id) AS (
            SELECT id, parent_id FROM res_partner WHERE id IN %(ids)s AND parent_id IS NOT NULL
        UNION
            SELECT lineage.id, parent.parent_id
              FROM lineage JOIN res_partner parent ON parent.id = lineage.ancestor_id
             WHERE parent.parent_id IS NOT NULL)
    SELECT p.id, p.name, p.email, p.phone, p.mobile, p.zip, p.vat, p.commercial_partner_id,
           array_remove(array_agg(lineage.ancestor_id), NULL), p.company_id
      FROM res_partner p LEFT JOIN lineage ON lineage.id = p.id
     WHERE p.id IN %(ids)s
     GROUP BY p.id"""


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
    dropped_partner_ids = fields.Many2many(
        "res.partner", "ecrm_duplicate_group_dropped_rel", "group_id", "partner_id", "Dropped", readonly=True,
        help="Customers a person took out of this group: never proposed again with its customers.")
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

    @api.constrains("partner_ids", "survivor_id")
    def _check_survivor_in_group(self):
        for group in self:
            if group.survivor_id and group.survivor_id not in group.partner_ids:
                raise ValidationError(_("The customer to keep must be one of the group's customers."))

    def _raise_if_relatives(self):
        """A company and its own contact are never duplicates (the host refuses to merge them)."""
        for partner in self.partner_ids:
            company = self._ancestors(partner) & self.partner_ids
            if company:
                raise ValidationError(_("%(contact)s is a contact of %(company)s: a company and its own contacts are "
                                        "not duplicates. Drop one of them from the group.")
                                      % {"contact": partner.display_name, "company": company[0].display_name})

    @staticmethod
    def _ancestors(partner):
        ancestors = partner.browse()
        parent = partner.parent_id
        while parent and parent not in ancestors:
            ancestors |= parent
            parent = parent.parent_id
        return ancestors

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
        dismissed (or a customer dropped from a group) are never proposed again. A company and
        its own contacts are never proposed together.
        """
        if not self._is_manager():
            raise AccessError(_("Only an eCRM manager may scan customers for duplicates."))
        # the customers the manager may read (the host's record rules) among ``domain``
        partner_ids = self.env["res.partner"].search(list(domain or [])).ids
        found = self._find_groups(partner_ids)
        self._update_open_groups(partner_ids, found)
        return len(found)

    @api.model
    def _find_groups(self, partner_ids):
        """matching.Groups among ``partner_ids``, best first."""
        self.env.cr.execute(SCAN_ROWS, {"ids": tuple(partner_ids) or (0,)})
        by_company = defaultdict(list)
        for *row, company_id in self.env.cr.fetchall():
            by_company[company_id].append(matching.Row(*row))
        # customers of different companies are never one customer: each company is matched apart
        skip_pairs = self._dismissed_pairs()
        found = [group for rows in by_company.values()
                 for group in matching.find_groups(matching.prepare(rows), skip_pairs=skip_pairs)]
        return sorted(found, key=lambda group: (-group.score, group.ids))

    @api.model
    def _update_open_groups(self, partner_ids, found):
        # proposals about the scanned customers are brought up to date: one found again keeps its
        # record (someone may be reviewing it while a background scan runs), one no longer found
        # goes, a new one is added; others' proposals stay for review
        open_groups = {frozenset(group.partner_ids.ids): group for group in self.search(
            [("state", "=", "open"), ("partner_ids", "in", partner_ids)])}
        quiet = self.with_context(tracking_disable=True, mail_create_nolog=True)
        for group in found:
            kept = open_groups.pop(frozenset(group.ids), None)
            if not kept:
                quiet.create({"partner_ids": [(6, 0, group.ids)], "score": group.score, "reason": group.reason,
                              "survivor_id": group.ids[0]})
            elif (kept.score, kept.reason) != (group.score, group.reason):
                kept.write({"score": group.score, "reason": group.reason})
        self.browse().union(*open_groups.values()).unlink()

    @api.model
    def _dismissed_pairs(self):
        """{frozenset of two ids} a person said are not duplicates: the customers of a dismissed
        group, and a customer dropped from a group with each customer of that group."""
        self.env.cr.execute("""
            SELECT array_agg(rel.res_partner_id) FROM ecrm_duplicate_group g
              JOIN ecrm_duplicate_group_res_partner_rel rel ON rel.ecrm_duplicate_group_id = g.id
             WHERE g.state = 'dismissed' GROUP BY g.id""")
        pairs = {frozenset(pair) for (members,) in self.env.cr.fetchall()
                 for pair in itertools.combinations(members, 2)}
        self.env.cr.execute("""
            SELECT dropped.partner_id, member.res_partner_id FROM ecrm_duplicate_group_dropped_rel dropped
              JOIN ecrm_duplicate_group_res_partner_rel member ON member.ecrm_duplicate_group_id = dropped.group_id""")
        pairs.update(frozenset(pair) for pair in self.env.cr.fetchall())
        return frozenset(pairs)

    @api.multi
    def action_dismiss(self):
        self.write({"state": "dismissed"})
        return True

    def _close_too_small(self):
        """Fewer than two customers left propose nothing: the group is closed as not duplicates."""
        self.write({"state": "dismissed"})

    def _drop(self, partners, reason=None):
        """Take ``partners`` out of this open group for good (a rescan does not put them back)."""
        self.ensure_one()
        # eCRM Users may, as they may dismiss the whole group; the write below checks it too
        self.check_access_rights("write")
        self.check_access_rule("write")
        if self.state != "open":
            raise UserError(_("%(group)s is no longer to review: nobody can be dropped from it.")
                            % {"group": self.name})
        strangers = partners - self.partner_ids
        if not partners or strangers:
            raise UserError(_("%(customer)s is not in this group.")
                            % {"customer": ", ".join(strangers.mapped("display_name")) or _("Nobody")})
        left = self.partner_ids - partners
        self.write({
            "partner_ids": [(3, partner.id) for partner in partners],
            "dropped_partner_ids": [(4, partner.id) for partner in partners],
            "survivor_id": (self.survivor_id if self.survivor_id in left else left[:1]).id,
        })
        self.message_post(body=_("Dropped %(customers)s: %(reason)s") % {
            "customers": ", ".join(partners.mapped("display_name")),
            "reason": reason or _("not a duplicate of the others.")})
        if len(left) < 2:
            self._close_too_small()

    @api.model
    def _is_manager(self):
        return self.env.uid == SUPERUSER_ID or self.env.user.has_group("ecrm_core.group_ecrm_manager")

    def _check_manager(self):
        if not self._is_manager():
            raise AccessError(_("Only an eCRM manager may merge customers."))

    @api.multi
    def action_merge(self):
        """Merge each open group into its kept customer with Odoo's own partner merge, in one click.

        The host re-points every reference to the merged customers (orders, invoices, interactions,
        consents, messages) to the kept one and deletes them; the group is then merged and names
        the kept customer (wizards/base_partner_merge.py).
        """
        self._check_manager()
        # the manager may read these groups (record rules) and so their customers; the host
        # wizard itself is the administrator's, hence sudo() once that is checked
        self.check_access_rule("write")
        for group in self.filtered(lambda g: g.state == "open"):
            plan = group._merge_plan()
            if plan:
                group._merge_into(plan)
        return True

    def _merge_plan(self):
        """MergePlan(survivor, others) of this open group; None, and the group closed, when fewer than
        two of its customers are left (deleted or merged elsewhere meanwhile)."""
        members = self.partner_ids.exists()
        if len(members) < 2:
            self._close_too_small()
            return None
        if not self.survivor_id:  # chosen and deleted since: never guess another one
            raise UserError(_("Choose the customer to keep in %(group)s: the one chosen no longer exists.")
                            % {"group": self.name})
        self._raise_if_relatives()
        return MergePlan(self.survivor_id, members - self.survivor_id)

    def _merge_into(self, plan):
        merged = ", ".join("%s <%s> (#%d)" % (p.name, p.email or "-", p.id) for p in plan.others)
        reason, survivor = self.reason, plan.survivor.sudo()
        Wizard = self.env["base.partner.merge.automatic.wizard"].sudo()
        for start in range(0, len(plan.others), 2):  # the host merges at most three at a time
            Wizard._merge((plan.survivor | plan.others[start:start + 2]).ids, survivor)
        values = {"merged": merged, "group": self.id, "reason": reason}
        survivor.message_post(body=_("Merged duplicates %(merged)s (duplicate group #%(group)d, %(reason)s).")
                              % values, author_id=self.env.user.partner_id.id)
        self.message_post(body=_("Merged %(merged)s into %(survivor)s.")
                          % dict(values, survivor=survivor.display_name))

    def _after_host_merge(self, survivor):
        """The host merged some of these groups' customers into ``survivor``, re-pointing our rows to it
        in SQL: names are brought up to date, and a group left with one customer is merged."""
        self.invalidate_cache()
        for name in ("name", "partner_count", "company_id"):
            self.env.add_todo(self._fields[name], self)
        self.recompute()
        self.filtered(lambda group: group.partner_count < 2).write({"state": "merged", "survivor_id": survivor.id})

    @api.multi
    def action_open_merge_wizard(self):
        """Odoo's merge wizard on this group's customers, the kept one as destination, to choose
        field by field (the host's own checks apply, e.g. only the administrator merges customers
        with different e-mail addresses)."""
        self.ensure_one()
        self._check_manager()
        if self.state != "open":
            raise UserError(_("%(group)s is no longer to review.") % {"group": self.name})
        self._raise_if_relatives()
        wizard = self.env["base.partner.merge.automatic.wizard"].create({
            "state": "selection", "partner_ids": [(6, 0, self.partner_ids.ids)],
            "dst_partner_id": (self.survivor_id or self.partner_ids[:1]).id})
        return {"type": "ir.actions.act_window", "res_model": wizard._name, "res_id": wizard.id,
                "view_mode": "form", "target": "new"}
