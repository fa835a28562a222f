// The marshal's phone. The page is a static shell: the plan (units, this marshal's
// checkpoints) comes from marshal.json and is kept in localStorage, so the page opens and
// taps queue without a network; queue.js sends them when it is back. A check-in sent in
// the last minute can be undone (voided on the service, never deleted). Incidents go
// through the same queue; one the marshal sent can be cleared from here when it is over.
"use strict";
(function () {
  const match = /^\/plans\/(\d+)\/marshal$/.exec(location.pathname);
  const PLAN = match ? Number(match[1]) : null;
  const PLAN_KEY = `paradeops.plan.${PLAN}`;
  const UNDO_MS = 60 * 1000; // the service lets a marshal void their own check-in this long
  let rendered = false;

  function note(text) {
    const p = document.getElementById("plan-note");
    p.textContent = text;
    p.hidden = !text;
  }

  function setCsrf(token) {
    document.querySelector('meta[name="csrf-token"]').content = token;
    document.querySelector('#sign-out input[name="csrf"]').value = token;
  }

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

  // The plan from the service when it answers (and a fresh CSRF token); else the phone's copy.
  async function fetchPlan() {
    let r;
    try { r = await api(`/plans/${PLAN}/marshal.json`); } catch (e) { return null; }
    if (r.status === 401) { note("Signed out: sign in again to send what is queued."); return null; }
    if (!r.ok) { note(await Queue.detail(r)); return null; }
    const doc = await r.json();
    setCsrf(doc.csrf);
    delete doc.csrf;
    localStorage.setItem(PLAN_KEY, JSON.stringify(doc));
    note("");
    return doc;
  }

  function keptPlan() {
    try { return JSON.parse(localStorage.getItem(PLAN_KEY)); } catch (e) { return null; }
  }

  function render(doc) {
    document.title = `Marshal — ${doc.name}`;
    document.getElementById("plan-name").textContent = `Marshal: ${doc.name}`;
    document.getElementById("who").textContent = `${doc.user.name} (${doc.user.role})`;
    const select = document.getElementById("checkpoint");
    const chosen = select.value;
    select.replaceChildren(...doc.checkpoints.map((c) => el("option", { value: c.id }, c.name)));
    if (doc.checkpoints.some((c) => c.id === chosen)) select.value = chosen;
    if (!doc.checkpoints.length) note("You are not assigned to a checkpoint of this plan.");
    document.getElementById("marshal-units").replaceChildren(...doc.units.map((u) => {
      const tr = el("tr", { "data-unit": u.id });
      tr.append(el("td", {}, u.name));
      for (const [part, label] of [["head", "Head passed"], ["tail", "Tail passed"]]) {
        const td = el("td");
        td.append(el("button", { class: "tap", "data-unit": u.id, "data-part": part }, label));
        tr.append(td);
      }
      return tr;
    }));
    document.getElementById("incident-unit").replaceChildren(
      el("option", { value: "" }, "(none, or not known)"),
      ...doc.units.map((u) => el("option", { value: u.id }, u.name)));
    rendered = true;
  }

  function line(c) {
    if (c.kind === "incident") {
      return `incident ${c.code}${c.unit ? " " + c.unit : ""} near ${c.checkpoint} ${c.at.slice(11, 19)}: ${c.text}`;
    }
    return `${c.unit} ${c.part} at ${c.checkpoint} ${c.at.slice(11, 19)}`;
  }

  function incidentItem(c) {
    const li = el("li", { "data-id": c.id, class: c.cleared ? "incident cleared" : "incident" },
      line(c) + (c.cleared ? " — cleared" : ""));
    if (!c.cleared) li.append(" ", el("button", { class: "clear", "data-id": c.id }, "Clear"));
    if (c.clearError) li.append(el("span", { class: "error" }, ` ${c.clearError}`));
    return li;
  }

  function sentItem(c) {
    if (c.kind === "incident") return incidentItem(c);
    const li = el("li", { "data-id": c.id, class: c.voided ? "voided" : "" }, line(c) + (c.voided ? " — undone" : ""));
    if (!c.voided && c.ackAt && Date.now() - c.ackAt < UNDO_MS) {
      li.append(" ", el("button", { class: "undo", "data-id": c.id }, "Undo"));
    }
    if (c.undoError) li.append(el("span", { class: "error" }, ` ${c.undoError}`));
    return li;
  }

  function show() {
    const queued = Queue.unsent(PLAN), sent = Queue.sent(PLAN);
    document.getElementById("unsent-count").textContent = queued.length;
    document.getElementById("sent-count").textContent = sent.filter((c) => !c.voided).length;
    document.getElementById("unsent").replaceChildren(...queued.map((c) =>
      el("li", { "data-id": c.id }, `${line(c)} — unsent${c.error ? ": " + c.error : ""}`)));
    // The last 20, and any incident still open however long ago (it has a Clear button).
    const recent = sent.slice(-20);
    const older = sent.slice(0, -20).filter((c) => c.kind === "incident" && !c.cleared);
    document.getElementById("sent").replaceChildren(...recent.reverse().concat(older.reverse()).map(sentItem));
    document.getElementById("network").textContent = navigator.onLine ? "online" : "offline — taps are kept and sent later";
  }

  async function flush() {
    // A CSRF token comes with the plan: none yet when the page was opened offline.
    if (!csrfToken()) {
      const doc = await fetchPlan();
      if (doc === null) { show(); return; }
      if (!rendered) render(doc);
    }
    const outcome = await Queue.send(PLAN, show);
    if (outcome === "retry" && Queue.unsent(PLAN).some((c) => /csrf/i.test(c.error || ""))) setCsrf("");
    show();
  }

  async function undo(id) {
    let r;
    try {
      r = await api(`/api/plans/${PLAN}/checkins/${encodeURIComponent(id)}/void`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ reason: "undone on the marshal's phone" }),
      });
    } catch (e) { Queue.update(PLAN, id, { undoError: "offline: not undone" }); show(); return; }
    if (r.ok) Queue.update(PLAN, id, { voided: true, undoError: "" });
    else Queue.update(PLAN, id, { undoError: `not undone: ${await Queue.detail(r)}` });
    show();
  }

  // Online only, like Undo: a clearing must not land long after the fact.
  async function clearIncident(id) {
    let r;
    try {
      r = await api(`/api/plans/${PLAN}/incidents/${encodeURIComponent(id)}/clear`, { method: "POST" });
    } catch (e) { Queue.update(PLAN, id, { clearError: "offline: not cleared" }); show(); return; }
    if (r.ok || r.status === 409) Queue.update(PLAN, id, { cleared: true, clearError: "" });
    else Queue.update(PLAN, id, { clearError: `not cleared: ${await Queue.detail(r)}` });
    show();
  }

  function reportIncident() {
    const select = document.getElementById("checkpoint");
    const doc = keptPlan();
    const here = doc && doc.checkpoints.find((c) => c.id === select.value);
    const text = document.getElementById("incident-text");
    Queue.add(PLAN, { kind: "incident", id: uuid(), code: document.getElementById("incident-code").value,
      unit: document.getElementById("incident-unit").value, text: text.value.trim(),
      checkpoint: select.value, at_m: here ? here.at_m : undefined, at: isoNow() });
    text.value = "";
    document.getElementById("incident").open = false;
    show();
    flush();
  }

  function tap(button) {
    Queue.add(PLAN, { id: uuid(), unit: button.dataset.unit, part: button.dataset.part,
      checkpoint: document.getElementById("checkpoint").value, at: isoNow() });
    show();
    flush();
  }

  async function start() {
    if (PLAN === null) { note("Open this page from a plan's page."); return; }
    const doc = (await fetchPlan()) || keptPlan();
    if (doc === null) { note("Offline, and this phone has no copy of the plan yet: open it once online."); return; }
    render(doc);
    show();
    flush();
  }

  document.getElementById("marshal-units").addEventListener("click", (ev) => {
    const b = ev.target.closest("button.tap");
    if (b) tap(b);
  });
  document.getElementById("sent").addEventListener("click", (ev) => {
    const b = ev.target.closest("button.undo");
    if (b) { b.disabled = true; undo(b.dataset.id); }
    const c = ev.target.closest("button.clear");
    if (c) { c.disabled = true; clearIncident(c.dataset.id); }
  });
  document.getElementById("incident-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (document.getElementById("incident-text").value.trim()) reportIncident();
  });
  window.addEventListener("online", () => { show(); flush(); });
  window.addEventListener("offline", show);
  setInterval(flush, 3000);
  setInterval(show, 1000); // an Undo button goes when its minute is up
  start();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
})();
