/* responses-conformance HTML report: draws each stream from the page's JSON data block.
 * Every string from the data goes into the page as text (textContent, text nodes,
 * option labels), never as markup. The timeline draws only the rows in view. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var ROW = 24, GUTTER = 172, MARKS = 132, LANE = 132, OVERSCAN = 12;
  var SEVERITIES = ["error", "warning", "info"];
  var RANK = { error: 2, warning: 1, info: 0 };
  var ODD_TYPES = { "(undecodable)": 1, "(not an event object)": 1, "(other types)": 1 };

  var state = {
    stream: -1,
    sev: { error: true, warning: true, info: true },
    hidden: new Set(),       // rule codes switched off
    onlyFindings: false,
    selected: null,          // { entry: number, event: number | null, finding: number | null }
    view: null               // the prepared stream (see prepare)
  };

  // ---- small DOM helpers: text only ---------------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return parent;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function badge(severity, text) { return el("span", "badge " + severity, text); }
  function pretty(raw) {
    if (raw === null || raw === undefined) return null;
    try { return JSON.stringify(JSON.parse(raw), null, 2); } catch (e) { return raw; }
  }
  function json(value) {
    if (typeof value === "string") return value;
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }
  function short(text, n) {
    text = String(text);
    return text.length > n ? text.slice(0, n) + "…" : text;
  }
  function oneLine(text) { return text.replace(/\r\n|\r|\n/g, "⏎").replace(/\t/g, "⇥"); }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // ---- one stream's data, indexed ------------------------------------------------------------------

  function prepare(index) {
    var stream = DATA.streams[index];
    var tl = stream.timeline;
    var view = { stream: stream, tl: tl, entries: [], col: [], kinds: [], entryFindings: new Map(), rows: [] };
    if (tl) {
      view.entries = tl.entries;
      tl.order.forEach(function (laneId, column) { view.col[laneId] = column; });
      view.kinds = tl.lanes.map(function (lane) { return lane.kind; });
    }
    stream.findings.forEach(function (f, i) {
      f.index = i;
      f.entry = locate(view, f.event);
      if (f.entry >= 0) {
        var list = view.entryFindings.get(f.entry);
        if (!list) view.entryFindings.set(f.entry, list = []);
        list.push(f);
      }
    });
    return view;
  }

  // The entry holding event ``index``: -1 when it was not kept, -2 when the finding has no event.
  function locate(view, index) {
    if (index === null || index === undefined) return -2;
    var entries = view.entries, lo = 0, hi = entries.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (entries[mid][0] <= index) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    if (found < 0) return -1;
    var e = entries[found];
    return index < e[0] + e[1] ? found : -1;
  }

  function visible(f) { return state.sev[f.severity] && !state.hidden.has(f.code); }

  function visibleAt(view, entry) {
    var list = view.entryFindings.get(entry);
    return list ? list.filter(visible) : [];
  }

  // ---- the page -------------------------------------------------------------------------------------

  var app = document.getElementById("app");
  var filtersBox = el("section", "filters");
  filtersBox.id = "filters";
  var streamBox = el("section");
  streamBox.id = "stream";
  add(app, filtersBox, streamBox);

  function allCodes() {
    var counts = new Map();
    DATA.streams.forEach(function (s) {
      s.findings.forEach(function (f) { counts.set(f.code, (counts.get(f.code) || 0) + 1); });
    });
    return counts;
  }

  function buildFilters() {
    clear(filtersBox);
    var totals = { error: 0, warning: 0, info: 0 };
    DATA.streams.forEach(function (s) { s.findings.forEach(function (f) { totals[f.severity] += 1; }); });
    var sevSet = el("fieldset", "severities");
    sevSet.id = "severity-filter";
    add(sevSet, el("legend", null, "Severity"));
    SEVERITIES.forEach(function (sev) {
      var label = el("label");
      var box = el("input");
      box.type = "checkbox"; box.value = sev; box.checked = state.sev[sev];
      box.addEventListener("change", function () { state.sev[sev] = box.checked; refresh(); });
      add(label, box, " ", badge(sev, sev), " " + totals[sev]);
      add(sevSet, label);
    });
    var ruleSet = el("fieldset", "rules");
    ruleSet.id = "rule-filter";
    add(ruleSet, el("legend", null, "Rules"));
    var codes = allCodes();
    Array.from(codes.keys()).sort().forEach(function (code) {
      var label = el("label");
      var box = el("input");
      box.type = "checkbox"; box.value = code; box.checked = !state.hidden.has(code);
      box.addEventListener("change", function () {
        if (box.checked) state.hidden.delete(code); else state.hidden.add(code);
        refresh();
      });
      var rule = DATA.rules[code];
      label.title = rule ? rule.summary : code;
      add(label, box, " ", el("span", "code", code), " " + codes.get(code));
      add(ruleSet, label);
    });
    if (codes.size > 1) {
      var allButton = el("button", null, "all");
      allButton.type = "button";
      allButton.addEventListener("click", function () { state.hidden.clear(); buildFilters(); refresh(); });
      add(ruleSet, allButton);
    }
    var only = el("label");
    var onlyBox = el("input");
    onlyBox.type = "checkbox"; onlyBox.id = "only-findings"; onlyBox.checked = state.onlyFindings;
    onlyBox.addEventListener("change", function () { state.onlyFindings = onlyBox.checked; refresh(); });
    add(only, onlyBox, " only events with findings");
    add(filtersBox, sevSet, ruleSet, only);
  }

  // Show only one rule (a click in the rules table).
  function onlyRule(code) {
    state.hidden = new Set(allCodes().keys());
    state.hidden.delete(code);
    buildFilters();
    refresh();
  }

  function selectStream(index) {
    state.stream = index;
    state.selected = null;
    state.view = prepare(index);
    document.querySelectorAll("#streams-table tbody tr").forEach(function (tr) {
      tr.classList.toggle("current", Number(tr.getAttribute("data-stream")) === index);
    });
    drawStream();
  }

  function refresh() {
    if (state.view) drawStream();
  }

  // ---- one stream -----------------------------------------------------------------------------------

  var timelineBox = null, detailBox = null, findingsBox = null;

  function drawStream() {
    var view = state.view, stream = view.stream;
    clear(streamBox);
    var head = el("div", "stream-head");
    add(head, el("h2", null, "Stream " + (state.stream + 1) + " of " + DATA.streams.length));
    if (DATA.streams.length > 1) {
      var pick = el("select");
      pick.id = "stream-select";
      DATA.streams.forEach(function (s, i) {
        var option = el("option", null, (i + 1) + ". " + short(s.name, 120) + (s.ok ? "" : " ✗"));
        option.value = String(i);
        if (i === state.stream) option.selected = true;
        add(pick, option);
      });
      pick.addEventListener("change", function () { selectStream(Number(pick.value)); });
      add(head, pick);
    }
    add(streamBox, head);
    var name = el("p", "meta code", stream.name);
    name.id = "stream-name";
    add(streamBox, name);
    var facts = [stream.format, plural(stream.events, "event"), stream.profile + " profile"];
    SEVERITIES.forEach(function (sev) { if (stream.counts[sev]) facts.push(plural(stream.counts[sev], sev)); });
    if (stream.http) {
      var h = stream.http;
      facts.push(["HTTP", h.status, h.method, h.url, h.content_type].filter(function (x) { return x; }).join(" "));
    }
    add(streamBox, el("p", "meta", facts.join(" · ")));
    if (stream.error) add(streamBox, el("p", "note", "Stream error: " + stream.error));
    if (stream.skipped) add(streamBox, el("p", "note", "Skipped: " + stream.skipped));
    if (stream.timeline_note) add(streamBox, el("p", "note", stream.timeline_note + "."));
    var tl = view.tl;
    if (tl) {
      if (tl.dropped.events) {
        add(streamBox, el("p", "note", plural(tl.dropped.events, "event") + " in the middle of the stream " +
          "were not kept (the timeline's memory bound); the first and the last ones are shown."));
      }
      if (tl.raw_dropped) {
        add(streamBox, el("p", "note", plural(tl.raw_dropped, "event") + " kept without their payload " +
          "(the timeline's payload budget)."));
      }
      if (tl.texts_clipped) add(streamBox, el("p", "note", "Some delta texts were clipped (the timeline's text budget)."));
    }

    var layout = el("div", "layout");
    var left = el("div");
    var right = el("div", "panel");
    right.id = "detail";
    detailBox = right;
    add(layout, left, right);
    add(streamBox, layout);

    if (tl) {
      add(left, el("h3", null, "Timeline"));
      timelineBox = el("div", "timeline");
      timelineBox.id = "timeline";
      add(left, timelineBox);
      drawTimeline();
    } else {
      timelineBox = null;
    }
    findingsBox = el("div", "panel");
    findingsBox.id = "findings";
    add(left, el("h3", null, "Findings"), findingsBox);
    drawFindings();
    drawDetail();
    var rec = el("div", "panel");
    rec.id = "reconstruction";
    add(left, el("h3", null, "Reconstructed response"), rec);
    drawReconstruction(rec, tl ? tl.reconstruction : null);
  }

  // ---- the timeline ---------------------------------------------------------------------------------

  function buildRows(view) {
    var rows = [], tl = view.tl, n = view.entries.length;
    for (var i = 0; i < n; i++) {
      if (tl.gap === i) rows.push(-1);
      if (!state.onlyFindings || visibleAt(view, i).length) rows.push(i);
    }
    if (tl.gap === n) rows.push(-1);
    return rows;
  }

  function drawTimeline() {
    var view = state.view, tl = view.tl;
    view.rows = buildRows(view);
    var width = GUTTER + MARKS + tl.order.length * LANE + 8;
    clear(timelineBox);
    var head = el("div", "tl-head");
    head.style.width = width + "px";
    var g = el("span", "tl-gutter", "event · seq");
    var m = el("span", "tl-marks", "findings");
    var lanes = el("div", "tl-lanes");
    lanes.style.left = (GUTTER + MARKS) + "px";
    tl.order.forEach(function (laneId, column) {
      var lane = tl.lanes[laneId];
      var label = el("div", "tl-lane-label " + lane.kind, lane.label);
      label.title = lane.label;
      label.style.left = (column * LANE) + "px";
      label.style.width = LANE + "px";
      add(lanes, label);
    });
    add(head, g, m, lanes);
    timelineBox.style.height = Math.max(140, Math.min(window.innerHeight * 0.62, view.rows.length * ROW + 50)) + "px";
    var body = el("div", "tl-body");
    body.style.width = width + "px";
    body.style.height = Math.max(1, view.rows.length) * ROW + "px";
    for (var c = 0; c <= tl.order.length; c++) {
      var line = el("div", "tl-lane-line");
      line.style.left = (GUTTER + MARKS + c * LANE) + "px";
      add(body, line);
    }
    var layer = el("div");
    add(body, layer);
    add(timelineBox, head, body);
    view.layer = layer;
    view.drawn = "";
    timelineBox.onscroll = function () { schedule(); };
    paint();
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; paint(); });
  }

  function paint() {
    var view = state.view;
    if (!timelineBox || !view || !view.layer) return;
    var top = timelineBox.scrollTop, height = timelineBox.clientHeight || 600;
    var first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    var last = Math.min(view.rows.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    var key = first + ":" + last;
    if (key === view.drawn) return;
    view.drawn = key;
    var frag = document.createDocumentFragment();
    for (var r = first; r < last; r++) frag.appendChild(drawRow(view, r));
    clear(view.layer).appendChild(frag);
  }

  function drawRow(view, r) {
    var tl = view.tl, entryIndex = view.rows[r];
    var row = el("div", "tl-row");
    row.style.top = (r * ROW) + "px";
    row.style.width = (GUTTER + MARKS + tl.order.length * LANE + 8) + "px";
    if (entryIndex === -1) {
      row.className = "tl-row gap";
      add(row, el("span", "tl-gutter", "…"),
        el("span", "tl-marks", plural(tl.dropped.events, "event") + " not kept"));
      return row;
    }
    var e = view.entries[entryIndex];
    var first = e[0], count = e[1], type = tl.types[e[2]], lane = e[3], seq = e[4];
    row.setAttribute("data-entry", String(entryIndex));
    var label = count > 1 ? "#" + first + "–" + (first + count - 1) : "#" + first;
    if (seq !== null) label += " · " + (count > 1 ? seq + "–" + (seq + count - 1) : seq);
    var marks = el("span", "tl-marks");
    var found = visibleAt(view, entryIndex);
    if (found.length) {
      var worst = "info", codes = [];
      found.forEach(function (f) {
        if (RANK[f.severity] > RANK[worst]) worst = f.severity;
        if (codes.indexOf(f.code) < 0) codes.push(f.code);
      });
      row.classList.add("sev-" + worst);
      codes.slice(0, 3).forEach(function (code) {
        var sev = found.filter(function (f) { return f.code === code; })[0].severity;
        add(marks, badge(sev, code));
      });
      if (codes.length > 3) add(marks, "+" + (codes.length - 3));
    }
    if (state.selected && state.selected.entry === entryIndex) row.classList.add("selected");
    var kind = view.kinds[lane];
    var chipClass = "chip " + (kind === "response" ? "lifecycle" : kind === "other" ? "odd" : kind);
    if (count > 1) chipClass += " run";
    if (ODD_TYPES[type]) chipClass += " odd";
    var chip = el("div", chipClass);
    chip.style.left = (GUTTER + MARKS + view.col[lane] * LANE + 4) + "px";
    chip.style.width = (LANE - 8) + "px";
    add(chip, type.replace(/^response\./, ""));
    if (count > 1) add(chip, el("span", "count", "×" + count));
    if (e[7]) add(chip, el("span", "text", " " + oneLine(short(e[7], 80))));
    chip.title = type + (count > 1 ? " ×" + count : "");
    add(row, el("span", "tl-gutter", label), marks, chip);
    row.addEventListener("click", function () { select(entryIndex, null, null, false); });
    return row;
  }

  function select(entryIndex, eventIndex, findingIndex, scroll) {
    state.selected = { entry: entryIndex, event: eventIndex, finding: findingIndex };
    var view = state.view;
    if (timelineBox && entryIndex >= 0) {
      var r = view.rows.indexOf(entryIndex);
      if (r < 0 && state.onlyFindings) {
        state.onlyFindings = false;
        buildFilters();
        drawTimeline();
        r = view.rows.indexOf(entryIndex);
      }
      if (scroll && r >= 0) {
        var top = r * ROW, box = timelineBox;
        if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - 2 * ROW) {
          box.scrollTop = Math.max(0, top - box.clientHeight / 3);
        }
        // Bring the event's lane into view too.
        var left = GUTTER + MARKS + view.col[view.entries[entryIndex][3]] * LANE;
        if (left + LANE > box.scrollLeft + box.clientWidth || left < box.scrollLeft + GUTTER + MARKS) {
          box.scrollLeft = Math.max(0, left - GUTTER - MARKS - LANE);
        }
      }
      view.drawn = "";
      paint();
    }
    drawDetail();
  }

  // ---- findings -------------------------------------------------------------------------------------

  function drawFindings() {
    var view = state.view, stream = view.stream;
    clear(findingsBox);
    var shown = stream.findings.filter(visible);
    var counter = el("p", "meta", shown.length + " of " + plural(stream.findings.length, "finding") + " shown" +
      (shown.length < stream.findings.length ? " (filters)" : ""));
    counter.id = "findings-count";
    add(findingsBox, counter);
    // Follow-on findings under the finding they follow from (``caused_by``), as the text report does.
    var byKey = new Map();
    shown.forEach(function (f) { byKey.set(f.code + "|" + f.event, f); });
    var children = new Map(), roots = [];
    shown.forEach(function (f) {
      var parent = f.caused_by ? byKey.get(f.caused_by[0] + "|" + f.caused_by[1]) : null;
      if (!parent || parent === f) { roots.push(f); return; }
      if (!children.has(parent.index)) children.set(parent.index, []);
      children.get(parent.index).push(f);
    });
    var list = el("ul", "findings");
    list.id = "findings-list";
    var drawn = 0;
    function addFinding(parentList, f, depth) {
      drawn += 1;
      var item = findingItem(f);
      add(parentList, item);
      var kids = children.get(f.index);
      if (kids && depth < 32) {
        var sub = el("ul");
        kids.forEach(function (k) { addFinding(sub, k, depth + 1); });
        add(item, sub);
      }
    }
    roots.forEach(function (f) { addFinding(list, f, 0); });
    add(findingsBox, list);
    if (!stream.findings.length) add(findingsBox, el("p", "empty", "No finding in this stream."));
    stream.elided.forEach(function (e) {
      add(findingsBox, el("p", "meta", e.count + " more " + e.code + " " + e.severity +
        (e.count === 1 ? " was" : "s were") + " counted but not kept (--max-per-rule)."));
    });
    return drawn;
  }

  function where(f) {
    if (f.event === null || f.event === undefined) return "end of stream";
    var parts = ["event #" + f.event];
    if (f.type) parts.push(f.type);
    if (f.seq !== null && f.seq !== undefined) parts.push("seq " + f.seq);
    if (f.line) parts.push("line " + f.line);
    if (f.pointer) parts.push("at " + f.pointer);
    if (f.entry === -1) parts.push("(event not kept in the timeline)");
    return parts.join(" · ");
  }

  function findingItem(f) {
    var item = el("li", "finding");
    item.setAttribute("data-code", f.code);
    item.setAttribute("data-severity", f.severity);
    var msg = el("span", "msg", f.message);
    msg.addEventListener("click", function () { select(f.entry, f.event, f.index, true); });
    add(item, badge(f.severity, f.code), " ", msg, el("div", "where", where(f)));
    if (f.caused_by) {
      add(item, el("div", "follows", "follows from " + f.caused_by[0] +
        (f.caused_by[1] !== null ? " at event #" + f.caused_by[1] : "")));
    }
    if (f.expected !== undefined || f.actual !== undefined) {
      var values = el("details");
      add(values, el("summary", null, "expected / actual"));
      if (f.expected !== undefined) add(values, el("div", "where", "expected"), el("pre", null, json(f.expected)));
      if (f.actual !== undefined) add(values, el("div", "where", "actual"), el("pre", null, json(f.actual)));
      add(item, values);
    }
    add(item, ruleDetails(f.code));
    return item;
  }

  // What ``responses-conformance explain CODE`` says.
  function ruleDetails(code) {
    var rule = DATA.rules[code];
    var box = el("details", "rule");
    if (!rule) { add(box, el("summary", null, code)); return box; }
    add(box, el("summary", null, code + " " + rule.name + ": " + rule.summary));
    var body = el("div", "rule-body");
    add(body, el("p", "req", "Requirement: " + rule.requirement));
    var sev = Object.keys(rule.severity).map(function (p) { return p + ": " + rule.severity[p]; }).join(", ");
    add(body, el("p", null, "Severity: " + sev));
    rule.refs.forEach(function (ref) {
      var p = el("p", null, "Reference: " + ref.document + ", " + ref.section + " ");
      if (/^https:\/\//.test(ref.url)) {
        var a = el("a", null, "link");
        a.href = ref.url; a.rel = "noopener noreferrer"; a.target = "_blank";
        add(p, a);
      }
      add(body, p);
    });
    rule.breaks.forEach(function (client) { add(body, el("p", null, "Breaks: " + client)); });
    if (rule.rationale) add(body, el("p", null, rule.rationale));
    add(box, body);
    return box;
  }

  // ---- the selected event ---------------------------------------------------------------------------

  function drawDetail() {
    var view = state.view, sel = state.selected;
    clear(detailBox);
    if (!sel) {
      add(detailBox, el("h3", null, "Event"),
        el("p", "empty", view.tl ? "Click an event in the timeline or a finding to see it here." :
          "The events of this stream were not kept."));
      return;
    }
    if (sel.entry < 0) {
      add(detailBox, el("h3", null, sel.event !== null ? "Event #" + sel.event : "End of stream"));
      add(detailBox, el("p", "empty", sel.entry === -1 ? "This event was not kept in the timeline." :
        "This finding is about the stream as a whole."));
      if (sel.finding !== null) add(detailBox, findingItem(view.stream.findings[sel.finding]));
      return;
    }
    var tl = view.tl, e = view.entries[sel.entry];
    var first = e[0], count = e[1], type = tl.types[e[2]], lane = tl.lanes[e[3]], seq = e[4];
    add(detailBox, el("h3", null, count > 1 ? "Events #" + first + "–#" + (first + count - 1) +
      " (" + count + " deltas in a run)" : "Event #" + first));
    var fields = el("dl", "fields");
    function field(name, value) { add(fields, el("dt", null, name), el("dd", null, value)); }
    field("type", type);
    field("lane", lane.label);
    if (seq !== null) field("sequence_number", count > 1 ? seq + "–" + (seq + count - 1) : String(seq));
    if (e[5]) field("line", String(e[5]));
    if (e[10]) field("SSE event:", e[10]);
    add(detailBox, fields);
    var found = (view.entryFindings.get(sel.entry) || []);
    var shown = found.filter(visible);
    if (found.length) {
      add(detailBox, el("h3", null, "Findings here"));
      var list = el("ul", "findings");
      shown.forEach(function (f) {
        var item = findingItem(f);
        if (count > 1 && f.event !== first) {
          add(item, el("div", "where", "inside the run: delta " + (f.event - first + 1) + " of " + count));
        }
        add(list, item);
      });
      add(detailBox, list);
      if (shown.length < found.length) add(detailBox, el("p", "meta", (found.length - shown.length) + " hidden by the filters"));
    }
    if (typeof e[7] === "string") {
      add(detailBox, el("h3", null, "Text of " + (count > 1 ? "the run" : "the delta") + " (" + plural(e[8], "character") + ")"));
      var text = el("pre", null, e[7]);
      text.id = "run-text";
      add(detailBox, text);
      if (e[11]) add(detailBox, el("p", "note", "Clipped: the timeline keeps the start of the text."));
      if (e[12]) add(detailBox, el("p", "note", "Secrets in the text are masked."));
      if (count > 1 && e[9]) add(detailBox, deltaTable(e, sel.event));
    }
    add(detailBox, el("h3", null, count > 1 ? "Raw event (the first of the run)" : "Raw event"));
    var raw = pretty(e[6]);
    var pre = el("pre", null, raw === null ? "(not kept: the timeline's payload budget was spent)" : raw);
    pre.id = "raw";
    add(detailBox, pre);
  }

  // The deltas of a run, drawn in pages of 200.
  function deltaTable(e, focus) {
    var box = el("div", "deltas");
    var table = el("table");
    add(table, add(el("tr"), el("th", null, "event"), el("th", null, "seq"), el("th", null, "chars"), el("th", null, "text")));
    var lengths = e[9], text = e[7], offsets = [], off = 0;
    for (var i = 0; i < lengths.length; i++) { offsets.push(off); off += lengths[i]; }
    var shown = 0;
    var start = focus !== null && focus !== undefined ? Math.max(0, focus - e[0] - 5) : 0;
    function more() {
      var end = Math.min(lengths.length, start + shown + 200);
      for (var j = start + shown; j < end; j++) {
        // A masked text no longer lines up with the deltas' lengths: then only the lengths are shown.
        var piece = e[12] ? "(masked)" : offsets[j] < text.length ? text.slice(offsets[j], offsets[j] + lengths[j]) :
          "(clipped)";
        var tr = add(el("tr"), el("td", null, "#" + (e[0] + j)), el("td", null, e[4] !== null ? String(e[4] + j) : ""),
          el("td", null, String(lengths[j])), el("td", "code", oneLine(piece)));
        if (focus === e[0] + j) tr.className = "selected";
        add(table, tr);
      }
      shown = end - start;
      button.hidden = start + shown >= lengths.length;
    }
    var button = el("button", null, "more deltas");
    button.type = "button";
    button.addEventListener("click", more);
    add(box, el("p", "meta", "Deltas" + (lengths.length < e[1] ? " (the first " + lengths.length + " are measured)" : "")), table, button);
    more();
    return box;
  }

  // ---- the reconstruction ---------------------------------------------------------------------------

  function drawReconstruction(box, rec) {
    if (!rec) { add(box, el("p", "empty", "Nothing to reconstruct (no response or item was streamed, or the events were not kept).")); return; }
    var fields = el("dl", "fields");
    add(fields, el("dt", null, "id"), el("dd", "code", rec.id === null ? "(none)" : String(rec.id)));
    add(fields, el("dt", null, "status"), el("dd", null, rec.status === null ? "(none)" : String(rec.status)));
    add(box, fields);
    (Array.isArray(rec.output) ? rec.output : []).forEach(function (item, i) {
      if (!item || typeof item !== "object") return;
      var card = el("div", "item-card");
      add(card, el("h4", null, "#" + i + " " + [item.type, item.id, item.status].filter(function (x) { return x; }).join(" · ")));
      var facts = el("dl", "fields");
      Object.keys(item).forEach(function (key) {
        var value = item[key];
        if (["id", "type", "status", "content", "summary", "arguments", "input", "code"].indexOf(key) >= 0) return;
        if (value === null || typeof value === "object") return;
        add(facts, el("dt", null, key), el("dd", null, String(value)));
      });
      add(card, facts);
      ["content", "summary"].forEach(function (key) {
        if (!Array.isArray(item[key])) return;
        item[key].forEach(function (part, j) {
          if (!part || typeof part !== "object") return;
          var text = part.text !== undefined ? part.text : part.refusal;
          add(card, el("div", "where", key + "[" + j + "] " + (part.type || "")),
            el("pre", "recon-text", text === undefined || text === null ? "" : String(text)));
        });
      });
      ["arguments", "input", "code"].forEach(function (key) {
        if (typeof item[key] !== "string") return;
        add(card, el("div", "where", key), el("pre", "recon-text", pretty(item[key])));
      });
      add(box, card);
    });
    if (rec.usage) add(box, el("div", "where", "usage"), el("pre", null, json(rec.usage)));
  }

  // ---- start ----------------------------------------------------------------------------------------

  document.querySelectorAll("#streams-table tbody tr").forEach(function (tr) {
    tr.addEventListener("click", function () {
      selectStream(Number(tr.getAttribute("data-stream")));
      streamBox.scrollIntoView();
    });
  });
  document.querySelectorAll("#rules-table tbody tr").forEach(function (tr) {
    tr.addEventListener("click", function () { onlyRule(tr.getAttribute("data-rule")); });
  });
  buildFilters();
  if (DATA.streams.length) {
    var start = 0;
    for (var i = 0; i < DATA.streams.length; i++) {
      if (!DATA.streams[i].ok) { start = i; break; }
    }
    selectStream(start);
  }
  document.documentElement.setAttribute("data-ready", String(Math.round(performance.now())));
})();
