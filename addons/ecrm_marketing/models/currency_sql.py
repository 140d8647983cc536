# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Currency conversion inside the campaign reports' SQL.

The same rule as ``res.currency._get_rates``: the company's latest rate on or
before the document date (a company-specific rate before a shared one), 1.0 when
there is none. Amounts already in the target currency (nearly all) skip the
lookup, because CASE evaluates the rate subqueries only for the other rows.
The arguments are column expressions or query parameters written in this
module's SQL, never user values.
"""

RATE = """coalesce((SELECT rate.rate FROM res_currency_rate rate
             WHERE rate.currency_id = {currency} AND rate.name <= {date}
               AND (rate.company_id IS NULL OR rate.company_id = {company})
             ORDER BY rate.company_id, rate.name DESC LIMIT 1), 1.0)"""


def converted(amount, currency, target, company, date):
    """SQL for ``amount`` (in ``currency``) in ``target``, at ``company``'s rates of ``date``."""
    return "{amount} * CASE WHEN {currency} = {target} THEN 1.0 ELSE {to_rate} / {from_rate} END".format(
        amount=amount, currency=currency, target=target,
        to_rate=RATE.format(currency=target, company=company, date=date),
        from_rate=RATE.format(currency=currency, company=company, date=date))
