# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Program steps pick their interaction types from the list instead of naming a code.

The old code columns (interaction_type, log_interaction_type) are still in the table:
each code becomes the step's type, registered first if no module ships it. An end
script, so that ecrm_core's has registered the codes already on the timeline.
"""
from odoo import SUPERUSER_ID, api

from odoo.addons.ecrm_core.timeline.rows import humanise

OLD_TO_NEW = {"interaction_type": "trigger_type_id", "log_interaction_type": "log_type_id"}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Type = env["ecrm.interaction.type"].with_context(active_test=False)
    for old, new in OLD_TO_NEW.items():
        cr.execute("SELECT 1 FROM information_schema.columns "
                   "WHERE table_name = 'ecrm_campaign_program_step' AND column_name = %s", (old,))
        if not cr.fetchone():
            continue
        # column names come from OLD_TO_NEW, never from data
        cr.execute("SELECT DISTINCT {0} FROM ecrm_campaign_program_step WHERE {0} IS NOT NULL".format(old))
        for (code,) in cr.fetchall():
            if not Type.search_count([("code", "=", code)]):
                Type.create({"code": code, "name": humanise(code), "channel": "other"})
        cr.execute("UPDATE ecrm_campaign_program_step step SET {1} = t.id FROM ecrm_interaction_type t "
                   "WHERE t.code = step.{0}".format(old, new))
