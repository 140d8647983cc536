"""The integrator example in README.md runs as written."""
import os
import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def readme_example():
    text = README.read_text()
    block = re.search(r"<!-- integrator-example:start -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README lost its integrator example"
    return block.group(1)


def test_readme_integrator_example_runs(odoo_server, admin_rpc):
    before = admin_rpc.env["ecrm.interaction"].search_count([])
    result = subprocess.run(
        [sys.executable, "-c", readme_example()],
        env=dict(os.environ, ECRM_PORT=str(odoo_server.port), ECRM_DB=odoo_server.database),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.endswith("phone Asked for a call back about ceiling hoists") for line in lines)
    assert any(line.startswith("2026-11-20 10:30:00 email Quotation sent") for line in lines)
    assert "type call is Phone call on phone" in lines
    assert "type site_visit is Site visit on meeting" in lines
    assert "logged on meeting" in lines, "the company's own type gave the entry its channel"
    assert "2 interaction row(s) rejected, nothing was logged" in result.stdout
    assert "row 1: unknown partner 999999999" in result.stdout
    assert "row 2: unknown interaction_type 'call_mee' (did you mean call_me" in result.stdout
    assert "re-sent call logged as the same entry: True" in lines
    # the visit and the two good rows landed; the rejected batch (one good, two bad rows) left nothing
    assert admin_rpc.env["ecrm.interaction"].search_count([]) == before + 3
