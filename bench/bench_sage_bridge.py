"""Sage bridge at EUK scale: export 10,000 posted invoices as a Sage 50 audit-trail CSV,
then import 10,000 receipts for them, each against a floor measured in the same run.

Floors: export = one SQL read of the same invoice rows written with the csv module;
import = the same receipts CSV read with the csv module and inserted with one
multi-row INSERT (rolled back). Peak memory is the Odoo server's resident set
(sampled) above its level before the call. History is bulk-loaded with SQL by
cloning one invoice posted through the ORM. Prints a table; asserts only counts.

Run again on the same database (``--db``) it reuses the history an earlier run
loaded: each run makes its own backend, which exports every customer and
invoice afresh, and pays invoices still open.
"""
import argparse
import base64
import configparser
import csv
import io
import os
import sys
import threading
import time

import psutil
import psycopg2

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import Rpc  # noqa: E402
from tests import odoo_server as odoo_server_module  # noqa: E402
from tests.e2e.sage.conftest import export  # noqa: E402
from tests.e2e.sage.sage_ledger import SageLedger  # noqa: E402

INVOICE_TABLES = ("account_move", "account_move_line", "account_invoice", "account_invoice_line",
                  "account_invoice_tax")


class PeakRss:
    """Samples a process's resident memory while a block runs."""

    def __init__(self, pid):
        self.process = psutil.Process(pid)

    def __enter__(self):
        self.base = self.peak = self.process.memory_info().rss
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while self._running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()

    @property
    def growth_mb(self):
        return (self.peak - self.base) / 1048576.0


def connect(conf_path, database):
    parser = configparser.ConfigParser()
    parser.read(conf_path)
    options = parser["options"]
    return psycopg2.connect(dbname=database, host=options.get("db_host"), port=options.get("db_port"),
                            user=options.get("db_user"), password=options.get("db_password"))


def columns(cr, table):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id'",
               (table,))
    return [row[0] for row in cr.fetchall()]


def clone(cr, table, where, overrides, source_alias="t"):
    """INSERT copies of ``table`` rows matching ``where`` joined to bench_map m, with overrides."""
    cols = columns(cr, table)
    select = ", ".join(overrides.get(col, "%s.%s" % (source_alias, col)) for col in cols)
    cr.execute("INSERT INTO %s (%s) SELECT %s FROM bench_map m, %s %s WHERE %s"
               % (table, ", ".join(cols), select, table, source_alias, where))


def load_history(rpc, conn, customers, invoices, vat20, income):
    """customers new customers and invoices posted invoices, cloned from ORM-made templates."""
    template_partner = rpc("res.partner", "create", {"name": "Bench Customer 0", "customer": True, "is_company": True})
    template_invoice = rpc("account.invoice", "create", {
        "partner_id": template_partner, "type": "out_invoice", "date_invoice": "2031-01-02",
        "invoice_line_ids": [(0, 0, {"name": "Ceiling hoist service", "quantity": 1, "price_unit": 100.0,
                                     "account_id": income, "invoice_line_tax_ids": [(6, 0, [vat20])]})]})
    rpc("account.invoice", "action_invoice_open", [template_invoice])
    with conn, conn.cursor() as cr:
        cr.execute("SELECT move_id FROM account_invoice WHERE id = %s", (template_invoice,))
        template_move = cr.fetchone()[0]
        cr.execute("CREATE TEMP TABLE bench_map AS SELECT n FROM generate_series(1, %s) n", (customers - 1,))
        clone(cr, "res_partner", "t.id = %d" % template_partner, {
            "name": "'Bench Customer ' || m.n", "display_name": "'Bench Customer ' || m.n"})
        cr.execute("DROP TABLE bench_map")
        cr.execute("""
            CREATE TEMP TABLE bench_customers AS SELECT id FROM res_partner
             WHERE name LIKE 'Bench Customer %%' ORDER BY id""")
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE name LIKE 'Bench Customer %%'")
        cr.execute("""
            CREATE TEMP TABLE bench_map AS
            SELECT n, c.id AS partner_id, nextval('account_move_id_seq') AS move_id,
                   nextval('account_invoice_id_seq') AS invoice_id, 'BENCH/' || lpad(n::text, 6, '0') AS number
              FROM generate_series(1, %s) n
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM bench_customers) c
                ON c.k = n %% (SELECT count(*) FROM bench_customers)""", (invoices - 1,))
        clone(cr, "account_move", "t.id = %d" % template_move, {
            "name": "m.number", "partner_id": "m.partner_id"})
        cr.execute("UPDATE bench_map m SET move_id = mv.id FROM account_move mv WHERE mv.name = m.number")
        clone(cr, "account_move_line", "t.move_id = %d" % template_move, {
            "move_id": "m.move_id", "partner_id": "m.partner_id", "invoice_id": "NULL"})
        clone(cr, "account_invoice", "t.id = %d" % template_invoice, {
            "number": "m.number", "move_name": "m.number", "move_id": "m.move_id", "partner_id": "m.partner_id",
            "commercial_partner_id": "m.partner_id", "reference": "NULL", "access_token": "NULL"})
        cr.execute("UPDATE bench_map m SET invoice_id = inv.id FROM account_invoice inv WHERE inv.number = m.number")
        cr.execute("""
            UPDATE account_move_line aml SET invoice_id = m.invoice_id FROM bench_map m
             WHERE aml.move_id = m.move_id""")
        clone(cr, "account_invoice_line", "t.invoice_id = %d" % template_invoice, {
            "invoice_id": "m.invoice_id", "partner_id": "m.partner_id"})
        cr.execute("""
            INSERT INTO account_invoice_line_tax (invoice_line_id, tax_id)
            SELECT line.id, %s FROM account_invoice_line line JOIN bench_map m ON m.invoice_id = line.invoice_id""",
                   (vat20,))
        clone(cr, "account_invoice_tax", "t.invoice_id = %d" % template_invoice, {"invoice_id": "m.invoice_id"})
        cr.execute("SELECT count(*) FROM account_invoice WHERE state = 'open' AND type = 'out_invoice'")
        return cr.fetchone()[0]


