// The control room's movement graph: distance along the route (up) against time (across),
// drawn in the SVG's own pixels so that labels keep their shape at any size.
"use strict";
const Graph = (function () {
  const NS = "http://www.w3.org/2000/svg";
  // Whole minutes the time axis may step by; the first giving labels ≥ 70 px apart is used.
  const STEPS_S = [60, 120, 300, 600, 900, 1800, 3600, 7200];
  // "Around now": this much before now and after it [s].
  const BEFORE_S = 15 * 60, AFTER_S = 45 * 60;

  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The part of a line [[t, x]…] whose x is within [lo, hi], ends interpolated (x never
  // decreases along a trajectory, so one stretch at most).
  function clipX(pts, lo, hi) {
    const out = [];
    for (let i = 0; i < pts.length; i++) {
      const [t, x] = pts[i];
      if (i > 0) {
        const [t0, x0] = pts[i - 1];
        for (const edge of [lo, hi]) {
          if ((x0 < edge && x > edge) || (x0 > edge && x < edge)) {
            out.push([t0 + (t - t0) * (edge - x0) / (x - x0), edge]);
          }
        }
      }
      if (x >= lo && x <= hi) out.push([t, x]);
    }
    return out;
  }

  // The part of a line from time t on, its first point interpolated at t.
  function fromTime(pts, t) {
    const i = pts.findIndex(([ti]) => ti >= t);
    if (i < 0) return [];
    if (i === 0) return pts;
    const [t0, x0] = pts[i - 1], [t1, x1] = pts[i];
    const x = t1 > t0 ? x0 + (x1 - x0) * (t - t0) / (t1 - t0) : x1;
    return [[t, x], ...pts.slice(i)];
  }

  // A unit's planned band: its head from the start to the release point, then its tail back.
  function band(u, xMax) {
    const head = clipX(u.planned, 0, xMax);
    const tail = clipX(u.planned.map(([t, x]) => [t, x - u.length_m]), 0, xMax);
    return head.concat(tail.reverse());
  }

  // The time shown: the whole parade to its last tail at the release point, or around now.
  function span(g, units, view) {
    if (view === "now") return [g.now_s - BEFORE_S, g.now_s + AFTER_S];
    let t0 = Infinity, t1 = -Infinity;
    for (const u of units) {
      for (const [t, x] of band(u, g.x_max)) { t0 = Math.min(t0, t); if (x <= g.x_max) t1 = Math.max(t1, t); }
      for (const [t] of clipX(u.line || [], 0, g.x_max)) t1 = Math.max(t1, t);
    }
    t0 = Math.min(t0, g.now_s); t1 = Math.max(t1, g.now_s, g.window_end_s ?? -Infinity);
    return t1 > t0 ? [t0, t1 + (t1 - t0) * 0.01] : [t0, t0 + 60];
  }

  // Tick times [s from the reference] on whole minutes of the parade's clock.
  function ticks(t0, t1, width, offsetS) {
    const step = STEPS_S.find((s) => width / ((t1 - t0) / s) >= 70) || STEPS_S[STEPS_S.length - 1];
    const out = [];
    for (let k = Math.ceil((t0 + offsetS) / step) * step - offsetS; k <= t1; k += step) out.push(k);
    return out;
  }

  return { NS, svgEl, clipX, fromTime, band, span, ticks };
})();
