# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class EcrmSageApiToken(models.Model):
    """The current OAuth2 refresh token of a backend.

    Sage rotates it on every use, so a new one must survive even when the sync
    that obtained it rolls back: it is read and written through its own
    cursor, committed at once, in a table the sync transaction never writes.
    """

    _name = "ecrm.sage.api.token"
    _description = "Sage API refresh token"

    backend_id = fields.Many2one("ecrm.sage.backend", required=True, ondelete="cascade", index=True)
    refresh_token = fields.Char(required=True)

    _sql_constraints = [("backend_unique", "unique(backend_id)", "One refresh token per backend.")]


class TokenStore:
    """The ``token_store`` the Sage client expects, backed by ecrm_sage_api_token."""

    def __init__(self, registry, backend_id, initial_token):
        self.registry, self.backend_id, self.initial_token = registry, backend_id, initial_token

    def load(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT refresh_token FROM ecrm_sage_api_token WHERE backend_id = %s", (self.backend_id,))
            row = cr.fetchone()
        return row[0] if row else self.initial_token

    def save(self, token):
        with self.registry.cursor() as cr:   # commits on exit, whatever the caller's transaction does
            cr.execute("""
                INSERT INTO ecrm_sage_api_token (backend_id, refresh_token, create_date, write_date)
                VALUES (%s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
                ON CONFLICT (backend_id) DO UPDATE SET refresh_token = EXCLUDED.refresh_token,
                                                      write_date = EXCLUDED.write_date""",
                       (self.backend_id, token))
