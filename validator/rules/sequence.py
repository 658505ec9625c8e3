"""SEQ: `sequence_number` on every event (enforced in ``validator.machine.sequence``)."""

from __future__ import annotations

from validator.rules import (
    ERROR,
    OPENAI_SPEC,
    OPENRESPONSES,
    WARNING,
    Rule,
    SpecRef,
    both,
    register,
)

_EXT = SpecRef(OPENRESPONSES, "Extending streaming events (sequence_number)")

MISSING = Rule(
    code="SEQ001",
    name="sequence-number-missing",
    summary="No event of the stream carries an integer `sequence_number`.",
    requirement="Every streaming event carries `sequence_number`, an integer (required in every event schema).",
    severity={"openai": WARNING, "openresponses": ERROR},
    refs=(SpecRef(OPENAI_SPEC, "ResponseStreamEvent members: sequence_number (required)"), _EXT),
    breaks=(
        "clients that resume with `starting_after` or order and de-duplicate events by it",
    ),
    rationale=(
        "A warning in the openai profile: OpenAI's own API sent no sequence numbers before they "
        "were introduced in 2025 (recorded in the corpus) and openai-python streams such bodies "
        "without complaint. Required by the Open Responses event schemas, so an error there. "
        "Reported once, at the end of the stream, located at its first event."
    ),
    evidence=(
        (
            "Measured (SEQ/sequence-number-missing.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        "MUST (openresponses): every event schema requires `sequence_number`.",
    ),
)

INCONSISTENT = Rule(
    code="SEQ005",
    name="sequence-number-inconsistent",
    summary="Some events carry an integer `sequence_number` and others do not.",
    requirement="Every streaming event carries `sequence_number`, an integer.",
    severity=both(ERROR),
    refs=(SpecRef(OPENAI_SPEC, "ResponseStreamEvent members: sequence_number (required)"), _EXT),
    breaks=(
        (
            "clients that order or de-duplicate by sequence number (unnumbered events sort first or are "
            "dropped)"
        ),
    ),
    rationale=(
        "Unlike a stream with no numbers at all (SEQ001), a partly numbered stream cannot be "
        "ordered by anyone. LiteLLM's Responses bridge numbers only `output_item.done`. "
        "Reported once, at the first event that breaks the pattern."
    ),
    evidence=(
        (
            "Measured (SEQ/sequence-number-inconsistent.sse, 8 clients, versions in docs/clients.md): "
            "every client reads it as the stream says (or as it reads a valid stream that ends the same "
            "way)."
        ),
        (
            "From code: pydantic-ai resumes with `starting_after` = the last sequence_number it saw; "
            "events without one cannot be resumed from. MUST: `sequence_number` is required in every event "
            "schema."
        ),
    ),
)

NOT_INCREASING = Rule(
    code="SEQ002",
    name="sequence-number-not-increasing",
    summary="`sequence_number` is not greater than the previous event's.",
    requirement=(
        "`sequence_number` is a monotonically increasing number that allows clients to "
        "order events and detect gaps."
    ),
    severity=both(ERROR),
    refs=(_EXT, SpecRef(OPENAI_SPEC, "ResponseStreamEvent.sequence_number")),
    breaks=(
        "clients that order, de-duplicate or resume by sequence number (events dropped as duplicates)",
    ),
    evidence=(
        (
            "Measured (SEQ/sequence-number-repeated.sse, 8 clients, versions in docs/clients.md): every "
            "client reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
        (
            "From code: pydantic-ai resumes a background stream with `starting_after` = the last "
            "sequence_number it saw (pydantic_ai/models/openai/_responses_model.py): numbers that go back "
            "make the resumed stream repeat or skip events."
        ),
    ),
)

NOT_FROM_ZERO = Rule(
    code="SEQ003",
    name="sequence-number-not-from-zero",
    summary="The first event's `sequence_number` is not 0 (or N+1 for a stream resumed after N).",
    requirement="A fresh stream numbers its events from 0; a stream resumed with `starting_after=N` from N+1.",
    severity=both(WARNING),
    refs=(SpecRef(OPENAI_SPEC, "ResponseCreatedEvent.sequence_number"),),
    rationale=(
        "A warning: no client checks the first number. A resumed stream (`starting_after=N`) "
        "legitimately starts at N+1, as OpenAI's background mode does; declared as such "
        "(`--resumed-after N`, or a HAR entry whose request resumes), its first number must be N+1, "
        "and the checks that need the events before it (items and parts it never saw being added) "
        "are relaxed. An undeclared late start is LIF001 as well."
    ),
    evidence=(
        (
            "Measured (SEQ/sequence-number-not-from-zero.sse, 8 clients, versions in docs/clients.md): "
            "every client reads it as the stream says (or as it reads a valid stream that ends the same "
            "way)."
        ),
    ),
)

GAP = Rule(
    code="SEQ004",
    name="sequence-number-gap",
    summary="`sequence_number` skips one or more numbers.",
    requirement="Sequence numbers let clients detect gaps; a server sends consecutive numbers.",
    severity=both(WARNING),
    refs=(_EXT,),
    rationale=(
        "A warning: gateways that filter events (pings, vendor events) leave gaps that clients "
        "tolerate. Trimmed recordings show gaps too; the corpus tests do not judge them."
    ),
    evidence=(
        (
            "Measured (SEQ/sequence-number-gap.sse, 8 clients, versions in docs/clients.md): every client "
            "reads it as the stream says (or as it reads a valid stream that ends the same way)."
        ),
    ),
)

register(MISSING, NOT_INCREASING, NOT_FROM_ZERO, GAP, INCONSISTENT)