def loaded_history(conn):
    """Open invoices of an earlier run's bulk load, or 0."""
    with conn, conn.cursor() as cr:
        cr.execute("SELECT count(*) FROM account_invoice WHERE number LIKE 'BENCH/%%' AND state = 'open'")
        return cr.fetchone()[0]


def count_bench_invoices(conn):
    with conn, conn.cursor() as cr:
        cr.execute("""SELECT count(*) FROM account_invoice WHERE type = 'out_invoice' AND state IN ('open', 'paid')
                       AND date_invoice >= '2031-01-01'""")
        return cr.fetchone()[0]


def open_references(conn, count):
    """The numbers of ``count`` bench invoices still open, for the receipts Sage sends back."""
    with conn, conn.cursor() as cr:
        cr.execute("""SELECT number FROM account_invoice WHERE state = 'open' AND type = 'out_invoice'
                       AND date_invoice >= '2031-01-01' ORDER BY number LIMIT %s""", (count,))
        return {row[0] for row in cr.fetchall()}


def analyze(conn):
    conn.autocommit = True
    with conn.cursor() as cr:
        for table in INVOICE_TABLES + ("account_invoice_line_tax", "ecrm_sage_binding", "res_partner"):
            cr.execute("ANALYZE %s" % table)
    conn.autocommit = False


INVOICE_ROWS = """
    SELECT 'SI', b.sage_ref, '4000', '', to_char(inv.date_invoice, 'DD/MM/YYYY'), inv.number, inv.number,
           line.price_subtotal, 'T1', tax.amount, '', '', '', '', ''
      FROM account_invoice inv
      JOIN account_invoice_line line ON line.invoice_id = inv.id
      JOIN account_invoice_tax tax ON tax.invoice_id = inv.id
      JOIN ecrm_sage_binding b ON b.backend_id = %(backend)s AND b.res_model = 'res.partner'
                              AND b.res_id = inv.commercial_partner_id
     WHERE inv.type = 'out_invoice' AND inv.state IN ('open', 'paid') AND inv.date_invoice >= %(start)s
     ORDER BY inv.id"""

