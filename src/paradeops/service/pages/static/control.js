// The control room: a stream of a snapshot and merge-patch deltas keeps the document; draw it.
"use strict";
(function () {
  const svg = document.getElementById("graph");
  const NS = "http://www.w3.org/2000/svg";
  let updates = 0;

  // A projected time is seconds after the unit's anchor_s (itself seconds after the
  // document's reference); as hh:mm:ss on the parade's own clock, like hhmmss().
  function clockAt(doc, s) {
    const [h, m, sec] = doc.reference.slice(11, 19).split(":").map(Number);
    const t = ((Math.floor(h * 3600 + m * 60 + sec + s) % 86400) + 86400) % 86400;
    const two = (n) => String(n).padStart(2, "0");
    return `${two(Math.floor(t / 3600))}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}`;
  }
  const at = (doc, u, v) => typeof v === "number" ? clockAt(doc, u.anchor_s + v) : hhmmss(v);
  // The graph's projected line: [seconds after projected_at_s, place].
  const projected = (u) => u.projected && u.projected.map(([t, x]) => [t + u.projected_at_s, x]);

  function svgEl(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  }

  function draw(doc) {
    const g = doc.graph;
    const W = 1000, H = 420, L = 60, B = 20;
    let t0 = Infinity, t1 = -Infinity;
    const units = ordered(g.units);
    for (const u of units) for (const [t] of (u.planned || u.passes)) { t0 = Math.min(t0, t); t1 = Math.max(t1, t); }
    for (const u of units) if (u.projected) for (const [t, x] of projected(u)) if (x <= g.x_max) t1 = Math.max(t1, t);
    t0 = Math.min(t0, g.now_s); t1 = Math.max(t1, g.now_s);
    if (!(t1 > t0)) t1 = t0 + 1;
    const X = (t) => L + (t - t0) / (t1 - t0) * (W - L - 10);
    const Y = (x) => H - B - x / g.x_max * (H - B - 10);
    svg.replaceChildren();
    for (const c of g.checkpoints) {
      svg.append(svgEl("line", { x1: L, x2: W, y1: Y(c.at_m), y2: Y(c.at_m), stroke: c.reviewing ? "#c80" : "#ccc" }));
      const label = svgEl("text", { x: 2, y: Y(c.at_m) + 4, "font-size": 11 });
      label.textContent = c.id;
      svg.append(label);
    }
    const line = (pts, attrs) => svg.append(svgEl("polyline", Object.assign(
      { points: pts.filter(([, x]) => x >= 0 && x <= g.x_max * 1.02).map(([t, x]) => `${X(t)},${Y(x)}`).join(" "), fill: "none" }, attrs)));
    for (const u of units) {
      if (!u.planned) continue;
      const head = u.planned.filter(([, x]) => x <= g.x_max + u.length_m);
      const tail = head.map(([t, x]) => [t, x - u.length_m]).filter(([, x]) => x >= 0).reverse();
      svg.append(svgEl("polygon", {
        points: head.filter(([, x]) => x <= g.x_max).concat(tail).map(([t, x]) => `${X(t)},${Y(Math.min(x, g.x_max))}`).join(" "),
        fill: "#9bb7d4", "fill-opacity": 0.45, stroke: "#6b8fb5", "stroke-width": 1, "data-unit": u.id }));
      if (u.projected) line(projected(u), { stroke: "#c33", "stroke-dasharray": "4 3", "stroke-width": 1.2 });
    }
    for (const a of Object.values(g.actuals || {})) {
      svg.append(svgEl("circle", { class: "actual", cx: X(a.t), cy: Y(a.x), r: 4,
        fill: a.part === "head" ? "#111" : "#fff", stroke: "#111" }));
    }
    svg.append(svgEl("line", { x1: X(g.now_s), x2: X(g.now_s), y1: 0, y2: H - B, stroke: "#0a0" }));
    if (g.window_end_s !== undefined) {  // members that would be null are left out
      svg.append(svgEl("line", { x1: X(g.window_end_s), x2: X(g.window_end_s), y1: 0, y2: H - B, stroke: "#c00", "stroke-dasharray": "6 3" }));
    }
  }

  // Open incidents first: what stops the parade, where, until when (expected), who said so.
  function renderIncidents(doc) {
    const organiser = document.body.dataset.role === "organiser";
    document.getElementById("incidents").replaceChildren(...ordered(doc.incidents).map((i) => {
      const div = el("div", { class: "incident", "data-incident": i.id, "data-code": i.code });
      const who = i.unit_name ? ` · ${i.unit_name}` : "", where = i.place ? ` near ${i.place}` : "";
      div.append(el("b", {}, `${i.code}${who}${where}`),
        ` since ${hhmmss(i.at)}, expected over by ${hhmmss(i.expected_until)} (${i.recorded_by}): `,
        el("span", { class: "text" }, i.text));
      if (organiser) div.append(" ", el("button", { class: "clear", "data-incident": i.id }, "Clear"));
      return div;
    }));
  }

  document.getElementById("incidents").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button.clear");
    if (!b) return;
    b.disabled = true;
    const r = await api(`/api/plans/${window.PLAN_ID}/incidents/${encodeURIComponent(b.dataset.incident)}/clear`,
      { method: "POST" }).catch(() => null);
    if (!r || !r.ok) b.disabled = false;  // the stream removes it once cleared
  });

  function render(doc) {
    updates += 1;
    renderIncidents(doc);
    document.getElementById("now").textContent = hhmmss(doc.now);
    document.getElementById("checkin-count").textContent = doc.checkins;
    document.getElementById("updated").textContent = new Date().toLocaleTimeString();
    document.body.dataset.updates = updates;
    document.body.dataset.checkins = doc.checkins;
    const alerts = document.getElementById("alerts");
    alerts.replaceChildren(...ordered(doc.alerts).map((a) => el("div", { class: `alert ${a.severity}`, "data-kind": a.kind }, a.message)));
    const body = document.querySelector("#units tbody");
    body.replaceChildren(...ordered(doc.units).map((u) => {
      const tr = el("tr", { "data-unit": u.id });
      const next = ordered(u.ahead)[0];
      tr.append(el("td", {}, u.name), el("td", {}, u.state),
        el("td", { class: u.delay_s > 60 ? "late delay" : "delay" }, `${u.delay_s > 0 ? "+" : ""}${Math.round(u.delay_s)} s`),
        el("td", {}, u.last ? `${u.last.part} at ${u.last.checkpoint} ${hhmmss(u.last.at)}` : "—"),
        el("td", {}, next ? `${next.checkpoint}: ${at(doc, u, next.head)} / ${at(doc, u, next.tail)}` : "passed"));
      return tr;
    }));
    draw(doc);
  }

  watch(`/api/plans/${window.PLAN_ID}/events`, render,
    (state) => { document.getElementById("connection").textContent = state; });
})();
