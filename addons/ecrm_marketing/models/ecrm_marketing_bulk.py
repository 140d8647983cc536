# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.addons.ecrm_core.models.bulk_insert import insert_rows


class EcrmMarketingBulk(models.AbstractModel):
    """Set-based writers for what a program step makes for thousands of customers at once.

    Odoo 11 creates records one at a time: the mass-mail composer takes about
    18 ms a mail (a mail.message, a mail.mail and a statistics row, each through
    the ORM, then an immediate send attempt), so 10,000 customers took three
    minutes. These writers insert the rows the composer and
    ``mail.activity.create`` would, one statement per table, with the defaults
    the installed add-ons give those models. Odoo's mail queue then sends the
    mails as any other, adding the open pixel and per-recipient click links from
    each mail's statistics row. The writers are private: they trust their
    arguments, which the program steps have checked.
    """

    _name = "ecrm.marketing.bulk"
    _description = "eCRM marketing bulk writers"

    @api.model
    def _queue_mailing_mails(self, mailing, partner_ids, date):
        """Queue the mailing's e-mail to each customer, as the mass-mail composer would; returns the mail ids.

        Subject and body are the mailing's, rendered for each customer; links
        are tracked with the mailing's UTM (``convert_links``); each mail has its
        statistics row, so opens, clicks, replies and bounces are recorded. The
        mailing's replies go to an address (``reply_to_mode`` "email", as the
        program steps' mailings do): no thread, no notification. Each mail
        carries its customer's signed unsubscribe link (in place of the host's
        ``/unsubscribe_from_list`` placeholder, else in a footer) and the one-click
        List-Unsubscribe headers of RFC 8058. Customers without e-mail consent, opted out
        of e-mail either way, or whose address bounced, get nothing.
        """
        self.env["mail.mail"].check_access_rights("create")
        partner_ids = self._mailable(list(partner_ids))
        if not partner_ids:
            return []
        # the template reads a field or two of each customer: without this, the first read of a
        # customer loads every column of res.partner for the whole batch, most of the rendering time
        Template = self.env["mail.template"].with_context(prefetch_fields=False)
        subjects = Template.render_template(mailing.name, "res.partner", partner_ids)
        bodies = Template.render_template(mailing.convert_links()[mailing.id], "res.partner", partner_ids,
                                          post_process=True)
        self.env.cr.execute("SELECT id, email FROM res_partner WHERE id = ANY(%s)", (partner_ids,))
        emails = dict(self.env.cr.fetchall())
        bodies = {partner_id: mailing._ecrm_with_unsubscribe_link(
            bodies[partner_id], mailing._ecrm_unsubscribe_url(partner_id, emails.get(partner_id)))
            for partner_id in partner_ids}
        email_from = mailing.email_from or self.env.user.partner_id.email_formatted
        message_headers = [tools.generate_tracking_message_id("reply_to") for _partner in partner_ids]
        message_by_partner = self._insert_rows("mail.message", "res_id", {
            "res_id": partner_ids,
            "subject": [subjects[partner_id] for partner_id in partner_ids],
            "body": [bodies[partner_id] for partner_id in partner_ids],
            "message_id": message_headers,
        }, {"model": "res.partner", "message_type": "email", "author_id": self.env.user.partner_id.id,
            "email_from": email_from, "reply_to": mailing.reply_to or email_from, "no_auto_thread": True,
            "record_name": None, "date": date})
        message_ids = [message_by_partner[partner_id] for partner_id in partner_ids]
        mail_by_message = self._insert_rows("mail.mail", "mail_message_id", {
            "mail_message_id": message_ids,
            "body_html": [bodies[partner_id] for partner_id in partner_ids],
            "headers": [mailing._ecrm_list_unsubscribe_headers(
                partner.id, emails.get(partner.id), partner.message_get_email_values().get("headers"))
                for partner in self.env["res.partner"].browse(partner_ids)],
        }, {"state": "outgoing", "auto_delete": not mailing.keep_archives, "notification": False,
            "mailing_id": mailing.id})
        mail_ids = [mail_by_message[message_id] for message_id in message_ids]
        self.env.cr.execute("""
            INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id)
            SELECT * FROM unnest(%s::int[], %s::int[])""", (mail_ids, partner_ids))
        self._insert_rows("mail.mail.statistics", "mail_mail_id", {
            "mail_mail_id": mail_ids, "mail_mail_id_int": mail_ids, "res_id": partner_ids,
            "message_id": message_headers,
        }, {"model": "res.partner", "mass_mailing_id": mailing.id,
            "mass_mailing_campaign_id": mailing.mass_mailing_campaign_id.id or None, "scheduled": date,
            "state": "outgoing", "state_update": fields.Datetime.now()})
        for model in ("mail.message", "mail.mail", "mail.mail.statistics"):
            self.env[model].invalidate_cache()
        return mail_ids

    def _mailable(self, partner_ids):
        """``partner_ids`` (in order) but those marketing may not e-mail: the send paths' one rule
        (``res.partner._ecrm_marketing_refusals``), without the frequency cap, which the program step
        applied before it claimed these customers (its own claim counts as their contact)."""
        if not partner_ids:
            return []
        refused = self.env["res.partner"].browse(partner_ids)._ecrm_marketing_refusals(
            "email", self.env["res.company"], None, capped=False)
        return [partner_id for partner_id in partner_ids if partner_id not in refused]

    @api.model
    def _create_activities(self, activity_type, summary, user_by_partner, date_deadline):
        """One activity on each customer in ``user_by_partner`` ({partner id: user id}); returns their ids.

        Unlike ``mail.activity.create``, the user is not made a follower of each
        customer (a marketing call list would subscribe a salesperson to
        thousands of customers); each user gets one "activities updated"
        notification instead of one per activity.
        """
        self.env["mail.activity"].check_access_rights("create")
        if not user_by_partner:
            return []
        partner_ids = list(user_by_partner)
        names = dict(self.env["res.partner"].with_context(prefetch_fields=False).browse(partner_ids).name_get())
        activity_by_partner = self._insert_rows("mail.activity", "res_id", {
            "res_id": partner_ids, "res_name": [names[partner_id] for partner_id in partner_ids],
            "user_id": [user_by_partner[partner_id] for partner_id in partner_ids],
        }, {"res_model_id": self.env.ref("base.model_res_partner").id, "res_model": "res.partner",
            "activity_type_id": activity_type.id, "summary": summary, "date_deadline": date_deadline})
        self.env["mail.activity"].invalidate_cache()
        self.env["res.partner"].invalidate_cache(["activity_ids"], partner_ids)
        if date_deadline <= fields.Date.today():
            for user in self.env["res.users"].browse(set(user_by_partner.values())):
                self.env["bus.bus"].sendone((self.env.cr.dbname, "res.partner", user.partner_id.id),
                                            {"type": "activity_updated", "activity_created": True})
        return [activity_by_partner[partner_id] for partner_id in partner_ids]

    @api.model
    def _add_to_mailing_list(self, mailing_list, partner_ids):
        """Put each customer's e-mail address on ``mailing_list``: its mailing contact, created if there is none.

        Addresses are matched whatever their case. New contacts are inserted
        without the creation note and follower ``mail.thread`` would add.
        """
        self.env["mail.mass_mailing.contact"].check_access_rights("create")
        wanted = {}
        for row in self.env["res.partner"].browse(partner_ids).read(["name", "email"]):
            email = (row["email"] or "").strip()
            if email:
                wanted.setdefault(email.lower(), (row["name"], email))
        if not wanted:
            return
        self.env.cr.execute("""
            SELECT lower(email), min(id) FROM mail_mass_mailing_contact
             WHERE lower(email) = ANY(%s) GROUP BY lower(email)""", (list(wanted),))
        contact_by_email = dict(self.env.cr.fetchall())
        new = [email for email in wanted if email not in contact_by_email]
        if new:
            created = self._insert_rows("mail.mass_mailing.contact", "email", {
                "name": [wanted[email][0] for email in new], "email": [wanted[email][1] for email in new]}, {})
            contact_by_email.update((email.lower(), contact_id) for email, contact_id in created.items())
        self.env.cr.execute("""
            INSERT INTO mail_mass_mailing_contact_list_rel (contact_id, list_id)
            SELECT contact_id, %s FROM unnest(%s::int[]) AS contact_id
            ON CONFLICT DO NOTHING""", (mailing_list.id, list(contact_by_email.values())))
        self.env["mail.mass_mailing.contact"].invalidate_cache()
        mailing_list.invalidate_cache()

    @api.model
    def _remove_from_mailing_list(self, mailing_list, partner_ids):
        """Take the customers' e-mail addresses off ``mailing_list``; the contacts themselves stay."""
        self.env["mail.mass_mailing.contact"].check_access_rights("write")
        emails = [email.strip().lower() for email in self.env["res.partner"].browse(partner_ids).mapped("email")
                  if email]
        self.env.cr.execute("""
            DELETE FROM mail_mass_mailing_contact_list_rel rel
             USING mail_mass_mailing_contact contact
             WHERE rel.contact_id = contact.id AND rel.list_id = %s AND lower(contact.email) = ANY(%s)""",
                            (mailing_list.id, emails))
        self.env["mail.mass_mailing.contact"].invalidate_cache()
        mailing_list.invalidate_cache()

    def _insert_rows(self, model, key, columns, constants):
        """Insert a row of ``model`` for each position of the ``columns`` lists ({column: [values]}).

        Every row also gets the ``constants`` ({column: value}) and, for the
        columns neither gives, what ``create`` would have stored: the defaults
        and computed values of the installed add-ons. Returns {row's ``key``: id}.
        """
        Model = self.env[model]
        given = set(columns) | set(constants)
        ids = insert_rows(Model, columns, dict(self._create_values(Model, given), **constants))
        return dict(zip(columns[key], ids))

    @api.model
    def _create_values(self, Model, given):
        """{column: value} that ``create`` would store in the columns of ``Model`` outside ``given``."""
        names = [name for name, field in Model._fields.items()
                 if field.store and field.column_type and name not in given and name not in models.MAGIC_COLUMNS]
        values = Model.default_get(names)
        record = Model.new(values)
        for name in names:
            field = Model._fields[name]
            if name not in values and field.compute:
                values[name] = field.convert_to_write(record[name], record)
        return {name: Model._fields[name].convert_to_column(value, record) for name, value in values.items()}
