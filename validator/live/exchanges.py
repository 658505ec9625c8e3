"""The scenarios that take more than one request: non-streaming, cancellation, concurrency.

Each runner sends its requests, checks every stream through ``client.exchange``
(so the protocol rules judge each one as usual) and adds the scenario's own
findings through the first exchange's Checker, sharing its selection and
redaction. Every request is bounded by the target's timeouts; the parallel
streams by the same timeouts and a join that gives up after the total.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson

from validator import schemas
from validator.live.client import Exchange, Target, Timeouts, exchange
from validator.live.scenarios import CONCURRENT_STREAMS, UNKNOWN_RESPONSE_ID, Scenario
from validator.report import StreamReport
from validator.rules import Rule
from validator.rules import http as rules
from validator.sse import SSEDecoder

# How much of a non-streamed answer is read (a Response is small; a flood stops here).
JSON_BODY_LIMIT = 8 * 1024 * 1024
# How much of the stream to cancel is read before the client closes it, at most.
CANCEL_AFTER_BYTES = 64 * 1024
# The HTT codes that say a request was not answered: after a cancellation, the server's fault.
UNANSWERED = frozenset({"HTT001", "HTT003", "HTT004", "HTT005", "HTT006", "HTT007", "HTT016"})
NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John")


@dataclasses.dataclass(frozen=True, slots=True)
class Options:
    profile: str
    select: list[str] | None
    ignore: list[str] | None
    timeline: bool


Runner = Callable[[httpx.Client, Target, Scenario, Options], StreamReport]


def _run(client: httpx.Client, target: Target, scenario: Scenario, options: Options,
         body: dict[str, Any] | None = None) -> Exchange:
    return exchange(client, target, scenario, options.profile, select=options.select, ignore=options.ignore,
                    body=body, timeline=options.timeline)


# --- non-streaming -----------------------------------------------------------------------------


def run_non_streaming(client: httpx.Client, target: Target, scenario: Scenario, options: Options) -> StreamReport:
    """The request streamed (checked as usual), then with ``stream: false``: a valid Response of the same shape."""
    streamed = _run(client, target, scenario, options)
    body = {**scenario.body(target.model), "stream": False}
    answer = _post_json(client, target, body, streamed)
    if answer is not None:
        _check_response(streamed, answer, options.profile)
    return streamed.report


def _post_json(client: httpx.Client, target: Target, body: dict[str, Any], run: Exchange) -> dict[str, Any] | None:
    answer = bounded_json(client, target, "POST", target.url, body)
    if answer.failed is not None:
        run.emit(rules.NON_STREAMING_INVALID, f"the stream: false {answer.failed}")
        return None
    status, content_type, data = answer.status, answer.content_type, answer.data
    text = bytes(data).decode("utf-8", "replace")
    if status != 200:
        run.emit(rules.NON_STREAMING_INVALID, f"stream: false was answered with HTTP {status}: {_snippet(text)}")
        return None
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        run.emit(rules.NON_STREAMING_INVALID,
                 f"stream: false was answered as {content_type or 'untyped'!r}, not application/json: {_snippet(text)}")
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        run.emit(rules.NON_STREAMING_INVALID, f"the stream: false answer is not JSON: {_snippet(text)}")
        return None
    if not isinstance(value, dict):
        run.emit(rules.NON_STREAMING_INVALID, f"the stream: false answer is not a JSON object: {_snippet(text)}")
        return None
    return value


TERMINAL_FOR_STATUS = {"incomplete": "response.incomplete", "failed": "response.failed"}


def _check_response(run: Exchange, answer: dict[str, Any], profile: str) -> None:
    # The Response is checked against the schema of the terminal event that would carry it.
    kind = TERMINAL_FOR_STATUS.get(str(answer.get("status")), "response.completed")
    violation = schemas.validate(profile, {"type": kind, "sequence_number": 0, "response": answer})
    if violation is not None:
        run.emit(
            rules.NON_STREAMING_INVALID,
            f"the stream: false Response does not match the schema: {violation.message}",
            pointer=violation.pointer.removeprefix("/response"),
        )
    streamed = run.observation.terminal
    if streamed is None:
        return  # nothing to compare with: the stream's own findings say why
    expected, actual = shape(streamed), shape(answer)
    differences = [name for name in expected if expected[name] != actual[name]]
    if differences:
        said = "; ".join(f"{name}: streamed {expected[name]!r}, stream: false {actual[name]!r}" for name in differences)
        run.emit(rules.NON_STREAMING_SHAPE, f"the stream: false Response differs from the streamed one: {said}",
                 expected={n: expected[n] for n in differences}, actual={n: actual[n] for n in differences})


def shape(response: dict[str, Any]) -> dict[str, Any]:
    """What must agree between a streamed and a non-streamed Response to the same request."""
    output = [i for i in response.get("output") or [] if isinstance(i, dict)]
    return {
        "fields": sorted(response),
        "object": response.get("object"),
        "status": response.get("status"),
        "output types": [i.get("type") for i in output],
        "content types": [
            [p.get("type") for p in i.get("content") or [] if isinstance(p, dict)]
            for i in output
            if isinstance(i.get("content"), list)
        ],
    }


# --- cancellation ------------------------------------------------------------------------------


def run_cancel(client: httpx.Client, target: Target, scenario: Scenario, options: Options) -> StreamReport:
    """Close a stream after its first delta, then send a short request: it must be answered as usual."""
    cancelled = _cancel_one(client, target, scenario.body(target.model))
    follow = dataclasses.replace(
        scenario, kind="stream",
        build=lambda model: {"model": model, "input": "Say hello in one short sentence.", "stream": True},
    )
    run = _run(client, target, follow, options)
    unanswered = sorted(run.report.codes & UNANSWERED)
    if unanswered or run.report.error:
        why = ", ".join(unanswered) or run.report.error
        run.emit(rules.CANCEL_BROKE_NEXT,
                 f"after the client closed a stream {cancelled}, the next request was not answered ({why})")
    return run.report


def _cancel_one(client: httpx.Client, target: Target, body: dict[str, Any]) -> str:
    """Open a stream and close it after its first delta; what happened, for the finding's message."""
    timeouts = target.timeouts
    timeout = _timeout(timeouts, read=min(timeouts.first_byte, timeouts.idle))
    headers = target.request_headers({"Connection": "close"})
    seen = bytearray()
    started = time.monotonic()
    try:
        request = client.build_request("POST", target.url, content=orjson.dumps(body), headers=headers, timeout=timeout)
        with contextlib.closing(client.send(request, stream=True)) as response:
            if response.status_code != 200:
                return f"(it was answered with HTTP {response.status_code})"
            for chunk in response.iter_bytes():
                seen.extend(chunk)
                if b".delta" in seen or len(seen) > CANCEL_AFTER_BYTES or time.monotonic() - started > timeouts.total:
                    return f"after {len(seen)} bytes"
    except httpx.HTTPError as exc:
        return f"(it failed: {str(exc) or type(exc).__name__})"
    return f"(it had ended after {len(seen)} bytes, before any delta)"


