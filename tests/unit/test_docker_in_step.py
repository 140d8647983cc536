"""No Docker engine runs here, so keep docker/ in step with `make setup` by construction."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
ENTRYPOINT = (ROOT / "docker" / "entrypoint.sh").read_text()


def test_image_uses_python_37_like_setup():
    assert "FROM python:3.7-" in DOCKERFILE
    assert "sys.version_info[:2] == (3, 7)" in (ROOT / "scripts" / "setup.sh").read_text()


def test_image_installs_the_same_pins():
    assert "COPY requirements.txt constraints.txt package.json package-lock.json ./" in DOCKERFILE
    assert "pip install --no-cache-dir -r requirements.txt -c constraints.txt" in DOCKERFILE
    assert "npm ci" in DOCKERFILE


def test_entrypoint_reuses_the_setup_functions():
    assert "source /srv/ecrm/scripts/env.sh" in ENTRYPOINT
    env = (ROOT / "scripts" / "env.sh").read_text()
    for function in ("write_odoo_conf", "create_database", "db_exists", "assert_installed", "ecrm_modules"):
        assert function in ENTRYPOINT and "%s()" % function in env, function
    assert "--workers=" in ENTRYPOINT
