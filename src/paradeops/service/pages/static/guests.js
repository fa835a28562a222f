// The guests page: append an event, upload a book; the service's message on refusal.
"use strict";
(function () {
  function refusal(box, body) {
    // FastAPI's 422 gives a list of problems; the service's own 4xx a message.
    box.textContent = typeof body.detail === "string" ? body.detail
      : body.detail.map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`).join("\n");
    box.hidden = false;
  }
  const form = document.getElementById("append-event");
  if (form) form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = document.getElementById("event-error");
    out.hidden = true;
    const f = new FormData(form);
    const event = { at: f.get("at").trim(), kind: f.get("kind") };
    if (f.get("reason").trim()) event.reason = f.get("reason").trim();
    if (f.get("by").trim()) event.source = { by: f.get("by").trim() };
    const r = await api(`/api/guests/${encodeURIComponent(f.get("guest"))}/events`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(event),
    });
    if (r.ok) { location.reload(); return; }
    refusal(out, await r.json());
  });
  const upload = document.getElementById("upload-guests");
  if (upload) upload.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = document.getElementById("guests-error");
    out.hidden = true;
    const file = document.getElementById("guests-file").files[0];
    const r = await api(`/api/guestbooks?filename=${encodeURIComponent(file.name)}`, {
      method: "POST", headers: { "Content-Type": "application/yaml" }, body: file,
    });
    if (r.ok) { location.reload(); return; }
    refusal(out, await r.json());
  });
})();