# --- concurrency -------------------------------------------------------------------------------


def run_concurrency(client: httpx.Client, target: Target, scenario: Scenario, options: Options) -> StreamReport:
    """CONCURRENT_STREAMS streams at once, each its own request; each is checked, then the ids compared."""
    lanes = []
    for n in range(CONCURRENT_STREAMS):
        name = NAMES[n % len(NAMES)]
        lane = dataclasses.replace(scenario, name=f"{scenario.name}-{n + 1}", kind="stream")
        body = {**scenario.body(target.model), "input": f"Say hello to {name} in one short sentence."}
        lanes.append((lane, body))
    with ThreadPoolExecutor(max_workers=CONCURRENT_STREAMS, thread_name_prefix="battery-lane") as pool:
        futures = [pool.submit(_run, client, target, lane, options, body) for lane, body in lanes]
        runs = [future.result() for future in futures]  # each exchange is bounded by the total timeout
    first = runs[0]
    _check_cross_talk(runs)
    report = StreamReport(scenario.name, options.profile, "live", http=first.report.http, scenario=scenario.name)
    for run in runs:
        report.findings += run.report.findings
        report.elided += run.report.elided
        report.events += run.report.events
        if run.report.error and report.error is None:
            report.error = f"{run.scenario.name}: {run.report.error}"
    report.timeline = first.report.timeline
    return report


