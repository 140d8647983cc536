# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from email.message import Message

from odoo import _, api, models, tools
from odoo.exceptions import UserError

from ..consent import reply
from .ecrm_interaction_host import sender_address

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """Incoming mail from a customer's address that neither replies to a document nor reaches an
        alias (mail to the catchall, read by an incoming mail server) goes on that customer's chatter,
        and so on their timeline, instead of the server's fallback: a new record (a lead), or no route.

        Replies and aliases route as the host routes them; so does a sender nobody knows, or staff.
        A customer's mail that asks to unsubscribe (consent/reply.py) opts their address out of
        e-mail first, and then routes as any other.
        """
        if not isinstance(message, Message):
            # the host's method is public but takes a parsed e-mail, which no RPC call can send: a clear
            # refusal instead of the host's TypeError traceback
            raise UserError(_("message_route routes a parsed e-mail for the mail gateway; over RPC, "
                              "use message_process with the raw message instead."))
        # here rather than later: whatever the route (a reply to a mailing, a document, the catchall, none),
        # the gateway has the parsed mail and its sender, once
        self._ecrm_unsubscribe_by_reply(message_dict)
        no_route = None
        try:
            routes = super().message_route(message, message_dict, model=model, thread_id=thread_id,
                                           custom_values=custom_values)
        except ValueError as error:
            if model:  # the fallback model itself was refused: the host's error stands
                raise
            routes, no_route = None, error  # no route: the host's error, unless the sender is a customer
        if no_route is None and not self._ecrm_is_fallback_route(routes, model):
            return routes
        customer = self._ecrm_sending_customer(message_dict.get("email_from"))
        if not customer:
            if no_route is not None:
                raise no_route
            return routes
        message_dict["author_id"] = customer.id
        message_dict.pop("parent_id", None)
        route = self.message_route_verify(message, message_dict, ("res.partner", customer.id, None, self._uid, None),
                                          update_author=False, assert_model=True)
        if not route:
            if no_route is not None:
                raise no_route
            return routes
        _logger.info("Routing mail from %s with Message-Id %s: to the chatter of customer %s instead of %s",
                     message_dict.get("email_from"), message_dict.get("message_id"), customer.id,
                     "the fallback model %s" % model if model else "no route")
        return [route]

    @api.model
    def _ecrm_is_fallback_route(self, routes, model):
        """Whether ``routes`` is the host's last resort: a new record of the fallback ``model``, no alias."""
        if len(routes) != 1:
            return False
        route_model, route_thread_id, _values, _uid, alias = routes[0]
        return bool(model) and route_model == model and not route_thread_id and not alias

    @api.model
    def _ecrm_sending_customer(self, email_from):
        """The customer (res.partner) whose address sent ``email_from``, if one is, and not a staff member."""
        address = sender_address(email_from)
        partner = self.env["ecrm.interaction"]._host_partners_by_email([address]).get(address) if address else None
        if not partner or any(not user.share for user in partner.with_context(active_test=False).user_ids):
            return self.env["res.partner"]
        return partner

    @api.model
    def _ecrm_unsubscribe_by_reply(self, message_dict):
        """A mail that asks to unsubscribe (consent/reply.py), from customers' address: their e-mail
        consent opted out, source "reply", the mail as proof. Returns the customers opted out.

        Only an opt-out, never an opt-in, comes this way: a forged sender can stop mail, not start it.
        Staff's own addresses are left alone.
        """
        body = tools.html2plaintext(message_dict.get("body") or "")
        phrase = reply.unsubscribe_request(message_dict.get("subject"), body)
        address = sender_address(message_dict.get("email_from")) if phrase else None
        if not address:
            return self.env["res.partner"]
        self.env.cr.execute("""
            SELECT partner.id FROM res_partner partner
             WHERE lower(trim(partner.email)) = %s AND partner.active
               AND (NOT coalesce(partner.opt_out, false)
                    OR coalesce(partner.ecrm_consent_email, 'unknown') <> 'opted_out')
               AND NOT EXISTS (SELECT 1 FROM res_users staff WHERE staff.partner_id = partner.id AND NOT staff.share)
        """, (address,))
        customers = self.env["res.partner"].browse([row[0] for row in self.env.cr.fetchall()])
        if not customers:
            return customers
        proof = _("Asked by e-mail from %s (\"%s\"), Message-Id %s.") % (
            address, phrase, message_dict.get("message_id") or _("none"))
        # the gateway's user (fetchmail's) is the one who recorded it; the customer asked, whoever reads mail
        customers.sudo().with_context(ecrm_consent_uid=self.env.uid).ecrm_set_consent(
            "email", "opted_out", "reply", proof)
        _logger.info("Mail from %s with Message-Id %s asks to unsubscribe: e-mail consent of customers %s opted out",
                     address, message_dict.get("message_id"), customers.ids)
        return customers
