"""One switch for every shortcut the checks take on the common path.

The shortcuts (the fused SSE lane, the quick schema checks, the state
machine's next-delta step) only skip work that cannot find anything; with
``ENABLED = False`` every event takes the full checks.
``conformance_tests/test_fast_paths.py`` runs streams both ways and requires
the same report. The switch is read when a Checker is built.
"""

ENABLED = True
