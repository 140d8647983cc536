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
