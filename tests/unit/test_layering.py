"""Plain-Python domain packages must not import Odoo, so they stay cheap to test and port."""
import ast
import pathlib

import pytest

ADDONS = pathlib.Path(__file__).resolve().parents[2] / "addons"
ODOO_LAYERS = {"models", "views", "security", "data", "demo", "controllers", "wizards", "tests",
               "readme", "static", "i18n", "migrations", "report"}
DOMAIN_FILES = sorted(
    path for package in ADDONS.glob("ecrm_*/*/") if package.name not in ODOO_LAYERS
    for path in package.rglob("*.py"))


def test_there_are_domain_packages_to_check():
    assert DOMAIN_FILES, "no plain-Python package found under addons/ecrm_*/"


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(ADDONS)))
def test_domain_package_does_not_import_odoo(path):
    tree = ast.parse(path.read_text())
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.level == 0]
    assert not [name for name in imported if name == "odoo" or name.startswith("odoo.")]
    # a sibling domain package (..quality) is fine; the Odoo layers (..models) are not
    upward = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level > 1
              and (node.module or "").split(".")[0] in ODOO_LAYERS | {""}]
    assert not upward, "a domain package imports upward into the Odoo layer: %s" % upward
