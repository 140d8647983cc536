"""Did anything get written? A fingerprint of the e2e database, compared before and after a refused call.

Each table's row count and newest row version (``xmin``): an INSERT, UPDATE or DELETE that
committed moves one of them, raw SQL included (the 360 recompute writes no write_date).
A refused RPC call rolls back its transaction; this catches the ones that commit anyway
(their own cursor) or that were never refused.
"""
import re

import odoo
import psycopg2
from psycopg2 import sql

from .actors import Traffic

# The tables of the suite and of every host area it writes to (customers, sales, CRM, mail and
# marketing, accounting, UTM, products, website, companies, groups, rules, settings, views,
# attachments, crons); the rest (metadata, translations, countries...) no business call writes,
# and leaving it out keeps a fingerprint cheap. res_users changes on every login.
WATCHED = re.compile(r"^(ecrm_|res_partner|sale_|crm_|mail_|account_|utm_|link_tracker|product_|website|"
                     r"res_company|res_groups|ir_attachment|ir_config_parameter|ir_ui_view|ir_default|"
                     r"ir_property|ir_rule|ir_cron|calendar_|payment_)")
# asset bundles a first page render stores are not data
FILTERS = {"ir_attachment": sql.SQL("WHERE res_model IS DISTINCT FROM 'ir.ui.view'")}


class Fingerprint:
    def __init__(self, database):
        # a connection of its own (autocommit: every snapshot sees what committed), the statement
        # prepared once: 290 tables are cheap to scan, costly to plan
        self.connection = psycopg2.connect(**odoo.sql_db.connection_info_for(database)[1])
        self.connection.autocommit = True
        self.cursor = self.connection.cursor()
        self.cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in self.cursor.fetchall() if WATCHED.match(row[0])]
        query = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {name}, count(*), coalesce(max(xmin::text::bigint), 0) FROM {table} {where}").format(
                name=sql.Literal(table), table=sql.Identifier(table), where=FILTERS.get(table, sql.SQL("")))
            for table in tables)
        self.cursor.execute(sql.SQL("PREPARE ecrm_matrix_fingerprint AS {}").format(query))
        self.last, self.sent_at_last = None, None

    def close(self):
        self.connection.close()

    def snapshot(self):
        self.cursor.execute("EXECUTE ecrm_matrix_fingerprint")
        self.last = {table: (count, newest) for table, count, newest in self.cursor.fetchall()}
        self.sent_at_last = Traffic.sent
        return self.last

    def before(self):
        """The state before a call: the last snapshot again when no request went out since it was taken
        (the fixtures' own writes go through requests too)."""
        return self.last if self.sent_at_last == Traffic.sent else self.snapshot()

    @staticmethod
    def changes(before, after):
        """'table: +n rows' / 'table: rows changed' for every table a call wrote to."""
        changed = []
        for table in sorted(after):
            (count_before, newest_before), (count, newest) = before.get(table, (0, 0)), after[table]
            if count != count_before:
                changed.append("%s: %+d rows" % (table, count - count_before))
            elif newest != newest_before:
                changed.append("%s: rows changed" % table)
        return changed
