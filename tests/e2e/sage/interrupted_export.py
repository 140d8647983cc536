"""Run one invoice export job in this process and stall right after the bindings are written.

The e2e test starts this as a subprocess, waits for BINDINGS_WRITTEN on stdout
(bindings written, bindings visible inside the transaction, its PostgreSQL backend
pid) and SIGKILLs it mid-transaction, as a crash or an OOM kill would.
Usage: interrupted_export.py ODOO_CONF DATABASE BACKEND_ID
"""
import sys
import time

import odoo


def main(conf, database, backend_id):
    odoo.tools.config.parse_config(["-c", conf, "-d", database, "--log-level=warn"])
    registry = odoo.registry(database)
    binding_class = registry["ecrm.sage.binding"]
    original = binding_class._insert_many

    def insert_then_stall(self, values_list):
        records = original(self, values_list)
        self.env.cr.execute("SELECT count(*), pg_backend_pid() FROM ecrm_sage_binding WHERE backend_id = %s",
                            (int(backend_id),))
        visible, pid = self.env.cr.fetchone()
        print("BINDINGS_WRITTEN %d %d %d" % (len(records), visible, pid), flush=True)
        time.sleep(3600)
        return records

    binding_class._insert_many = insert_then_stall
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        # the export job's body, as a queue_job worker runs it (the server's runner must not take it)
        batch = env["ecrm.sage.batch"].create({"backend_id": int(backend_id), "kind": "invoices",
                                               "state": "exporting"})
        batch._sage_job_export()
    print("EXPORT_COMMITTED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
