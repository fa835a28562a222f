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
  }
  watch(`/api/plans/${window.PLAN_ID}/announcer/events`, render, () => {});
})();
