// The phone's queue of check-ins, incidents and order steps, per plan, in localStorage: every tap
// goes into it first and leaves it only when the service has acknowledged it. Each
// carries its own id, so sending one twice (a lost answer, a retry) is harmless.
// Sign-out and the marshal page both send it from here.
"use strict";
const Queue = (function () {
  const PREFIX = "paradeops.";
  const queueKey = (plan) => `${PREFIX}queue.${plan}`;
  const sentKey = (plan) => `${PREFIX}sent.${plan}`;
  //: Answers after which a check-in stays queued and is sent again later.
  const RETRY = (status) => status === 401 || status === 408 || status === 429 || status >= 500;

  // What each kind of item is sent as (an item without a kind is a check-in).
  const REQUESTS = {
    checkin: (plan, c) => [`/api/plans/${plan}/checkins`,
      { id: c.id, unit: c.unit, checkpoint: c.checkpoint, part: c.part, at: c.at }],
    incident: (plan, c) => [`/api/plans/${plan}/incidents`, Object.assign(
      { id: c.id, code: c.code, text: c.text, at: c.at },
      c.unit ? { unit: c.unit } : {}, typeof c.at_m === "number" ? { at_m: c.at_m } : {})],
    // A step of a hold-and-release order: confirm, ack or execute, with the phone's id.
    order: (plan, c) => [`/api/plans/${plan}/orders/${encodeURIComponent(c.order)}/${c.step}`,
      { id: c.id, at: c.at }],
  };
  const request = (plan, c) => (REQUESTS[c.kind] || REQUESTS.checkin)(plan, c);

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  const save = (key, value) => localStorage.setItem(key, JSON.stringify(value));

  function plans() {
    const found = [];
    for (let i = 0; i < localStorage.length; i++) {
      const m = /^paradeops\.queue\.(\d+)$/.exec(localStorage.key(i));
      if (m) found.push(Number(m[1]));
    }
    return found;
  }

  const unsent = (plan) => load(queueKey(plan));
  const unsentEverywhere = () => plans().reduce((n, plan) => n + unsent(plan).length, 0);
  const sent = (plan) => load(sentKey(plan));

  function add(plan, checkin) { save(queueKey(plan), unsent(plan).concat([checkin])); }

  function update(plan, id, change) {
    save(sentKey(plan), sent(plan).map((c) => (c.id === id ? Object.assign(c, change) : c)));
  }

  async function detail(r) {
    const body = await r.json().catch(() => ({}));
    if (typeof body.detail === "string") return body.detail;
    // A 422 names each field and what is wrong with it.
    if (Array.isArray(body.detail)) return body.detail.map((d) => `${(d.loc || []).slice(-1)[0]}: ${d.msg}`).join("; ");
    return String(r.status);
  }

  let sending = false;

  // Send what ``plan`` has queued, oldest first. "sent" when nothing sendable is left;
  // "offline", "retry" (kept: the service asked for later, or sign in again) otherwise.
  async function send(plan, onChange = () => {}) {
    if (sending) return "busy";
    sending = true;
    try {
      for (const c of unsent(plan).filter((x) => !x.dead)) {
        let r;
        const [path, body] = request(plan, c);
        try {
          r = await api(path, {
            method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
          });
        } catch (e) { return "offline"; }
        const rest = unsent(plan).filter((x) => x.id !== c.id);
        if (r.ok) {
          save(queueKey(plan), rest);
          save(sentKey(plan), sent(plan).concat([Object.assign(c, { ackAt: Date.now() })]));
        } else {
          const why = await detail(r);
          // A refused CSRF token means the session changed under the page: not the tap's fault.
          if (RETRY(r.status) || /csrf/i.test(why)) { c.error = why; save(queueKey(plan), rest.concat([c])); onChange(); return "retry"; }
          // Refused for good (not assigned here, unknown unit): kept visible, never resent.
          save(queueKey(plan), rest.concat([Object.assign(c, { error: why, dead: true })]));
        }
        onChange();
      }
      return "sent";
    } finally { sending = false; }
  }

  async function sendEverywhere() {
    let worst = "sent";
    for (const plan of plans()) {
      const outcome = await send(plan);
      if (outcome !== "sent") worst = outcome;
    }
    return worst;
  }

  function forgetEverything() {
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) {
      if (localStorage.key(i).startsWith(PREFIX)) keys.push(localStorage.key(i));
    }
    keys.forEach((k) => localStorage.removeItem(k));
  }

  return { add, unsent, unsentEverywhere, sent, update, send, sendEverywhere, forgetEverything, detail };
})();
