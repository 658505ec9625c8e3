"""Shared test configuration."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# --- Hypothesis settings profiles (the strategies' property tests) -----------------------------
# "ci" runs enough examples to matter (Hypothesis's default count) and is reproducible;
# "dev" keeps local runs quick.
# HYPOTHESIS_PROFILE picks one explicitly; otherwise CI=... selects "ci".
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
