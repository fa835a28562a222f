// The announcer: the unit at the reviewing stand now and the next three with their ETAs and
// lines, the open incidents' suggested lines, then the whole script in running order.
"use strict";
(function () {
  // Units shown after the one at the stand.
  const NEXT = 3;
  let doc = null;

  function card(s, cls, when) {
    const li = el("li", { "data-unit": s.unit, class: `card ${cls}` });
    li.append(el("div", { class: "when" }, when), el("div", { class: "name" }, s.name));
    if (s.description) li.append(el("p", { class: "description" }, s.description));
    return li;
  }

  // At the stand: its head has reached it and its tail not yet (by the parade's clock).
  function renderStand() {
    const now = paradeNow(), lines = ordered(doc.script);
    const there = lines.filter((s) => Date.parse(s.at) <= now && now < Date.parse(s.tail_at || s.at));
    const next = lines.filter((s) => Date.parse(s.at) > now).slice(0, NEXT);
    document.getElementById("now-at-stand").replaceChildren(...(there.length
      ? there.map((s) => card(s, "now", `At the stand since ${hhmmss(s.at)}`))
      : [el("li", { class: "card empty" }, next.length ? "Nobody at the stand: the next unit is on its way." : "Every unit has passed the stand.")]));
    document.getElementById("next-at-stand").replaceChildren(...next.map((s) =>
      card(s, "next", `${hhmmss(s.at)} · ${countdown(Date.parse(s.at), now)}${s.observed ? "" : " (expected)"}`)));
    document.getElementById("clock").textContent = clockAtMs(now);
  }

  function render(d) {
    doc = d;
    setParadeZone(d.timezone);
    syncParadeNow(d.now);
    document.getElementById("zone").textContent = d.timezone || "";
    document.body.dataset.checkins = d.checkins;
    // Each open incident with the line suggested for it (by code, the plan's language).
    document.getElementById("incidents").replaceChildren(...ordered(d.incidents).map((i) => {
      const div = el("div", { class: "incident", "data-incident": i.id });
      div.append(el("p", { class: "line" }, i.line));
      return div;
    }));
    document.getElementById("script").replaceChildren(...ordered(d.script).map((s) => {
      const li = el("li", { "data-unit": s.unit, class: s.observed ? "observed" : "" });
      li.append(el("span", { class: "at" }, hhmmss(s.at) + " "), el("span", { class: "name" }, s.name));
      if (s.description) li.append(el("div", { class: "description" }, s.description));
      return li;
    }));
    renderStand();
  }

  setInterval(() => { if (doc) renderStand(); }, 1000);
  watch(`/api/plans/${window.PLAN_ID}/announcer/events`, render, () => {});
})();
