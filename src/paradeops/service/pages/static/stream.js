// Following a control-room or announcer stream: a snapshot, then merge-patch deltas.
"use strict";
// RFC 7396: members replace, objects merge, null deletes; arrays are replaced whole.
function mergePatch(target, patch) {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === "object" && !Array.isArray(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// The stream's collections are objects keyed by id; each member knows its place.
const ordered = (o) => Object.values(o || {}).sort((a, b) => a.order - b.order);

// Follow a stream: "snapshot" replaces the document, "delta" patches it (ids count up by one).
// EventSource reconnects by itself with Last-Event-ID; after a refusal (503) or a gap it
// is opened again here, saying what it last saw, and the server sends what was missed.
// ``signedOut`` (optional): what to do when the sign-in ends; by default, sign in again.
function watch(url, render, connection, signedOut) {
  let doc = null, lastId = null, source = null;
  function connect() {
    const q = lastId === null ? "" : `?last_event_id=${encodeURIComponent(lastId)}`;
    source = new EventSource(url + q);
    source.addEventListener("snapshot", (ev) => {
      doc = JSON.parse(ev.data); lastId = ev.lastEventId; render(doc);
    });
    source.addEventListener("delta", (ev) => {
      if (doc === null || lastId === null || BigInt(ev.lastEventId) !== BigInt(lastId) + 1n) {
        doc = null; lastId = null; source.close(); connect();  // a gap: start from a snapshot
        return;
      }
      doc = mergePatch(doc, JSON.parse(ev.data)); lastId = ev.lastEventId; render(doc);
    });
    source.addEventListener("signed-out", () => {  // the sign-in ended: no reconnecting
      source.close(); connection("signed out");
      if (signedOut) signedOut();
      else location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    });
    source.onopen = () => connection("live");
    source.onerror = () => {
      connection("reconnecting…");
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 5000 + Math.random() * 5000);
    };
  }
  connect();
}
