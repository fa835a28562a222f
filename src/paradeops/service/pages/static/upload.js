// Upload a plan (and the geometry and equipment catalogue it names) as a multipart form; show the service's message on error.
"use strict";
(function () {
  const form = document.getElementById("upload");
  if (form) form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = document.getElementById("upload-error");
    out.hidden = true;
    const data = new FormData();
    const plan = form.querySelector('input[name="plan"]').files[0];
    const geo = form.querySelector('input[name="geometry"]').files[0];
    const equipment = form.querySelector('input[name="equipment"]')?.files[0];
    data.append("plan", plan, plan.name);
    if (geo) data.append("geometry", geo, geo.name);
    if (equipment) data.append("equipment", equipment, equipment.name);
    const r = await api(form.dataset.url, { method: form.dataset.method, body: data });
    const body = await r.json();
    if (r.ok) { location.href = "/plans/" + body.id; return; }
    out.textContent = body.detail;
    out.hidden = false;
  });
  const diff = document.getElementById("diff");
  if (diff) diff.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(diff);
    const r = await api(`/api/plans/${diff.dataset.plan}/diff?from=${f.get("from")}&to=${f.get("to")}`);
    const d = await r.json();
    const box = document.getElementById("diff-result");
    box.replaceChildren();
    if (!r.ok) { box.textContent = d.detail; return; }
    const add = (title, items) => {
      box.append(el("h3", {}, `${title} (${items.length})`));
      const ul = el("ul");
      for (const i of items) ul.append(el("li", {}, i));
      box.append(ul);
    };
    add("Added", d.added);
    add("Removed", d.removed);
    add("Reordered", d.reordered.map((m) => `${m.unit}: ${m.before} → ${m.after}`));
    add("Times changed", d.times_changed.map(
      (c) => `${c.unit} ${c.part} at ${c.checkpoint}: ${hhmmss(c.before)} → ${hhmmss(c.after)} (${c.delta_s > 0 ? "+" : ""}${c.delta_s} s)`));
  });
})();
