// The control room: a stream of a snapshot and merge-patch deltas keeps the document; draw
// what needs attention first, who is next at the stand, the movement graph and the units.
"use strict";
(function () {
  const svg = document.getElementById("graph");
  const ui = { view: "all", filter: "all" };
  let doc = null, updates = 0;
  // A unit later than this at its next checkpoint is "late" (the service's alert threshold).
  const LATE_S = 60;
  // Alerts of one kind shown before the rest fold into "n more".
  const SHOWN_PER_KIND = 3;

  const refMs = (d) => Date.parse(d.reference);
  // A projected time is seconds after the unit's anchor_s (seconds after the reference);
  // observed and planned times are ISO text. Either as an instant [ms].
  const instant = (d, u, v) => typeof v === "number" ? refMs(d) + (u.anchor_s + v) * 1000 : Date.parse(v);
  const at = (d, u, v) => clockAtMs(instant(d, u, v));
  // The graph's projected line: [seconds after the reference, place].
  const projected = (u) => u.projected && u.projected.map(([t, x]) => [t + u.projected_at_s, x]);
  const heldUnits = (d) => new Set(ordered(d.incidents).map((i) => i.unit).filter(Boolean));

  // --- what needs attention: incidents, then errors (window, gaps), then delays ---------
  function renderIncidents(d) {
    const organiser = document.body.dataset.role === "organiser";
    document.getElementById("incidents").replaceChildren(...ordered(d.incidents).map((i) => {
      const div = el("div", { class: "incident", "data-incident": i.id, "data-code": i.code });
      const who = i.unit_name ? ` · ${i.unit_name}` : "", where = i.place ? ` near ${i.place}` : "";
      div.append(el("b", {}, `${i.code}${who}${where}`),
        ` since ${hhmmss(i.at)}, expected over by ${hhmmss(i.expected_until)} (${i.recorded_by}): `,
        el("span", { class: "text" }, i.text));
      if (organiser) div.append(" ", el("button", { class: "clear", "data-incident": i.id }, "Clear"));
      return div;
    }));
  }

  // --- orders: issued ones waiting on a marshal, then the recommended (organisers issue) --
  const orderText = (o) => o.action === "hold" ? `hold ${o.unit} at ${o.checkpoint} for ${o.seconds} s`
    : `release ${o.unit} at ${o.checkpoint} now`;

  const orderCount = (d) => !d.orders ? 0 : (d.orders.recommended || []).length
    + ordered(d.orders.issued).filter((o) => o.state !== "executed").length;

  function renderOrders(d) {
    const organiser = document.body.dataset.role === "organiser";
    const orders = d.orders || { recommended: [], issued: {} };
    const waiting = ordered(orders.issued).filter((o) => o.state !== "executed").map((o) => {
      const div = el("div", { class: "order", "data-order": o.state });
      div.append(el("b", {}, orderText(o)), ` · ${o.state}`);
      return div;
    });
    const recs = (orders.recommended || []).map((r, n) => {
      const div = el("div", { class: "order recommended" });
      div.append(el("b", {}, `recommended: ${orderText(r)}`), ` (due ${hhmmss(r.due)}) · ${r.why}`);
      if (organiser) div.append(" ", el("button", { class: "issue", "data-n": String(n) }, "Issue"));
      return div;
    });
    document.getElementById("orders").replaceChildren(...waiting, ...recs);
  }

  const KIND_ORDER = { window: 0, gap: 1, data: 2, late: 3 };
  const KIND_TITLE = { window: "Window", gap: "Gaps", data: "Data", late: "Delays" };

  function renderAlerts(d) {
    const alerts = ordered(d.alerts).sort((a, b) =>
      (a.severity === "error" ? 0 : 1) - (b.severity === "error" ? 0 : 1) ||
      (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || b.amount - a.amount);
    const kinds = [...new Set(alerts.map((a) => a.kind))];
    const item = (a) => el("div", { class: `alert ${a.severity}`, "data-kind": a.kind }, a.message);
    document.getElementById("alerts").replaceChildren(...kinds.map((k) => {
      const mine = alerts.filter((a) => a.kind === k);
      const box = el("div", { class: "alert-group", "data-kind": k });
      box.append(el("h3", {}, `${KIND_TITLE[k] || k} (${mine.length})`), ...mine.slice(0, SHOWN_PER_KIND).map(item));
      if (mine.length > SHOWN_PER_KIND) {
        const more = el("details", { class: "more" });
        more.append(el("summary", {}, `${mine.length - SHOWN_PER_KIND} more`), ...mine.slice(SHOWN_PER_KIND).map(item));
        box.append(more);
      }
      return box;
    }));
    const n = alerts.length + Object.keys(d.incidents || {}).length + orderCount(d);
    document.getElementById("attention-count").textContent = n ? `(${n})` : "";
    document.getElementById("all-clear").hidden = n > 0;
  }

  // --- the reviewing stand: who is there now, who comes next ------------------------------
  function standTimes(d) {
    const stand = (d.graph.checkpoints.find((c) => c.reviewing) || {}).id;
    const rows = [];
    for (const u of ordered(d.units)) {
      const p = u.passes && u.passes[stand];
      if (p) rows.push({ u, head: instant(d, u, p.head), tail: instant(d, u, p.tail) });
    }
    return { stand, rows: rows.sort((a, b) => a.head - b.head) };
  }

  function renderStand(d) {
    const { stand, rows } = standTimes(d);
    const cp = d.graph.checkpoints.find((c) => c.id === stand);
    document.getElementById("stand-name").textContent = cp ? `(${cp.name})` : "";
    const now = paradeNow();
    const there = rows.filter((r) => r.head <= now && now < r.tail);
    const next = rows.filter((r) => r.head > now).slice(0, Math.max(1, 4 - there.length));
    const li = (r, cls, text) => {
      const item = el("li", { class: cls, "data-unit": r.u.id });
      item.append(el("span", { class: "name" }, r.u.name), el("span", { class: "when" }, text));
      return item;
    };
    document.getElementById("stand-list").replaceChildren(
      ...there.map((r) => li(r, "now", `at the stand now, tail ${clockAtMs(r.tail)}`)),
      ...next.map((r, i) => li(r, i === 0 ? "next first" : "next", `${clockAtMs(r.head)} · ${countdown(r.head, now)}`)));
  }

  // --- the graph ---------------------------------------------------------------------------
  function drawAxes(g, box, X, Y, t0, t1) {
    const { svgEl } = Graph;
    const offset = refSecondsOfDay(doc);
    const axis = svgEl("g", { class: "axis-time" });
    for (const t of Graph.ticks(t0, t1, box.w - box.l - box.r, offset)) {
      axis.append(svgEl("line", { class: "grid", x1: X(t), x2: X(t), y1: box.t, y2: box.h - box.b }));
      if (X(t) > box.w - 18) continue;  // no room for its label
      axis.append(svgEl("text", { x: X(t), y: box.h - box.b + 16, "text-anchor": "middle" },
        clockAtMs(refMs(doc) + t * 1000, false)));
    }
    const places = svgEl("g", { class: "axis-place" });
    const narrow = box.l < 100;
    for (const c of g.checkpoints) {
      places.append(svgEl("line", { class: c.reviewing ? "checkpoint reviewing" : "checkpoint", x1: box.l, x2: box.w - box.r, y1: Y(c.at_m), y2: Y(c.at_m) }),
        svgEl("text", { x: box.l - 6, y: Y(c.at_m) + 4, "text-anchor": "end" }, narrow ? `${Math.round(c.at_m)} m` : c.name || c.id));
    }
    svg.append(axis, places);
  }

  function refSecondsOfDay(d) {
    const [h, m, s] = d.reference.slice(11, 19).split(":").map(Number);
    return h * 3600 + m * 60 + s;
  }

  function drawUnits(g, units, X, Y) {
    const { svgEl, band, clipX, fromTime } = Graph;
    const plot = svgEl("g", { "clip-path": "url(#plot)" });
    const pts = (line) => line.map(([t, x]) => `${X(t).toFixed(1)},${Y(x).toFixed(1)}`).join(" ");
    for (const u of units) {
      if (u.planned) plot.append(svgEl("polygon", { class: "planned", points: pts(band(u, g.x_max)), "data-unit": u.id }));
    }
    for (const u of units) {
      const ahead = u.line && fromTime(clipX(u.line, 0, g.x_max), g.now_s);
      if (ahead && ahead.length > 1) plot.append(svgEl("polyline", { class: "projected", points: pts(ahead), "data-unit": u.id }));
    }
    for (const a of Object.values(g.actuals || {})) {
      plot.append(svgEl("circle", { class: `actual ${a.part}`, cx: X(a.t), cy: Y(a.x), r: 3.5 }));
    }
    svg.append(plot);
  }

  function drawMarks(g, box, X, t0, t1) {
    const { svgEl } = Graph;
    const mark = (cls, t, label) => {
      if (t < t0 || t > t1) return;
      const right = X(t) > box.w - 160;  // near the right edge: the label on the left
      svg.append(svgEl("line", { class: cls, x1: X(t), x2: X(t), y1: box.t, y2: box.h - box.b }),
        svgEl("text", { class: `${cls}-label`, x: X(t) + (right ? -4 : 4), y: box.t + 12,
          "text-anchor": right ? "end" : "start" }, label));
    };
    if (g.window_end_s !== undefined) mark("window", g.window_end_s, `window ends ${clockAtMs(refMs(doc) + g.window_end_s * 1000, false)}`);
    mark("now", g.now_s, `now ${clockAtMs(refMs(doc) + g.now_s * 1000, false)}`);
  }

  function draw() {
    const g = doc.graph;
    const w = Math.max(svg.clientWidth, 280), h = Math.max(svg.clientHeight, 240);
    const box = { w, h, l: w < 600 ? 52 : 170, r: 10, t: 8, b: 26 };
    const units = ordered(g.units).map((u) => ({ ...u, line: projected(u) }));
    const [t0, t1] = Graph.span(g, units, ui.view);
    const X = (t) => box.l + (t - t0) / (t1 - t0) * (w - box.l - box.r);
    const Y = (x) => h - box.b - x / g.x_max * (h - box.b - box.t);
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.replaceChildren();
    const clip = Graph.svgEl("clipPath", { id: "plot" });
    clip.append(Graph.svgEl("rect", { x: box.l, y: 0, width: w - box.l - box.r, height: h - box.b + 1 }));
    svg.append(clip);
    drawAxes(g, box, X, Y, t0, t1);
    drawUnits(g, units, X, Y);
    drawMarks(g, box, X, t0, t1);
  }

  // --- the units' table --------------------------------------------------------------------
  const FILTERS = {
    all: () => true,
    late: (u) => u.delay_s > LATE_S,
    held: (u, held) => held.has(u.id),
    route: (u) => u.state === "marching",
  };

  function renderUnits(d) {
    const held = heldUnits(d), units = ordered(d.units);
    for (const b of document.querySelectorAll(".filters button")) {
      b.querySelector("span").textContent = units.filter((u) => FILTERS[b.dataset.filter](u, held)).length;
    }
    const shown = units.filter((u) => FILTERS[ui.filter](u, held));
    document.querySelector("#units tbody").replaceChildren(...shown.map((u) => {
      const late = u.delay_s > LATE_S;
      const tr = el("tr", { "data-unit": u.id, "data-state": u.state, class: late ? "late-row" : "" });
      const next = ordered(u.ahead)[0];
      tr.append(el("td", {}, u.name), el("td", {}, held.has(u.id) ? `${u.state}, held` : u.state),
        el("td", { class: late ? "late delay" : "delay" }, `${u.delay_s > 0 ? "+" : ""}${Math.round(u.delay_s)} s`),
        el("td", {}, u.last ? `${u.last.part} at ${u.last.checkpoint} ${hhmmss(u.last.at)}` : "—"),
        el("td", {}, next ? `${next.checkpoint}: ${at(d, u, next.head)} / ${at(d, u, next.tail)}` : "passed"));
      return tr;
    }));
  }

  function render(d) {
    doc = d;
    updates += 1;
    setParadeZone(d.timezone);
    syncParadeNow(d.now);
    document.getElementById("zone").textContent = d.timezone || "";
    document.getElementById("now").textContent = hhmmss(d.now);
    document.getElementById("checkin-count").textContent = d.checkins;
    document.getElementById("updated").textContent = hhmmss(d.now);
    document.body.dataset.updates = updates;
    document.body.dataset.checkins = d.checkins;
    renderIncidents(d);
    renderOrders(d);
    renderAlerts(d);
    renderStand(d);
    renderUnits(d);
    draw();
  }

  function choose(selector, key, value) {
    ui[key] = value;
    for (const b of document.querySelectorAll(selector)) b.setAttribute("aria-pressed", String(b.dataset[key] === value));
    if (doc) render(doc);
  }

  document.querySelector(".views").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-view]");
    if (b) choose(".views button", "view", b.dataset.view);
  });
  document.querySelector(".filters").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-filter]");
    if (b) choose(".filters button", "filter", b.dataset.filter);
  });
  document.getElementById("incidents").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button.clear");
    if (!b) return;
    b.disabled = true;
    const r = await api(`/api/plans/${window.PLAN_ID}/incidents/${encodeURIComponent(b.dataset.incident)}/clear`,
      { method: "POST" }).catch(() => null);
    if (!r || !r.ok) b.disabled = false;  // the stream removes it once cleared
  });
  document.getElementById("orders").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button.issue");
    const r = b && doc && doc.orders && doc.orders.recommended[Number(b.dataset.n)];
    if (!r) return;
    b.disabled = true;
    const body = { id: crypto.randomUUID ? crypto.randomUUID().replaceAll("-", "") : String(Date.now()),
      unit: r.unit, checkpoint: r.checkpoint, action: r.action };
    if (r.action === "hold") body.seconds = r.seconds;
    const answer = await api(`/api/plans/${window.PLAN_ID}/orders`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).catch(() => null);
    if (!answer || !answer.ok) b.disabled = false;  // the stream shows it once issued
  });
  new ResizeObserver(() => { if (doc) draw(); }).observe(svg);
  // The countdowns move on between documents; the clock too.
  setInterval(() => {
    if (!doc) return;
    document.getElementById("now").textContent = clockAtMs(paradeNow());
    renderStand(doc);
  }, 1000);

  watch(`/api/plans/${window.PLAN_ID}/events`, render,
    (state) => { document.getElementById("connection").textContent = state; });
})();
