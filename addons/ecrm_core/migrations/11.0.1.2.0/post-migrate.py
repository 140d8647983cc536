# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""E-mail consent and the host's opt_out became one fact: put the customers recorded before in step."""
from odoo import SUPERUSER_ID, api

from odoo.addons.ecrm_core.models.ecrm_consent import OPT_OUT_SYNC


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Partner = env["res.partner"].with_context(active_test=False)
    # opted out in Odoo only: their consent says so from now on, with its audit row
    Partner.search([("opt_out", "=", True), ("ecrm_consent_email", "!=", "opted_out")]).with_context(
        ecrm_consent_source="staff",
        ecrm_consent_proof="Opt-out set in Odoo before it was linked to e-mail consent (upgrade 11.0.1.2.0).",
    )._ecrm_record_opt_out()
    # opted out by consent only: the host's opt_out follows (the consent row is the audit)
    Partner.search([("opt_out", "=", False), ("ecrm_consent_email", "=", "opted_out")]).with_context(
        **{OPT_OUT_SYNC: True}).write({"opt_out": True})
