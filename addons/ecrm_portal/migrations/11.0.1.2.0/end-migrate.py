# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What customers see of their timeline moves from a comma-separated setting to a flag on
each interaction type. An end script, so that every code already on the timeline has its
type (ecrm_core's end script) before the flags are set."""
from odoo import SUPERUSER_ID, api

PARAMETER = "ecrm_portal.public_interaction_types"


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    parameter = env["ir.config_parameter"].search([("key", "=", PARAMETER)])
    if not parameter:
        return
    codes = [code.strip() for code in (parameter.value or "").split(",") if code.strip()]
    types = env["ecrm.interaction.type"].with_context(active_test=False)
    types.search([("code", "in", codes)]).write({"portal_public": True})
    types.search([("code", "not in", codes)]).write({"portal_public": False})
    parameter.unlink()
