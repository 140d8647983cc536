# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval

from odoo.addons.ecrm_core.models.ecrm_consent import CONSENT_CHANNELS
from odoo.addons.queue_job.job import job


def _through_parent(domain):
    """``domain`` read on each partner's parent company: every leaf's field path starts at parent_id."""
    return [(("parent_id.%s" % leaf[0],) + tuple(leaf[1:])) if isinstance(leaf, (list, tuple))
            and isinstance(leaf[0], str) else leaf for leaf in domain]


class EcrmSegment(models.Model):
    """A saved customer selection: a partner domain, live or frozen in a snapshot.

    Consent belongs to a person's address, and a filter often picks companies (by sector,
    revenue, orders). So the people a segment *reaches* are its members and the contact
    persons of its member companies, each on their own consent: a care home that ordered is
    reached through its manager who opted in. Only those who opted in on the segment's
    channel are ever contacted; the counts show how many are left out and why.
    """

    _name = "ecrm.segment"
    _inherit = ["ecrm.job.mixin"]
    _description = "Customer segment"
    _order = "name"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.user.company_id)
    domain = fields.Char(
        "Customers", required=True, default="[('customer', '=', True)]",
        help="Which customers belong: RFM segment, sector, revenue, days since last order, region, consent...")
    channel = fields.Selection(CONSENT_CHANNELS, required=True, default="email",
                               help="The channel the segment is contacted through; consent is checked on it.")
    member_count = fields.Integer("Members", compute="_compute_counts",
                                  help="Customers and companies the filter picks.")
    reach_count = fields.Integer("People reached", compute="_compute_counts",
                                 help="The members, and the contact persons of the member companies.")
    contactable_count = fields.Integer("Contactable", compute="_compute_counts",
                                       help="People reached who opted in on the channel.")
    opted_out_count = fields.Integer("Excluded: opted out", compute="_compute_counts")
    unknown_consent_count = fields.Integer("Excluded: no consent recorded", compute="_compute_counts")
    snapshot_member_ids = fields.Many2many(
        "res.partner", "ecrm_segment_member_rel", "segment_id", "partner_id", string="Frozen members",
        readonly=True)
    snapshot_date = fields.Datetime(readonly=True)
    mailing_list_id = fields.Many2one("mail.mass_mailing.list", "Synced mailing list", readonly=True)

    @api.depends("domain", "channel", "snapshot_member_ids")
    def _compute_counts(self):
        Partner = self.env["res.partner"]
        for segment in self:
            reach_ids = segment._reach_ids()
            summary = Partner.ecrm_consent_summary(reach_ids, segment.channel) if reach_ids else {}
            segment.member_count = len(segment._member_ids())
            segment.reach_count = len(reach_ids)
            segment.contactable_count = summary.get("opted_in", 0)
            segment.opted_out_count = summary.get("opted_out", 0)
            segment.unknown_consent_count = summary.get("unknown", 0)

    def _partner_domain(self):
        self.ensure_one()
        try:
            return safe_eval(self.domain or "[]")
        except Exception as error:
            raise UserError(_("The customer filter of segment %s cannot be read: %s") % (self.name, error))

    def _member_ids(self):
        """The frozen members once a snapshot was taken, the live domain before."""
        self.ensure_one()
        if self.snapshot_date:
            return self.snapshot_member_ids.ids
        return self.env["res.partner"].search(self._partner_domain()).ids

    def _members_domain(self):
        self.ensure_one()
        return [("id", "in", self.snapshot_member_ids.ids)] if self.snapshot_date else self._partner_domain()

    def _reach_domain(self):
        """The members, or a contact person of a member company (the host's record rules apply on search)."""
        # the host's AND / OR expect normalised domains (explicit operators), as a person's filter is not
        members = expression.normalize_domain(self._members_domain())
        people = expression.normalize_domain([("type", "=", "contact"), ("is_company", "=", False),
                                              ("parent_id", "!=", False)])
        return expression.OR([members, expression.AND([_through_parent(members), people])])

    def _reach_ids(self):
        """The people the segment reaches: who a program enrols and a mailing writes to."""
        return self.env["res.partner"].search(self._reach_domain()).ids

    @api.model
    def ecrm_segment_ids_of_partner(self, partner_id):
        """Ids of the active segments that reach ``partner_id``: a member, or a contact person of a member
        company (snapshot members, else the live filter).

        One search per segment, bounded by the partner id; used by website personalisation,
        which detects this module and never depends on it.
        """
        Partner = self.env["res.partner"]
        return [segment.id for segment in self.search([]) if Partner.search_count(
            expression.AND([[("id", "=", partner_id)], segment._reach_domain()]))]

    @api.multi
    def ecrm_contactable_partner_ids(self):
        """Ids of the people reached who may be contacted on the segment's channel (one query)."""
        self.ensure_one()
        return self.env["res.partner"].browse(self._reach_ids()).ecrm_contactable(self.channel).ids

    @api.multi
    def action_snapshot(self):
        """Freeze today's members, so a campaign works on a fixed list."""
        for segment in self:
            partner_ids = self.env["res.partner"].search(segment._partner_domain()).ids
            segment.write({"snapshot_member_ids": [(6, 0, partner_ids)],
                           "snapshot_date": fields.Datetime.now()})
        return True

    @api.multi
    def action_release_snapshot(self):
        self.write({"snapshot_member_ids": [(5, 0, 0)], "snapshot_date": False})
        return True

    @api.multi
    def mailing_domain(self):
        """A mass-mailing domain on res.partner reaching the contactable members only.

        On e-mail, contactable also means not opted out in Odoo (``opt_out``, the same fact) and
        an address that has not bounced (the host's ``message_bounce``).
        """
        self.ensure_one()
        consent = [("ecrm_consent_%s" % self.channel, "=", "opted_in")]
        if self.channel == "email":
            consent += [("opt_out", "=", False), ("message_bounce", "=", 0)]
        return expression.AND([self._reach_domain(), expression.normalize_domain(consent)])

    @api.multi
    def action_create_mailing(self):
        """A draft mass mailing on customers, aimed at this segment's contactable members."""
        self.ensure_one()
        if self.channel != "email":
            raise UserError(_("Only an e-mail segment can feed a mass mailing."))
        mailing = self.env["mail.mass_mailing"].create({
            "name": self.name,
            "mailing_model_id": self.env.ref("base.model_res_partner").id,
            "mailing_domain": repr(self.mailing_domain()),
            # the host turns its placeholder into each recipient's unsubscribe link when it sends
            "body_html": self.env["mail.mass_mailing"]._ecrm_unsubscribe_footer(),
        })
        return {"type": "ir.actions.act_window", "res_model": "mail.mass_mailing", "res_id": mailing.id,
                "view_mode": "form", "target": "current"}

    @api.multi
    def action_sync_mailing_list(self):
        """Queue a job per segment that makes its mailing list hold exactly its contactable members.

        The rights are checked here, in the request: whoever may not create mailing lists
        and contacts is refused at once, not by a job that fails later.
        """
        self.check_access_rights("write")  # the segment keeps its list: a Manager's change
        self.env["mail.mass_mailing.list"].check_access_rights("create")
        self.env["mail.mass_mailing.contact"].check_access_rights("create")
        for segment in self:
            segment._ecrm_job_enqueue("_ecrm_job_sync_mailing_list",
                                      description=_("Mailing list of segment %s") % segment.name)
        return True

    @job(default_channel="root.ecrm")
    @api.multi
    def _ecrm_job_sync_mailing_list(self):
        if not self.exists():
            return _("the segment was deleted: nothing to sync")
        with self._ecrm_job_tracking() as progress:
            count = self._sync_mailing_list()
            progress.update(count, count, force=True)
            return _("%d addresses on the list") % count

    def _sync_mailing_list(self):
        """The list's contacts become the contactable members' addresses; returns how many there are.

        Members are added in set-based SQL (one contact per address, reused across lists), so
        a 10,000-member segment is one short job rather than 10,000 ORM creates.
        """
        if not self.mailing_list_id:
            self.mailing_list_id = self.env["mail.mass_mailing.list"].create({"name": _("Segment: %s") % self.name})
        mailing_list = self.mailing_list_id
        member_ids = self.ecrm_contactable_partner_ids()
        wanted = {(row["email"] or "").strip().lower()
                  for row in self.env["res.partner"].browse(member_ids).read(["email"])} - {""}
        current = self.env["mail.mass_mailing.contact"].search([("list_ids", "in", mailing_list.ids)])
        current.filtered(lambda contact: (contact.email or "").strip().lower() not in wanted).write(
            {"list_ids": [(3, mailing_list.id)]})
        self.env["ecrm.marketing.bulk"]._add_to_mailing_list(mailing_list, member_ids)
        return len(wanted)
