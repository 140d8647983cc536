# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Interaction types become records: every code already on the timeline gets one.

An end script, so that it runs once every module's data file has brought the types that
module ships. A code that integrators or staff used, which no module ships, becomes a
type labelled after it, offered to staff, on the channel most of its entries used. Then
every entry points at its type.
"""
from odoo import SUPERUSER_ID, api

from odoo.addons.ecrm_core.timeline.rows import humanise


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("""
        SELECT interaction_type, mode() WITHIN GROUP (ORDER BY channel)
          FROM ecrm_interaction i
         WHERE NOT EXISTS (SELECT 1 FROM ecrm_interaction_type t WHERE t.code = i.interaction_type)
         GROUP BY interaction_type""")
    for code, channel in cr.fetchall():
        env["ecrm.interaction.type"].create({"code": code, "name": humanise(code), "channel": channel})
    cr.execute("""
        UPDATE ecrm_interaction i SET type_id = t.id
          FROM ecrm_interaction_type t
         WHERE t.code = i.interaction_type AND i.type_id IS NULL""")
