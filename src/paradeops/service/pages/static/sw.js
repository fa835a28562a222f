// Service worker: keeps the marshal page and its scripts so the page opens without a
// network. API calls are never cached or answered here: the page queues them itself.
"use strict";
const CACHE = "paradeops-v1";
const SHELL = ["/static/app.css", "/static/common.js", "/static/marshal.js"];

self.addEventListener("install", (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (ev) => ev.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (url.pathname.startsWith("/static/")) {
    ev.respondWith(caches.match(ev.request).then((hit) => hit || fetch(ev.request)));
  } else if (/^\/plans\/\d+\/marshal$/.test(url.pathname)) {
    // Network first (fresh plan), the last copy when offline.
    ev.respondWith(fetch(ev.request).then((r) => {
      const copy = r.clone();
      if (r.ok) caches.open(CACHE).then((c) => c.put(ev.request, copy));
      return r;
    }).catch(() => caches.match(ev.request)));
  }
});