def _check_cross_talk(runs: list[Exchange]) -> None:
    for i, one in enumerate(runs):
        for other in runs[i + 1:]:
            for what, mine, theirs in (
                ("response id", one.observation.response_ids, other.observation.response_ids),
                ("item id", one.observation.item_ids, other.observation.item_ids),
            ):
                shared = sorted(mine & theirs)
                if shared:
                    runs[0].emit(
                        rules.CROSS_TALK,
                        f"{one.scenario.name} and {other.scenario.name}, two different requests sent at once, "
                        f"share the {what} {', '.join(shared[:3])}{' …' if len(shared) > 3 else ''}",
                        actual=shared[:10],
                    )


# --- background mode and resumption ------------------------------------------------------------


def run_background(client: httpx.Client, target: Target, scenario: Scenario, options: Options) -> StreamReport:
    """Stream a ``background: true`` response (checked as usual), then resume it after its middle event:
    ``GET {base}/responses/{id}?stream=true&starting_after=N`` must stream the same events after N."""
    run = exchange(client, target, scenario, options.profile, select=options.select, ignore=options.ignore,
                   timeline=options.timeline, keep_payloads=True)
    original = run.observation.payloads or []
    response_id = next(iter(sorted(run.observation.response_ids)), None)
    if run.report.error or response_id is None or len(run.observation.response_ids) != 1:
        return run.report  # the stream's own findings say what went wrong
    numbers = [p.get("sequence_number") for p in original]
    if not all(isinstance(n, int) for n in numbers):
        run.emit(rules.RESUME_MISMATCH, "the background stream's events carry no sequence_number to resume after")
        return run.report
    after = numbers[len(numbers) // 2]
    expected = [p for p in original if p["sequence_number"] > after]
    url = target.resource_url(response_id, query={"stream": "true", "starting_after": str(after)})
    resumed = _get_events(client, target, url, run)
    if resumed is None:
        return run.report
    if resumed != expected:
        run.emit(rules.RESUME_MISMATCH, f"resumed with starting_after={after}: {_first_difference(expected, resumed)}",
                 expected=[_label(p) for p in expected[:20]], actual=[_label(p) for p in resumed[:20]])
    return run.report


def _get_events(client: httpx.Client, target: Target, url: str, run: Exchange) -> list[dict[str, Any]] | None:
    """The JSON payloads of a GET's event stream, within the limits; None (after a finding) when it fails."""
    timeouts = target.timeouts
    headers = target.request_headers({"Connection": "close"})
    headers.pop("Content-Type", None)
    timeout = _timeout(timeouts, read=min(timeouts.first_byte, timeouts.idle))
    decoder = SSEDecoder()
    frames = []
    started = time.monotonic()
    size = 0
    try:
        request = client.build_request("GET", url, headers=headers, timeout=timeout)
        with contextlib.closing(client.send(request, stream=True)) as response:
            if response.status_code != 200:
                text = response.read()[:2000].decode("utf-8", "replace")
                run.emit(rules.RESUME_MISMATCH, f"the resumption was answered with HTTP {response.status_code}: "
                         f"{_snippet(text)}")
                return None
            for chunk in response.iter_bytes():
                size += len(chunk)
                frames += decoder.feed(chunk)
                if size > target.max_bytes or time.monotonic() - started > timeouts.total:
                    run.emit(rules.RESUME_MISMATCH, "the resumed stream did not end within the limits")
                    return None
    except httpx.HTTPError as exc:
        run.emit(rules.RESUME_MISMATCH, f"the resumption failed: {str(exc) or type(exc).__name__}")
        return None
    frames += decoder.close()
    out = []
    for frame in frames:
        try:
            value = orjson.loads(frame.data)
        except orjson.JSONDecodeError:
            continue  # [DONE] and the like: the payloads are compared, not the framing
        if isinstance(value, dict):
            out.append(value)
    return out


def _label(payload: dict[str, Any]) -> str:
    return f"{payload.get('sequence_number')} {payload.get('type')}"


def _first_difference(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> str:
    for n, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if want != got:
            return f"event {n + 1} of the resumption is {_label(got)}, the original stream's is {_label(want)}"
    return f"the resumption has {len(actual)} events, the original stream {len(expected)} after that point"


# --- continuation (previous_response_id) -------------------------------------------------------

CONTINUE_INPUT = "What is my name? Answer in one short sentence."


def run_continuation(client: httpx.Client, target: Target, scenario: Scenario, options: Options) -> StreamReport:
    """A stored response streamed (checked as usual), then a second request continuing it with
    ``previous_response_id``: answered like any stream, its Response objects naming the first id."""
    first = _run(client, target, scenario, options)
    response_id = next(iter(sorted(first.observation.response_ids)), None)
    if first.report.error or response_id is None or len(first.observation.response_ids) != 1:
        return first.report  # the first stream's own findings say what went wrong
    follow = dataclasses.replace(
        scenario, name=f"{scenario.name}-2", kind="stream",
        build=lambda model: {**scenario.body(model), "input": CONTINUE_INPUT, "previous_response_id": response_id},
    )
    second = exchange(client, target, follow, options.profile, select=options.select, ignore=options.ignore,
                      timeline=options.timeline, keep_payloads=True)
    _check_continued(second, response_id)
    report = first.report
    report.findings += second.report.findings
    report.elided += second.report.elided
    report.events += second.report.events
    if second.report.error and report.error is None:
        report.error = f"{follow.name}: {second.report.error}"
    return report


def _check_continued(run: Exchange, previous: str) -> None:
    obs = run.observation
    http = run.report.http
    status = http.status if http is not None else None
    said = next((f.message for f in run.report.findings if f.code in UNANSWERED), None)
    if (status is not None and status >= 300) or said is not None or obs.terminal is None or obs.failed_cleanly:
        why = (said or (f"HTTP {status}" if status is not None and status >= 300 else None)
               or ("it failed" if obs.failed_cleanly else "the stream has no terminal response"))
        run.emit(rules.CONTINUATION_FAILED, f"the request continuing {previous} was not answered: {why}")
        return
    wrong = [
        f"{p.get('type')} ({p['response'].get('previous_response_id')!r})"
        for p in obs.payloads or []
        if isinstance(p.get("response"), dict) and p["response"].get("previous_response_id") != previous
    ]
    if wrong:
        run.emit(
            rules.PREVIOUS_ID_NOT_ECHOED,
            f"the response continuing {previous} names another previous_response_id in "
            f"{', '.join(wrong[:3])}{' …' if len(wrong) > 3 else ''}",
            expected=previous,
        )


def run_unknown_previous(client: httpx.Client, target: Target, scenario: Scenario, options: Options) -> StreamReport:
    """``previous_response_id`` naming no response, shaped like the server's own ids (a server that checks
    their format must not answer a format error instead): a short probe learns one, then the
    rejection is checked as usual. The probe is plain-text's request, and its findings are plain-text's."""
    probe = dataclasses.replace(
        scenario, name=f"{scenario.name}-probe", kind="stream", expect="stream", error_code=None,
        build=lambda model: {"model": model, "input": "Say hello in one short sentence.", "stream": True},
    )
    issued = sorted(_run(client, target, probe, options).observation.response_ids)
    unknown = unissued_like(issued[0]) if len(issued) == 1 else UNKNOWN_RESPONSE_ID
    body = {**scenario.body(target.model), "previous_response_id": unknown}
    return _run(client, target, scenario, options, body).report


def unissued_like(response_id: str) -> str:
    """An id of the same prefix, length and character classes, its last six characters changed."""
    head, tail = response_id[:-6], response_id[-6:]

    def turn(c: str) -> str:
        if c.isdigit():
            return str((int(c) + 5) % 10)
        if c.isascii() and c.isalpha():
            base = ord("a") if c.islower() else ord("A")
            return chr(base + (ord(c) - base + 13) % 26)
        return c
    changed = "".join(turn(c) for c in tail)
    return head + changed if changed != tail else UNKNOWN_RESPONSE_ID


# --- background cancellation -------------------------------------------------------------------

TERMINAL_STATUSES = frozenset({"completed", "incomplete", "failed"})


def run_background_cancel(client: httpx.Client, target: Target, scenario: Scenario, options: Options) -> StreamReport:
    """A ``background: true`` request (not streamed), cancelled at once with ``POST .../{id}/cancel``:
    HTTP 200 and the Response in status ``cancelled``; ``GET .../{id}`` then says ``cancelled`` too."""
    run = Exchange(target, scenario, options.profile, options.select, options.ignore, target.redactor())
    created = _request_json(client, target, "POST", target.url, scenario.body(target.model), run,
                            rules.CANCEL_NOT_CANCELLED, "the background request")
    response_id = created.get("id") if created is not None else None
    if created is not None and not isinstance(response_id, str):
        run.emit(rules.CANCEL_NOT_CANCELLED, "the background request's answer has no response id to cancel")
    if created is None or not isinstance(response_id, str):
        run.finish()
        return run.report
    if created.get("status") in TERMINAL_STATUSES:
        run.finish()
        run.report.skipped = (f"the background response was already {created['status']!r} when it was created: "
                              "nothing was left to cancel")
        return run.report
    cancel_url = target.resource_url(response_id, "cancel")
    refused: list[str] = []
    cancelled = _request_json(client, target, "POST", cancel_url, None, run, rules.CANCEL_NOT_CANCELLED,
                              "the cancel request", refused=refused)
    if refused:
        # A refusal is the server's fault only if the response was still running: a fast server may
        # have finished it between the two requests (azure-ai-agentserver then answers 400 "Cannot
        # cancel a completed response"), and neither spec says what cancelling a finished one returns.
        later = _request_json(client, target, "GET", target.resource_url(response_id), None, run,
                              rules.CANCEL_NOT_CANCELLED, "the GET after the refused cancel")
        status = later.get("status") if later is not None else None
        if status in TERMINAL_STATUSES:
            run.finish()
            run.report.skipped = f"the background response had ended ({status!r}) before the cancel arrived"
            return run.report
        run.emit(rules.CANCEL_NOT_CANCELLED, refused[0])
    if cancelled is not None:
        status, same = cancelled.get("status"), cancelled.get("id") == response_id
        if status in TERMINAL_STATUSES:
            run.finish()
            run.report.skipped = f"the background response had ended ({status!r}) before the cancel arrived"
            return run.report
        if status != "cancelled" or not same:
            what = f"status {status!r}" if same else f"another response ({cancelled.get('id')!r})"
            run.emit(rules.CANCEL_NOT_CANCELLED, f"the cancel of {response_id} was answered with {what}",
                     expected="cancelled", actual=status)
        else:
            later = _request_json(client, target, "GET", target.resource_url(response_id), None, run,
                                  rules.CANCEL_NOT_KEPT, "the GET after the cancel")
            if later is not None and later.get("status") != "cancelled":
                run.emit(rules.CANCEL_NOT_KEPT,
                         f"after the cancel, GET {response_id} says status {later.get('status')!r}",
                         expected="cancelled", actual=later.get("status"))
    run.finish()
    return run.report


def _request_json(client: httpx.Client, target: Target, method: str, url: str, body: dict[str, Any] | None,
                  run: Exchange, rule: Rule, what: str, *, refused: list[str] | None = None) -> dict[str, Any] | None:
    """A bounded JSON request: the answer's object, or None after a finding of ``rule``.

    With ``refused``, an answer other than HTTP 200 is not a finding yet: its message is appended
    there for the caller to judge.
    """
    answer = bounded_json(client, target, method, url, body)
    if answer.status is not None and run.report.http is not None and run.report.http.status is None:
        run.report.http.status = answer.status
        run.report.http.headers = run.redactor.headers(answer.headers)
    if answer.failed is not None:
        run.emit(rule, f"{what} {run.redactor.text(answer.failed)}")
        return None
    status, data = answer.status, answer.data
    text = run.redactor.text(bytes(data).decode("utf-8", "replace"))
    if status != 200:
        message = f"{what} was answered with HTTP {status}: {_snippet(text)}"
        if refused is not None:
            refused.append(message)
        else:
            run.emit(rule, message)
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or value.get("object", "response") != "response":
        run.emit(rule, f"{what} was not answered with a JSON Response object: {_snippet(text)}")
        return None
    return value


# --- POST /responses/compact (official-suite coverage, issue 20) ---------------------------------


def run_compact(client: httpx.Client, target: Target, scenario: Scenario, options: Options) -> StreamReport:
    """``POST {base}/responses/compact``: HTTP 200 and a CompactResource; then the same request without
    ``model``: HTTP 400 or 422. No stream, so no stream rule applies; the findings are HTT037/HTT038."""
    redactor = target.redactor()
    redactor.add_headers(target.request_headers())
    run = Exchange(target, scenario, options.profile, options.select, options.ignore, redactor)
    url = target.resource_url("compact")
    assert run.report.http is not None
    run.report.http.url = redactor.text(url)
    body = scenario.body(target.model)
    answer = bounded_json(client, target, "POST", url, body)
    status, content_type, data = answer.status, answer.content_type, answer.data
    run.report.http.status = status
    text = data.decode("utf-8", "replace")
    if answer.failed is not None:
        run.emit(rules.COMPACT_INVALID, f"POST /responses/compact {answer.failed}")
    elif status != 200:
        run.emit(rules.COMPACT_INVALID, f"POST /responses/compact was answered with HTTP {status}: {_snippet(text)}")
    elif content_type.split(";", 1)[0].strip().lower() != "application/json":
        run.emit(rules.COMPACT_INVALID,
                 f"POST /responses/compact was answered as {content_type or 'untyped'!r}, not application/json: "
                 f"{_snippet(text)}")
    else:
        try:
            answer = orjson.loads(data)
        except orjson.JSONDecodeError:
            run.emit(rules.COMPACT_INVALID, f"the compact answer is not JSON: {_snippet(text)}")
        else:
            for problem in compact_problems(answer)[:5]:
                run.emit(rules.COMPACT_INVALID, f"the compact answer {problem}")
    without = {k: v for k, v in body.items() if k != "model"}
    refusal = bounded_json(client, target, "POST", url, without)
    status, text = refusal.status, refusal.data.decode("utf-8", "replace")
    if refusal.failed is not None:
        run.emit(rules.COMPACT_MISSING_MODEL, f"a compact request without `model` {refusal.failed}")
    elif status not in (400, 422):
        run.emit(rules.COMPACT_MISSING_MODEL,
                 f"a compact request without `model` was answered with HTTP {status}, not 400 or 422: {_snippet(text)}")
    return run.report


USAGE_FIELDS = ("input_tokens", "output_tokens", "total_tokens")


def compact_problems(answer: Any) -> list[str]:
    """What a compact answer lacks of a CompactResource (Open Responses 2026-04-24), in words."""
    if not isinstance(answer, dict):
        return ["is not a JSON object"]
    problems = []
    if answer.get("object") != "response.compaction":
        problems.append(f"has `object` {answer.get('object')!r}, not 'response.compaction'")
    if not isinstance(answer.get("id"), str):
        problems.append("has no string `id`")
    if not isinstance(answer.get("created_at"), int) or isinstance(answer.get("created_at"), bool):
        problems.append("has no integer `created_at`")
    output = answer.get("output")
    if not isinstance(output, list):
        problems.append("has no `output` list")
    else:
        bad = [n for n, item in enumerate(output) if not (isinstance(item, dict) and isinstance(item.get("type"), str))]
        if bad:
            problems.append(f"has `output[{bad[0]}]` that is not an item with a `type`")
        compactions = [i for i in output if isinstance(i, dict) and i.get("type") == "compaction"]
        if not compactions:
            problems.append("has no `compaction` item in `output`")
        elif not all(isinstance(i.get("encrypted_content"), str) and isinstance(i.get("id"), str)
                     for i in compactions):
            problems.append("has a `compaction` item without a string `id` and `encrypted_content`")
    usage = answer.get("usage")
    if not isinstance(usage, dict):
        problems.append("has no `usage` object")
    else:
        missing = [f for f in USAGE_FIELDS if not isinstance(usage.get(f), int) or isinstance(usage.get(f), bool)]
        missing += [f for f in ("input_tokens_details", "output_tokens_details") if not isinstance(usage.get(f), dict)]
        if missing:
            problems.append(f"has `usage` without {', '.join(missing)}")
    return problems


@dataclasses.dataclass(slots=True)
class JsonAnswer:
    """What a bounded JSON request got: the status, headers and body, or why there is none."""

    status: int | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    data: bytes = b""
    failed: str | None = None  # "failed: ..." or "was not answered within ...", to follow a noun phrase

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def bounded_json(client: httpx.Client, target: Target, method: str, url: str,
                 body: dict[str, Any] | None) -> JsonAnswer:
    """One request that expects a JSON answer, on a connection of its own, read to at most
    JSON_BODY_LIMIT bytes within the target's timeouts (the total one across the whole body)."""
    timeouts = target.timeouts
    headers = target.request_headers({"Accept": "application/json", "Connection": "close"})
    if body is None:
        headers.pop("Content-Type", None)
    timeout = _timeout(timeouts, read=min(timeouts.first_byte, timeouts.total))
    started = time.monotonic()
    answer = JsonAnswer()
    data = bytearray()
    try:
        request = client.build_request(method, url, content=orjson.dumps(body) if body is not None else None,
                                       headers=headers, timeout=timeout)
        with contextlib.closing(client.send(request, stream=True)) as response:
            answer.status = response.status_code
            answer.headers = {k.lower(): v for k, v in response.headers.items()}
            for chunk in response.iter_bytes():
                data.extend(chunk)
                if len(data) > JSON_BODY_LIMIT or time.monotonic() - started > timeouts.total:
                    answer.failed = f"was not answered within {JSON_BODY_LIMIT:,} bytes and {timeouts.total:g} s"
                    break
    except httpx.HTTPError as exc:
        answer.failed = f"failed: {str(exc) or type(exc).__name__}"
    answer.data = bytes(data)
    return answer


RUNNERS: dict[str, Runner] = {
    "background": run_background,
    "non-streaming": run_non_streaming,
    "cancel": run_cancel,
    "concurrency": run_concurrency,
    # continuation and background cancellation
    "continuation": run_continuation,
    "unknown-previous": run_unknown_previous,
    "background-cancel": run_background_cancel,
    # official-suite coverage (issue 20)
    "compact": run_compact,
}


def _timeout(timeouts: Timeouts, read: float) -> httpx.Timeout:
    """httpx's per-operation timeouts for one request: ``read`` bounds each socket read."""
    return httpx.Timeout(connect=timeouts.connect, read=read, write=timeouts.connect, pool=timeouts.connect)


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
