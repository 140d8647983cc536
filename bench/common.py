"""What the benchmarks share: an XML-RPC client, timing helpers, database copies."""
import time
import xmlrpc.client

import psycopg2


class Rpc:
    """execute_kw as admin, called like rpc(model, method, *args, **kwargs)."""

    def __init__(self, url, database):
        self.database = database
        common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common")
        self.uid = common.authenticate(database, "admin", "admin", {})
        self.models = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.database, self.uid, "admin", model, method, list(args), kwargs)

    def ref(self, xmlid):
        return self("ir.model.data", "xmlid_to_res_id", xmlid)


def timed(function, *args):
    """Seconds one call takes."""
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def timed_result(function):
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def dsn(database, conf):
    """psycopg2 connection arguments for ``database`` from an Odoo config (odoo.tools.config)."""
    return dict(dbname=database, host=conf["db_host"], port=conf["db_port"] or 5432,
                user=conf["db_user"], password=conf["db_password"])


def fresh_copy(template, database, conf):
    """Drop ``database`` and copy it anew from ``template`` (which must have no open sessions)."""
    admin = psycopg2.connect(**dsn("postgres", conf))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute('DROP DATABASE IF EXISTS "%s"' % database)
        cur.execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (database, template))
    admin.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
