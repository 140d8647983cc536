"""Hypothesis profiles for the parsers' property-based tests (tests marked ``fuzz``).

``suite`` (the default) runs a few thousand examples per parser inside ``make test``;
``long`` is for ``make fuzz``. Pick one with HYPOTHESIS_PROFILE. Every parser test
allows exactly two outcomes: a parsed result, or the parser's own documented error.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "suite", max_examples=int(os.environ.get("ECRM_FUZZ_EXAMPLES", "2000")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "long", max_examples=int(os.environ.get("ECRM_FUZZ_EXAMPLES", "50000")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
