# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Currency conversion inside reporting SQL (customer 360 revenue, campaign ROI).

Rows already in the target currency (nearly all) are taken as they are; the
others are converted with the dated rates of their company
(``res.currency._select_companies_rates()``, the table sale.report uses) at the
document's date. Keeping the two apart keeps the rate join off the common path.
"""


def converted_rows(source, foreign_possible="true"):
    """SQL: the rows of the query ``source``, plus ``converted``: their ``amount`` in ``target_currency_id``.

    ``source`` selects at least amount, currency_id, target_currency_id,
    company_id and date. The statement must define ``currency_rate`` as
    ``res.currency._select_companies_rates()``. ``foreign_possible`` is an SQL
    boolean (a query parameter): false skips the conversion branch altogether,
    for databases where every price and company is in the target currency.
    The arguments are SQL written in this module, never user input.
    """
    return """
        SELECT document.*, document.amount AS converted FROM ({source}) AS document
         WHERE document.currency_id = document.target_currency_id
        UNION ALL
        SELECT document.*, document.amount * coalesce(to_rate.rate, 1.0) / coalesce(from_rate.rate, 1.0)
          FROM ({source}) AS document
          LEFT JOIN currency_rate from_rate
                 ON from_rate.currency_id = document.currency_id AND from_rate.company_id = document.company_id
                AND from_rate.date_start <= document.date
                AND (from_rate.date_end IS NULL OR from_rate.date_end > document.date)
          LEFT JOIN currency_rate to_rate
                 ON to_rate.currency_id = document.target_currency_id AND to_rate.company_id = document.company_id
                AND to_rate.date_start <= document.date
                AND (to_rate.date_end IS NULL OR to_rate.date_end > document.date)
         WHERE {foreign_possible} AND document.currency_id != document.target_currency_id""".format(
        source=source, foreign_possible=foreign_possible)
