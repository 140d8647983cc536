# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""11.0.1.2.0: balances imports keep a history (ecrm.sage.balance.snapshot). The figures each
customer binding already holds become its first snapshot, as at the day they were imported,
so reconciling as at that day or later still finds them."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        INSERT INTO ecrm_sage_balance_snapshot
               (backend_id, company_id, partner_id, account_ref, date, balance, overdue, credit_limit,
                on_hold, batch_id, create_uid, write_uid, create_date, write_date)
        SELECT binding.backend_id, backend.company_id, binding.partner_id, binding.sage_ref,
               binding.sage_balance_date, COALESCE(binding.sage_balance, 0), COALESCE(binding.sage_overdue, 0),
               COALESCE(binding.sage_credit_limit, 0), COALESCE(binding.sage_on_hold, FALSE), NULL,
               binding.write_uid, binding.write_uid, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM ecrm_sage_binding binding JOIN ecrm_sage_backend backend ON backend.id = binding.backend_id
         WHERE binding.res_model = 'res.partner' AND binding.partner_id IS NOT NULL
           AND binding.sage_balance_date IS NOT NULL
        ON CONFLICT (backend_id, partner_id, date) DO NOTHING""")
