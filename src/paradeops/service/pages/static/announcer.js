// The announcer's script, re-ordered as the units really reach the stand.
"use strict";
(function () {
  function render(doc) {
    const ol = document.getElementById("script");
    ol.replaceChildren(...ordered(doc.script).map((s) => {
      const li = el("li", { "data-unit": s.unit, class: s.observed ? "observed" : "" });
      li.append(el("span", { class: "at" }, hhmmss(s.at) + " "), el("span", { class: "name" }, s.name));
      if (s.description) li.append(el("div", { class: "description" }, s.description));
      return li;
    }));
    document.body.dataset.checkins = doc.checkins;
    // Each open incident with the line suggested for it (by code, the plan's language).
    document.getElementById("incidents").replaceChildren(...ordered(doc.incidents).map((i) => {
      const div = el("div", { class: "incident", "data-incident": i.id });
      div.append(el("p", { class: "line" }, i.line));
      return div;
    }));
  }
  watch(`/api/plans/${window.PLAN_ID}/announcer/events`, render, () => {});
})();
