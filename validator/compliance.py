"""Where our findings overlap the official Open Responses compliance suite.

Users gate CI on the suite of the Open Responses project
(openresponses/openresponses, ``src/lib/compliance-tests.ts``). Its test
``streaming-response`` sends a streaming request and fails when an event
cannot be parsed as JSON, when an event does not match the union of the
spec's streaming events (``src/lib/sse-parser.ts``: a zod union of the
standard events, so also any extension or unknown event type), or when no
``response.completed``, ``response.failed`` or ``response.incomplete`` gives
it a final response to check. A finding of one of the codes below, in the
``openresponses`` profile, means the same stream fails that suite test.

Only true overlaps are listed: the suite's other tests check what a server
answers to particular requests (a function call, an image input, a
previous_response_id), not the stream's protocol, and several of our rules
(ordering, sequence numbers, ids, texts) have no counterpart there. The
suite also fails a stream whose final status is not ``completed``, which is
no defect of the stream and has no finding here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SUITE = "openresponses/openresponses src/lib/compliance-tests.ts"
PROFILE = "openresponses"
STREAMING_RESPONSE = "streaming-response"

# Code -> the suite tests a stream with that finding fails.
OVERLAP: Mapping[str, tuple[str, ...]] = {
    "SSE001": (STREAMING_RESPONSE,),  # "Failed to parse event data"
    "SSE002": (STREAMING_RESPONSE,),  # a JSON value that is no event object fails the event union
    "SSE003": (STREAMING_RESPONSE,),  # an event without `type` fails the event union
    "SCH001": (STREAMING_RESPONSE,),  # the event does not match its schema
    "SCH002": (STREAMING_RESPONSE,),  # an unknown event type is in no member of the union
    "SCH003": (STREAMING_RESPONSE,),  # the suite's union rejects every extension event, numbered or not
    "SCH005": (STREAMING_RESPONSE,),  # non-standard events: in no member of the union
    "SCH006": (STREAMING_RESPONSE,),
    "SCH007": (STREAMING_RESPONSE,),
    "LIF007": (STREAMING_RESPONSE,),  # no terminal event: no final response to validate
    "LIF010": (STREAMING_RESPONSE,),  # an error event without response.failed: no final response either
}


def tests_for(profile: str, code: str) -> tuple[str, ...]:
    """The suite tests a finding of ``code`` makes fail, in ``profile`` (none outside openresponses)."""
    return OVERLAP.get(code, ()) if profile == PROFILE else ()


def failed_tests(profile: str, codes: Iterable[str]) -> dict[str, list[str]]:
    """Suite test -> the codes (sorted, unique) that make it fail, for one stream's findings."""
    out: dict[str, set[str]] = {}
    for code in codes:
        for test in tests_for(profile, code):
            out.setdefault(test, set()).add(code)
    return {test: sorted(found) for test, found in sorted(out.items())}
