# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

MARKETING_MODEL = "res.partner"


class MailComposeMessage(models.TransientModel):
    """The composer's mass mail to customers is marketing, under the rule of every send path.

    "Marketing" is the composer in mass-mail mode on customers: the host's Send e-mail action of
    the customer list, a mail template sent to several customers, and the host's mass mailings
    (which reach the composer with their ``mass_mailing_id``). Customers whom marketing may not
    e-mail now (``res.partner._ecrm_marketing_refusals``: consent, opt-out, bounce, frequency cap)
    get no mail at all. Everything else is the host's as it was, on purpose: a message or a
    template sent from a document's or a customer's chatter (comment mode), and a quotation,
    order or invoice sent by e-mail, are one-to-one or transactional mail that the customer must
    get whatever their marketing consent.
    """

    _inherit = "mail.compose.message"

    @api.multi
    def get_mail_values(self, res_ids):
        if not self._ecrm_is_marketing():
            return super().get_mail_values(res_ids)
        refused = self.env["res.partner"].browse(res_ids)._ecrm_marketing_refusals(
            "email", self.env.user.company_id, fields.Datetime.now())
        allowed = [res_id for res_id in res_ids if res_id not in refused]
        mailing_given = bool(self.mass_mailing_id)  # a host mass mailing sending, or a later batch
        if not allowed and not mailing_given and self._ecrm_is_whole_send(res_ids):
            raise UserError(self._ecrm_refusal_message(refused))
        if not allowed:
            return {}  # the host's rendering takes at least one record
        record = not mailing_given and self.env["mail.mass_mailing"].check_access_rights("create", False)
        if record and not self.mass_mailing_name:
            # recorded as a host mass mailing, as the composer's own "mass mailing" name does: tracking,
            # one-click unsubscribe headers, and statistics rows that the frequency cap counts
            self.mass_mailing_name = self.subject or _("E-mail to customers")
        values = super().get_mail_values(allowed)
        if record:
            # the host makes a mailing of the name for each batch (500 mails): the next batches join this one
            self.mass_mailing_id = next(iter(values.values()), {}).get("mailing_id") or False
        elif not self.mass_mailing_id and not self.mass_mailing_name:
            self._ecrm_count_towards_cap(values)
        return values

    def _ecrm_is_marketing(self):
        return self.composition_mode == "mass_mail" and self.model == MARKETING_MODEL

    def _ecrm_is_whole_send(self, res_ids):
        """Whether ``res_ids`` are all the recipients, not one batch of several (the host sends 500 at a
        time): a batch nobody may receive is no reason to refuse the others."""
        return not self.use_active_domain and set(res_ids) >= set(self.env.context.get("active_ids") or ())

    def _ecrm_count_towards_cap(self, values):
        """Staff who may not make a mass mailing still send mails the cap counts: each gets the
        statistics row a mass mailing's would have, without the mailing."""
        for res_id, mail_values in values.items():
            mail_values.setdefault("statistics_ids", [(0, 0, {"model": self.model, "res_id": res_id})])

    @api.model
    def _ecrm_refusal_message(self, refused):
        # names only of the customers the caller may read: the refusal tells staff why, not who else exists
        readable = self.env["res.partner"].search([("id", "in", list(refused))], limit=5)
        lines = ["%s: %s" % (partner.display_name, refused[partner.id].reason) for partner in readable]
        return _("None of these customers may receive marketing e-mail now:\n%s\nA message from the customer's "
                 "or a document's chatter is not marketing and is sent whatever their consent.") % "\n".join(lines)
