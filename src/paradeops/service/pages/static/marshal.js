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
  const TIMES_KEY = `paradeops.times.${PLAN}`;
  // The expected times are written to the phone at most this often [ms].
  const KEEP_EVERY_MS = 10 * 1000;
  let rendered = false, units = [], known = keptTimes(), keptAt = 0, shape = "";

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
    units = doc.units;
    showUnits(true);
    document.getElementById("incident-unit").replaceChildren(
      el("option", { value: "" }, "(none, or not known)"),
      ...doc.units.map((u) => el("option", { value: u.id }, u.name)));
    rendered = true;
  }

  function keptTimes() {
    try {
      const t = JSON.parse(localStorage.getItem(TIMES_KEY));
      if (t) setParadeZone(t.timezone);
      return t;
    } catch (e) { return null; }
  }

  // A unit's row: its name, when it is expected here, and the two taps (≥ 48 px).
  function unitRow(r) {
    const li = el("li", { "data-unit": r.id, class: `unit${r.headDone ? " head-done" : ""}${r.tailDone ? " tail-done" : ""}` });
    const who = el("div", { class: "who" });
    who.append(el("span", { class: "name" }, r.name));
    if (!Number.isNaN(r.head)) {
      who.append(el("span", { class: "expect", "data-head": r.head, "data-tail": r.tail, "data-done": r.headDone ? "1" : "" }));
    }
    const taps = el("div", { class: "taps" });
    for (const [part, label] of [["head", "Head passed"], ["tail", "Tail passed"]]) {
      const done = part === "head" ? r.headDone : r.tailDone;
      taps.append(el("button", { class: done ? "tap done" : "tap", "data-unit": r.id, "data-part": part }, done ? `${label} ✓` : label));
    }
    li.append(who, taps);
    return li;
  }

  // The lists are rebuilt only when what they show changed (not under the marshal's finger
  // every second); the countdowns move on in tick().
  function showUnits(force = false) {
    const checkpoint = document.getElementById("checkpoint").value;
    const mine = Due.tapped(Queue.unsent(PLAN), Queue.sent(PLAN), checkpoint);
    const parts = Due.split(units, known, checkpoint, mine, Date.now());
    const query = document.getElementById("search").value.trim().toLowerCase();
    const hit = (r) => !query || r.name.toLowerCase().includes(query) || r.id.includes(query);
    const key = JSON.stringify([checkpoint, query, ...["due", "recent", "later", "passed"].map((k) =>
      parts[k].filter(hit).map((r) => [r.id, r.head, r.headDone, r.tailDone]))]);
    if (key !== shape || force) {
      shape = key;
      for (const k of ["due", "recent", "later"]) document.getElementById(k).replaceChildren(...parts[k].filter(hit).map(unitRow));
      document.querySelector("#passed ol").replaceChildren(...parts.passed.filter(hit).map(unitRow));
      document.getElementById("passed-count").textContent = `(${parts.passed.filter(hit).length})`;
      if (query && parts.passed.some(hit)) document.getElementById("passed").open = true;
      document.getElementById("due-title").hidden = !parts.due.filter(hit).length;
      document.getElementById("later-title").hidden = !parts.later.filter(hit).length;
    }
    tick();
  }

  function tick() {
    const synced = Clock.base !== null;  // the parade's clock heard from the service
    document.getElementById("clock").textContent = synced ? clockAtMs(paradeNow()) : "—";
    for (const span of document.querySelectorAll("#marshal-units .expect")) {
      // Once the head is by, the tail is what the marshal waits for.
      const head = Number(span.dataset.head), tail = Number(span.dataset.tail);
      span.textContent = span.dataset.done ? `tail ${clockAtMs(tail)} · ${countdown(tail)}` : `${clockAtMs(head)} · ${countdown(head)}`;
    }
  }

  // --- orders for this checkpoint, on top: seen → unit told → done, each tap queued ---
  const NEXT_STEP = { issued: ["confirm", "Seen"], confirmed: ["ack", "Unit told"], acknowledged: ["execute", "Done"] };
  const STEP_STATE = { confirm: "confirmed", ack: "acknowledged", execute: "executed" };
  let orders = {};

  function orderState(id, o) {
    // A step still in the queue (offline) counts: the next button is already due.
    const queued = Queue.unsent(PLAN).filter((c) => c.kind === "order" && c.order === id && !c.dead);
    return queued.length ? STEP_STATE[queued.at(-1).step] : o.state;
  }

  function showOrders() {
    const checkpoint = document.getElementById("checkpoint").value;
    const items = Object.entries(orders).filter(([, o]) => o.checkpoint === checkpoint)
      .sort(([, a], [, b]) => a.order - b.order).map(([id, o]) => {
        const state = orderState(id, o);
        const what = o.action === "hold" ? `HOLD ${o.unit} for ${o.seconds} s` : `RELEASE ${o.unit} now`;
        const li = el("li", { class: "order", "data-order": id, "data-state": state });
        li.append(el("b", {}, what), ` · ${state}`);
        if (NEXT_STEP[state]) {
          const [step, label] = NEXT_STEP[state];
          li.append(" ", el("button", { class: "order-step", "data-order": id, "data-step": step }, label));
        }
        return li;
      }).filter((li) => li.dataset.state !== "executed");
    document.getElementById("order-list").replaceChildren(...items);
    document.getElementById("orders").hidden = !items.length;
  }

  function stepOrder(button) {
    const o = orders[button.dataset.order];
    Queue.add(PLAN, { kind: "order", id: uuid(), order: button.dataset.order, step: button.dataset.step,
      unit: o.unit, checkpoint: o.checkpoint, at: isoNow() });
    showOrders();
    show();
    flush();
  }

  // The control room's stream: the expected times at every checkpoint, and the parade's clock.
  function heard(doc) {
    setParadeZone(doc.timezone);
    syncParadeNow(doc.now);
    document.getElementById("zone").textContent = doc.timezone || "";
    known = Due.times(doc);
    orders = (doc.orders && doc.orders.issued) || {};
    showOrders();
    if (Date.now() - keptAt > KEEP_EVERY_MS) {
      keptAt = Date.now();
      try { localStorage.setItem(TIMES_KEY, JSON.stringify(known)); } catch (e) { /* full: kept in memory */ }
    }
    if (rendered) showUnits();
  }

  function line(c) {
    if (c.kind === "order") return `order ${c.step} ${c.unit} at ${c.checkpoint} ${hhmmss(c.at)}`;
    if (c.kind === "incident") {
      return `incident ${c.code}${c.unit ? " " + c.unit : ""} near ${c.checkpoint} ${hhmmss(c.at)}: ${c.text}`;
    }
    return `${c.unit} ${c.part} at ${c.checkpoint} ${hhmmss(c.at)}`;
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
    showLastTap(sent);
    document.getElementById("network").textContent = navigator.onLine ? "online" : "offline — taps are kept and sent later";
  }

  // The last tap, with its Undo, near the top: the full record is below the long lists.
  function showLastTap(sent) {
    const last = sent.filter((c) => c.kind !== "incident").at(-1);
    const box = document.getElementById("last-tap");
    const undoable = last && !last.voided && last.ackAt && Date.now() - last.ackAt < UNDO_MS;
    box.hidden = !undoable;
    if (!undoable) { box.replaceChildren(); return; }
    const key = `${last.id} ${last.undoError || ""}`;
    if (box.dataset.key === key && box.childElementCount) return;  // not under the finger
    box.dataset.key = key;
    box.replaceChildren(`Recorded: ${line(last)} `, el("button", { class: "undo", "data-id": last.id }, "Undo"));
    if (last.undoError) box.append(el("span", { class: "error" }, ` ${last.undoError}`));
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
    showUnits();
    flush();
  }

  async function start() {
    if (PLAN === null) { note("Open this page from a plan's page."); return; }
    const doc = (await fetchPlan()) || keptPlan();
    if (doc === null) { note("Offline, and this phone has no copy of the plan yet: open it once online."); return; }
    render(doc);
    show();
    flush();
    if (typeof watch === "function") watch(`/api/plans/${PLAN}/events`, heard, () => {},
      () => note("Signed out: sign in again to send what is queued."));
  }

  document.getElementById("marshal-units").addEventListener("click", (ev) => {
    const b = ev.target.closest("button.tap");
    if (b) tap(b);
  });
  document.getElementById("search").addEventListener("input", () => showUnits());
  document.getElementById("checkpoint").addEventListener("change", () => { showUnits(); showOrders(); });
  document.getElementById("orders").addEventListener("click", (ev) => {
    const b = ev.target.closest("button.order-step");
    if (b) stepOrder(b);
  });
  document.getElementById("last-tap").addEventListener("click", (ev) => {
    const b = ev.target.closest("button.undo");
    if (b) { b.disabled = true; undo(b.dataset.id); }
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
  // An Undo button goes when its minute is up; a passed unit folds away; countdowns move.
  setInterval(() => { show(); if (rendered) showUnits(); }, 1000);
  start();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
})();
