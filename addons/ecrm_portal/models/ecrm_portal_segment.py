# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.tools import sql

_logger = logging.getLogger(__name__)

SEGMENTS = "SELECT id, name, company_id FROM ecrm_segment"
NO_SEGMENTS = "SELECT NULL::int AS id, NULL::varchar AS name, NULL::int AS company_id WHERE FALSE"


class EcrmPortalSegment(models.Model):
    """ecrm_marketing's customer segments as rules pick them, without depending on ecrm_marketing.

    A read-only SQL view: over ecrm_segment when that module is installed, empty
    otherwise. It is checked at every registry load, so installing or removing
    ecrm_marketing later switches it on the next start. Many2many fields may point
    at a view (Odoo adds no foreign key to one), so rules get a normal tags picker.
    """

    _name = "ecrm.portal.segment"
    _description = "Customer segment (eCRM Marketing)"
    _auto = False
    _order = "name"

    name = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    @api.model_cr
    def init(self):
        self._sync_view()

    @api.model_cr
    def _register_hook(self):
        super()._register_hook()
        self._sync_view()

    @api.model
    def _sync_view(self):
        cr = self.env.cr
        wanted = SEGMENTS if "ecrm.segment" in self.env and sql.table_kind(cr, "ecrm_segment") == "r" else NO_SEGMENTS
        cr.execute("SELECT definition FROM pg_views WHERE viewname = %s", (self._table,))
        current = cr.fetchone()
        if current and ("ecrm_segment" in current[0]) == (wanted is SEGMENTS):
            return
        try:
            with cr.savepoint():
                sql.drop_view_if_exists(cr, self._table)
                cr.execute("CREATE VIEW %s AS (%s)" % (self._table, wanted))
        except Exception as error:  # another worker rebuilding it at the same moment
            _logger.warning("Could not rebuild the view %s: %s", self._table, error)