# What an export must write besides the file, in bare SQL: a binding per invoice (what
# stops a second export sending it again) and one timeline entry per customer, counted
# on the customer, as the export logs them.
EXPORT_WRITES = ("""
    INSERT INTO ecrm_sage_binding (backend_id, company_id, res_model, res_id, partner_id, invoice_id, sage_ref,
                                   checksum, state, create_uid, write_uid, create_date, write_date)
    SELECT %(backend)s, inv.company_id, 'account.invoice', inv.id, inv.commercial_partner_id, inv.id, inv.number,
           md5(inv.number), 'exported', 1, 1, now(), now()
      FROM account_invoice inv
     WHERE inv.type = 'out_invoice' AND inv.state IN ('open', 'paid') AND inv.date_invoice >= %(start)s""", """
    INSERT INTO ecrm_interaction (partner_id, commercial_partner_id, channel, direction, interaction_type, type_id,
                                  company_id, user_id, date, subject, res_model, res_id,
                                  create_uid, write_uid, create_date, write_date)
    SELECT inv.commercial_partner_id, inv.commercial_partner_id, 'ledger', 'outbound', 'sage_invoice_exported',
           (SELECT id FROM ecrm_interaction_type WHERE code = 'sage_invoice_exported'),
           inv.company_id, 1, now(), count(*) || ' document(s) sent to Sage', 'ecrm.sage.backend', %(backend)s,
           1, 1, now(), now()
      FROM account_invoice inv
     WHERE inv.type = 'out_invoice' AND inv.state IN ('open', 'paid') AND inv.date_invoice >= %(start)s
     GROUP BY inv.commercial_partner_id, inv.company_id""", """
    UPDATE res_partner p SET ecrm_interaction_count = COALESCE(p.ecrm_interaction_count, 0) + 1,
                             ecrm_last_interaction_date = now()
     WHERE p.id IN (SELECT inv.commercial_partner_id FROM account_invoice inv
                     WHERE inv.type = 'out_invoice' AND inv.state IN ('open', 'paid')
                       AND inv.date_invoice >= %(start)s)""")


def export_floor(conn, backend_id, start_date, writes=False):
    """One SQL read of the rows the export reads, written with the csv module; with
    ``writes``, also the rows an export must store (then rolled back)."""
    started = time.perf_counter()
    params = {"backend": backend_id, "start": start_date}
    with conn.cursor() as cr:
        cr.execute(INVOICE_ROWS, params)
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\r\n")
        for row in cr:
            writer.writerow(row)
        rows = stream.getvalue().count("\n")
        for statement in EXPORT_WRITES if writes else ():
            cr.execute(statement, params)
    conn.rollback()
    return time.perf_counter() - started, rows


