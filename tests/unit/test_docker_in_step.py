"""No Docker engine runs here: the image's build steps are checked against set-up's here, and
its entrypoint is run as it is by tests/e2e/test_docker_entrypoint.py."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()


def test_image_uses_python_37_like_setup():
    assert "FROM python:3.7-" in DOCKERFILE
    assert "sys.version_info[:2] == (3, 7)" in (ROOT / "scripts" / "setup.sh").read_text()


def test_image_installs_the_same_pins():
    assert "COPY requirements.txt requirements-oca.txt constraints.txt package.json package-lock.json ./" in DOCKERFILE
    assert "pip install --no-cache-dir -r requirements.txt -c constraints.txt" in DOCKERFILE
    # the OCA add-ons (queue_job) go in as set-up puts them: --no-deps, same file
    assert "pip install --no-cache-dir --no-deps -r requirements-oca.txt" in DOCKERFILE
    assert '--no-deps -r "$REPO/requirements-oca.txt"' in (ROOT / "scripts" / "setup.sh").read_text()
    assert "npm ci" in DOCKERFILE


def test_the_compose_cluster_is_the_one_make_cluster_starts():
    """One proxy file for both (cluster.sh renders docker/haproxy.cfg), the same runner settings."""
    import re
    import yaml
    haproxy = (ROOT / "docker" / "haproxy.cfg").read_text()
    compose = yaml.safe_load((ROOT / "docker" / "docker-compose.yml").read_text())
    cluster = (ROOT / "scripts" / "cluster.sh").read_text()
    variables = set(re.findall(r'"\$\{([A-Z0-9_]+)\}"', haproxy))
    assert variables == set(compose["services"]["proxy"]["environment"])
    assert all("local %s=" % name in cluster or " %s=" % name in cluster for name in variables)
    assert '"$REPO/docker/haproxy.cfg"' in cluster
    for node in ("odoo1", "odoo2"):
        env = compose["services"][node]["environment"]
        assert env["ECRM_SERVER_WIDE_MODULES"] == "web,queue_job,ecrm_core"
        assert env["ECRM_JOB_RUNNER_HOST"] == "proxy"
        assert compose["services"][node]["volumes"] == ["filestore:/srv/ecrm/var/data"]
    assert 'ECRM_SERVER_WIDE_MODULES="web,queue_job,ecrm_core"' in cluster
    assert "ECRM_ENSURE_DATABASE" in (ROOT / "docker" / "entrypoint.sh").read_text()
