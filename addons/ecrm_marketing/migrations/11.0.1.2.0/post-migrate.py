# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""List contacts' opt-outs are e-mail consent now; the demo's win-back mail gets its unsubscribe link."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["mail.mass_mailing.contact"].with_context(
        ecrm_consent_source="staff",
        ecrm_consent_proof="Opted out as a mailing-list contact before it was linked to e-mail consent "
                           "(upgrade 11.0.1.2.0).",
    ).search([("opt_out", "=", True)])._ecrm_opt_out_customers()
    opted_out = env["res.partner"].with_context(active_test=False).search([("opt_out", "=", True)])
    opted_out._ecrm_mirror_opt_out_on_contacts(True)
    # demo data is not updated by an upgrade: the demo template's link is added here
    template = env.ref("ecrm_marketing.mail_template_winback", raise_if_not_found=False)
    if template and "/unsubscribe_from_list" not in (template.body_html or ""):
        template.body_html = (template.body_html or "") + (
            '\n<p style="font-size: 12px; color: #888888;">You receive this e-mail because you agreed to hear '
            'from us.\n<a href="/unsubscribe_from_list">Unsubscribe</a></p>')