def import_floor(conn, text):
    """The receipts file read with the csv module and stored with one multi-row INSERT."""
    started = time.perf_counter()
    rows = [row for row in csv.reader(io.StringIO(text)) if len(row) >= 10 and row[0] in ("SR", "SA")]
    with conn.cursor() as cr:
        cr.execute("CREATE TEMP TABLE floor_receipt (kind text, ref text, day text, reference text, amount numeric)")
        values = ",".join(cr.mogrify("(%s,%s,%s,%s,%s)", (r[0], r[1], r[4], r[5], r[7])).decode() for r in rows)
        cr.execute("INSERT INTO floor_receipt VALUES " + values)
    conn.rollback()
    return time.perf_counter() - started, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=os.environ.get("ECRM_BENCH_DB", "ecrm_bench"))
    parser.add_argument("--customers", type=int, default=8000)
    parser.add_argument("--invoices", type=int, default=10000)
    # 1,000 by default: booking and reconciling a receipt costs Odoo about 0.1 s on this
    # machine, so the 10,000 takes some 20 minutes; pass --receipts 10000.
    parser.add_argument("--receipts", type=int, default=1000,
                        help="receipts to import (booked in the bank journal, reconciled with their invoice); "
                             "0 measures the exports only")
    parser.add_argument("--load-only", action="store_true",
                        help="bulk-load the history and stop (to make a template database for copies)")
    parser.add_argument("--odoo-conf", default=os.environ.get("ECRM_SAGE_ODOO_CONF") or odoo_server_module.ODOO_CONF)
    args = parser.parse_args()

    odoo_server_module.ODOO_CONF = args.odoo_conf
    server = odoo_server_module.OdooServer(args.db).start()
    conn = connect(args.odoo_conf, args.db)
    results, imported, floor_import, floor_writes = {}, None, None, None
    try:
        rpc = Rpc(server.url, args.db)
        company_id = rpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
        vat20 = rpc("account.tax", "search", [("company_id", "=", company_id), ("type_tax_use", "=", "sale"),
                                              ("amount", "=", 20.0), ("amount_type", "=", "percent")], limit=1)[0]
        income = rpc("account.account", "search", [("company_id", "=", company_id), ("code", "=like", "4000%")],
                     limit=1)[0]
        started = time.perf_counter()
        open_invoices = loaded_history(conn)
        if open_invoices:
            print("reusing the %d open invoices an earlier run loaded" % open_invoices)
            args.invoices = count_bench_invoices(conn)
        else:
            open_invoices = load_history(rpc, conn, args.customers, args.invoices, vat20, income)
            print("bulk-loaded %d customers and %d posted invoices in %.1f s"
                  % (args.customers, args.invoices, time.perf_counter() - started))
        analyze(conn)
        if args.load_only:
            print("history loaded; stopping (--load-only)")
            return
        backend_id = rpc("ecrm.sage.backend", "create", {
            "name": "Bench Sage 50 %s" % time.strftime("%H:%M:%S"), "company_id": company_id,
            "sage_company_code": "BENCH",
            "start_date": "2031-01-01", "tax_map_ids": [(0, 0, {"tax_id": vat20, "sage_tax_code": "T1"})],
            "nominal_map_ids": [(0, 0, {"account_id": income, "nominal_code": "4000"})]})

        with PeakRss(server.process.pid) as memory:
            started = time.perf_counter()
            # queued by the call, sent by a job: timed until the batch is exported (polled every 0.5 s)
            customers = export(rpc, backend_id, "customers", timeout=1800)
            results["customers"] = (time.perf_counter() - started, memory)
        # before the export: its bindings would collide with the ones the floor writes
        floor_writes, _rows = export_floor(conn, backend_id, "2031-01-01", writes=True)
        with PeakRss(server.process.pid) as memory:
            started = time.perf_counter()
            invoices = export(rpc, backend_id, "invoices", timeout=1800)
            results["export"] = (time.perf_counter() - started, memory)
        assert invoices["exported"] == args.invoices, (invoices["exported"], invoices["skipped"][:3])
        analyze(conn)   # fair floor: the planner sees the bulk-loaded rows and the new bindings
        floor_export, floor_rows = export_floor(conn, backend_id, "2031-01-01")
        exported_text = base64.b64decode(invoices["file"]).decode("cp1252")
        assert floor_rows == exported_text.count("\n") - 1, (floor_rows, exported_text.count("\n"))

        if args.receipts:
            ledger = SageLedger("BENCH")
            ledger.import_customers(base64.b64decode(customers["file"]).decode("cp1252"))
            ledger.import_audit_trail(exported_text)
            paid = open_references(conn, args.receipts)
            ledger.pay_invoices(lambda reference: reference in paid)
            receipts_text = ledger.receipts_csv()
            floor_import, floor_receipts = import_floor(conn, receipts_text)
            with PeakRss(server.process.pid) as memory:
                started = time.perf_counter()
                imported = rpc("ecrm.sage.backend", "import_file", backend_id, "receipts",
                               base64.b64encode(receipts_text.encode("cp1252")).decode(), False)
                results["import"] = (time.perf_counter() - started, memory)
            assert imported["errors"] == [] and imported["matched"] == args.receipts, imported
    finally:
        conn.close()
        server.stop()
    if "export" in results:
        report(args, open_invoices, results, customers, (floor_export, floor_writes), floor_rows, imported,
               floor_import)


def report(args, open_invoices, results, customers, floors, floor_rows, imported, floor_import):
    floor_export, floor_writes = floors
    print("\nSage bridge, database %s: %d customers, %d invoices, %d receipts (open invoices before: %d)"
          % (args.db, args.customers, args.invoices, args.receipts, open_invoices))
    print("  %-56s %9s %9s %12s" % ("scenario", "seconds", "x floor", "server +MB"))
    print("  %-56s %9.2f %9s %12.1f" % ("export_batch customers (%d)" % customers["exported"],
                                        results["customers"][0], "-", results["customers"][1].growth_mb))
    print("  %-56s %9.2f" % ("floor: 1 SQL read of the invoice rows + csv module", floor_export))
    print("  %-56s %9.2f" % ("floor + its bindings and timeline rows written in bare SQL", floor_writes))
    print("  %-56s %9.2f %9.1f %12.1f" % ("export_batch invoices -> audit trail (%d rows)" % floor_rows,
                                          results["export"][0], results["export"][0] / floor_export,
                                          results["export"][1].growth_mb))
    print("  %-56s %9s %9.1f" % ("  the same against the floor with writes", "",
                                 results["export"][0] / floor_writes))
    if imported is None:
        return
    print("  %-56s %9.2f" % ("floor: csv read + 1 multi-row INSERT of the receipts", floor_import))
    print("  %-56s %9.2f %9.1f %12.1f" % ("import_file receipts -> %d booked + reconciled" % imported["matched"],
                                          results["import"][0], results["import"][0] / floor_import,
                                          results["import"][1].growth_mb))


if __name__ == "__main__":
    main()
