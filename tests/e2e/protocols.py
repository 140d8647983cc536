"""Calling the suite the two ways integrators do: plain XML-RPC (``xmlrpc.client``, which
marshals no None and only string keys) and JSON-RPC (odoorpc), side by side."""
import xmlrpc.client

import odoorpc
import pytest


class Protocols:
    def __init__(self, server):
        self.database = server.database
        common = xmlrpc.client.ServerProxy(server.url + "/xmlrpc/2/common")
        self.uid = common.authenticate(server.database, "admin", "admin", {})
        self.xml = xmlrpc.client.ServerProxy(server.url + "/xmlrpc/2/object")     # allow_none=False, as plain
        self.odoo = odoorpc.ODOO("127.0.0.1", port=server.port, timeout=120)
        self.odoo.login(server.database, "admin", "admin")

    def xmlrpc(self, model, method, *args):
        return self.xml.execute_kw(self.database, self.uid, "admin", model, method, list(args), {})

    def jsonrpc(self, model, method, *args):
        return self.odoo.execute_kw(model, method, list(args), {})

    def both(self, model, method, *args):
        """The answers over both protocols, checked equal."""
        over_xml, over_json = self.xmlrpc(model, method, *args), self.jsonrpc(model, method, *args)
        assert over_xml == over_json, (model, method)
        assert_plain(over_xml)
        return over_xml

    def refusals(self, model, method, *args):
        """The UserError messages over both protocols, checked equal."""
        with pytest.raises(xmlrpc.client.Fault) as over_xml:
            self.xmlrpc(model, method, *args)
        with pytest.raises(odoorpc.error.RPCError) as over_json:
            self.jsonrpc(model, method, *args)
        data = over_json.value.info["data"]
        assert over_xml.value.faultCode == 2, over_xml.value.faultString[:500]
        assert data["name"] in ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError"), data["name"]
        # Odoo's JSON-RPC error ends the message with a newline (name + "\n" + value of except_orm)
        assert over_xml.value.faultString == data["message"].rstrip("\n")
        assert "Traceback" not in over_xml.value.faultString and "Traceback" not in data["message"]
        return over_xml.value.faultString


def assert_plain(value):
    """What both protocols carry the same way: str keys, no None, only JSON/XML-RPC scalars."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), key
            assert_plain(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            assert_plain(item)
    else:
        assert value is not None and isinstance(value, (bool, int, float, str)), repr(value)


def without_ids(value, *keys):
    if isinstance(value, dict):
        return {key: without_ids(item, *keys) for key, item in value.items() if key not in keys}
    if isinstance(value, list):
        return [without_ids(item, *keys) for item in value]
    return value
