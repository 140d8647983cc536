"""What the five add-ons expose, read from the live registry of the e2e database and its routing map.

Nothing here is a hand-kept list: a method, model, field or route added tomorrow shows up
in the inventory, and the matrix test fails until someone classifies it.
"""
from collections import namedtuple

import odoo
import odoo.http
from odoo import fields as odoo_fields
from odoo.models import regex_private

ECRM_PREFIX = "odoo.addons.ecrm_"

Route = namedtuple("Route", "method path")  # e.g. Route("POST", "/my/preferences")


class Inventory(namedtuple("Inventory", "methods models fields routes")):
    """``methods``: {(model, method)}; ``models``: {model: kind}; ``fields``: {(model, field)};
    ``routes``: {Route}."""

    @classmethod
    def load(cls, database):
        registry = odoo.registry(database)
        with registry.cursor() as cr:
            cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")
            installed = [row[0] for row in cr.fetchall()]
        return cls(_methods(registry), _models(registry), _host_fields(registry), _routes(registry, installed))


def _ecrm_classes(model_class):
    return [klass for klass in model_class.__mro__ if klass.__module__.startswith(ECRM_PREFIX)]


def _methods(registry):
    """Public methods (callable over RPC: not ``_x`` nor ``init``) an eCRM class defines or overrides,
    on every model that is not abstract (abstract ones reach RPC through the models inheriting them)."""
    found = set()
    for name, model_class in registry.models.items():
        if model_class._abstract:
            continue
        for klass in _ecrm_classes(model_class):
            for attr, value in vars(klass).items():
                if callable(value) and not isinstance(value, type) and not regex_private.match(attr):
                    found.add((name, attr))
    return found


def _models(registry):
    """Concrete models the add-ons create: regular, transient (wizards) or SQL views (reports)."""
    kinds = {}
    for name, model_class in registry.models.items():
        if model_class._original_module.startswith("ecrm_") and not model_class._abstract:
            kinds[name] = "transient" if model_class._transient else "view" if not model_class._auto else "regular"
    return kinds


def _host_fields(registry):
    """Fields the add-ons add to (or redefine on) models that are not their own.

    Fields res.users inherits from res.partner through ``_inherits`` are the same fields
    (same groups, same values), so they are not listed twice.
    """
    found = set()
    for name, model_class in registry.models.items():
        if model_class._abstract or model_class._original_module.startswith("ecrm_"):
            continue
        for klass in _ecrm_classes(model_class):
            for attr, value in vars(klass).items():
                if isinstance(value, odoo_fields.Field):
                    found.add((name, attr))
    return found


def _routes(registry, installed):
    """Every URL whose endpoint an eCRM controller defines or overrides, per HTTP method."""
    routing_map = odoo.http.routing_map(installed, False, converters=registry["ir.http"]._get_converters())
    found = set()
    for rule in routing_map.iter_rules():
        bound = rule.endpoint.method
        defining = [klass for klass in type(bound.__self__).__mro__
                    if hasattr(vars(klass).get(bound.__name__), "routing")]
        if any(klass.__module__.startswith(ECRM_PREFIX) for klass in defining):
            for method in sorted(set(rule.methods or ("GET", "POST")) - {"HEAD"}):
                found.add(Route(method, rule.rule))
    return found
