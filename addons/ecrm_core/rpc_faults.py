"""A ValidationError reaches XML-RPC callers as a message, not as a server traceback.

In Odoo 11 ``ValidationError`` derives from ``except_orm``, not ``UserError``, and the
XML-RPC fault handler only turns ``UserError`` into a plain "warning" fault: every
constraint an integrator breaks came back as fault 1 carrying the server's traceback,
while JSON-RPC callers got the message. Odoo 13 made ValidationError a UserError; this
gives XML-RPC callers that behaviour now, for the host's constraints and ours alike.
Loaded with the module's code, so it holds for the whole server, as the handler does.

JSON-RPC callers read ``str(error)``: "<message>\nNone" for a ValidationError, whose
``value`` is None, against "<message>\n" for a UserError. The value is set to '' as
UserError does, so both protocols carry the same message.
"""
from odoo import exceptions
from odoo.service import wsgi_server

_handle_int = wsgi_server.xmlrpc_handle_exception_int
_handle_string = wsgi_server.xmlrpc_handle_exception_string


def _as_user_error(error):
    if isinstance(error, exceptions.except_orm) and not isinstance(error, (
            exceptions.UserError, exceptions.RedirectWarning, exceptions.MissingError, exceptions.AccessError)):
        return exceptions.UserError(error.name)
    return error


def xmlrpc_handle_exception_int(error):
    return _handle_int(_as_user_error(error))


def xmlrpc_handle_exception_string(error):
    return _handle_string(_as_user_error(error))


def _validation_error_init(self, msg):
    exceptions.except_orm.__init__(self, msg, value="")


if not getattr(wsgi_server.xmlrpc_handle_exception_int, "_ecrm_patched", False):
    exceptions.ValidationError.__init__ = _validation_error_init
    xmlrpc_handle_exception_int._ecrm_patched = xmlrpc_handle_exception_string._ecrm_patched = True
    wsgi_server.xmlrpc_handle_exception_int = xmlrpc_handle_exception_int
    wsgi_server.xmlrpc_handle_exception_string = xmlrpc_handle_exception_string
