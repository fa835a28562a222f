// The marshal's phone: every tap goes into a queue in localStorage first, then to the
// service. A tap made offline stays queued (and shown as unsent) until the network is
// back; each carries its own id, so sending it twice is harmless.
"use strict";
(function () {
  const PLAN = window.PLAN_ID;
  const QUEUE = `paradeops.queue.${PLAN}`;
  const SENT = `paradeops.sent.${PLAN}`;
  const load = (k) => JSON.parse(localStorage.getItem(k) || "[]");
  const save = (k, v) => localStorage.setItem(k, JSON.stringify(v));
  let flushing = false;

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function isoNow() {
    // ISO 8601 with the phone's own offset, to the millisecond.
    const d = new Date(), off = -d.getTimezoneOffset(), p = (n, w = 2) => String(Math.abs(n)).padStart(w, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:` +
      `${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${off >= 0 ? "+" : "-"}${p(Math.trunc(off / 60))}:${p(off % 60)}`;
  }

  function show() {
    const q = load(QUEUE), sent = load(SENT);
    document.getElementById("unsent-count").textContent = q.length;
    document.getElementById("sent-count").textContent = sent.length;
    document.getElementById("unsent").replaceChildren(...q.map((c) =>
      el("li", { "data-id": c.id }, `${c.unit} ${c.part} at ${c.checkpoint} ${c.at.slice(11, 19)} — unsent${c.error ? ": " + c.error : ""}`)));
    document.getElementById("sent").replaceChildren(...sent.slice(-20).reverse().map((c) =>
      el("li", { "data-id": c.id }, `${c.unit} ${c.part} at ${c.checkpoint} ${c.at.slice(11, 19)}`)));
    document.getElementById("network").textContent = navigator.onLine ? "online" : "offline — taps are kept and sent later";
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const c of load(QUEUE)) {
        let r;
        try {
          r = await api(`/api/plans/${PLAN}/checkins`, {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ id: c.id, unit: c.unit, checkpoint: c.checkpoint, part: c.part, at: c.at }),
          });
        } catch (e) { break; }  // network down: keep the queue, try again later
        const q = load(QUEUE).filter((x) => x.id !== c.id);
        if (r.ok) {
          save(QUEUE, q);
          save(SENT, load(SENT).concat([c]));
        } else if (r.status === 401 || r.status >= 500) {
          break;  // sign in again / server trouble: keep it
        } else {
          // Refused for good (not assigned here, unknown unit): keep it visible, but not resend.
          const detail = (await r.json().catch(() => ({}))).detail || r.status;
          save(QUEUE, q.concat([Object.assign(c, { error: String(detail), dead: true })]));
        }
        show();
      }
    } finally { flushing = false; show(); }
  }

  document.querySelectorAll("button.tap").forEach((b) => b.addEventListener("click", () => {
    const c = { id: uuid(), unit: b.dataset.unit, part: b.dataset.part,
      checkpoint: document.getElementById("checkpoint").value, at: isoNow() };
    save(QUEUE, load(QUEUE).concat([c]));
    show();
    flush();
  }));
  window.addEventListener("online", () => { show(); flush(); });
  window.addEventListener("offline", show);
  setInterval(flush, 3000);
  show();
  flush();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
})();
