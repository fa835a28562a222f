// Service worker: keeps the static files the marshal page needs, so it opens without a
// network. It stores nothing else: no page made for a signed-in user, no API answer.
// The marshal page itself is a static shell (/static/marshal.html) that loads its plan
// from the API and queues taps in localStorage; offline, a visit to /plans/N/marshal is
// answered with that shell. Sign-out deletes this cache and unregisters the worker.
"use strict";
const CACHE = "paradeops-static-v5";
const SHELL = [
  "/static/app.css",
  "/static/common.js",
  "/static/queue.js",
  "/static/session.js",
  "/static/stream.js",
  "/static/due.js",
  "/static/marshal.js",
  "/static/marshal.html",
];

self.addEventListener("install", (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (ev) => {
  // Earlier versions kept the rendered marshal page, session token included: drop them.
  ev.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// The cached copy at once, a fresher one for next time; never re-creates a deleted cache.
async function fromCache(request) {
  const hit = await caches.match(request);
  const fresh = fetch(request).then(async (r) => {
    if (r.ok && r.type === "basic" && (await caches.has(CACHE))) await (await caches.open(CACHE)).put(request, r.clone());
    return r;
  });
  if (hit) { fresh.catch(() => {}); return hit; }
  return fresh;
}

self.addEventListener("fetch", (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== "GET" || url.origin !== location.origin) return;
  if (SHELL.includes(url.pathname) && url.search === "") {
    ev.respondWith(fromCache(ev.request));
  } else if (ev.request.mode === "navigate" && /^\/plans\/\d+\/marshal$/.test(url.pathname)) {
    // Online: the service decides (the shell, or the sign-in page). Offline: the shell.
    ev.respondWith(fetch(ev.request).catch(async () =>
      (await caches.match("/static/marshal.html")) || Response.error()));
  }
});
