#!/usr/bin/env bash
# The parsers' property-based tests (marker `fuzz`) with the long hypothesis profile:
# 50,000 examples per test by default, or ECRM_FUZZ_EXAMPLES. Prints the example
# counts per test. Extra arguments go to pytest.
source "$(dirname "$0")/env.sh"

[ -x "$PY" ] || die "no .venv: run 'make setup' first"
write_odoo_conf
cd "$REPO"
# pytest-odoo wants a database even for plain-Python tests; none of these touch it.
HYPOTHESIS_PROFILE=long exec "$PY" -m pytest --odoo-config="$ODOO_CONF" --odoo-database="$ECRM_DEMO_DB" \
    -m fuzz --hypothesis-show-statistics -p no:cacheprovider tests/unit "$@"
