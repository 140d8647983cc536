# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class EcrmCachedRulesMixin(models.AbstractModel):
    """Configuration records read through an ormcache: any change clears it.

    clear_caches() also signals the other workers, so every process sees the
    new rules on its next request.
    """

    _name = "ecrm.cached.rules.mixin"
    _description = "Rules cached per worker, cleared on change"

    @api.model
    def create(self, vals):
        self.clear_caches()
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self.clear_caches()
        return super().write(vals)

    @api.multi
    def unlink(self):
        self.clear_caches()
        return super().unlink()
