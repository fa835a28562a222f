// Shared helpers: calling the API as the signed-in page, clock formatting, elements.
"use strict";
// The plan a page is about (<body data-plan>); control.js and announcer.js read it here.
window.PLAN_ID = document.body.dataset.plan ? Number(document.body.dataset.plan) : undefined;

const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function api(path, options = {}) {
  // The HttpOnly session cookie authenticates (no script can read it); a write also
  // carries this session's CSRF token, which a page of another site cannot know.
  const method = (options.method || "GET").toUpperCase();
  const headers = Object.assign({}, options.headers || {});
  if (!SAFE_METHODS.includes(method)) headers["X-CSRF-Token"] = csrfToken();
  return fetch(path, Object.assign({}, options, { headers, credentials: "same-origin" }));
}

function hhmmss(iso) {
  // The parade's own clock: the time as written in the ISO string, not the browser's zone.
  return iso ? iso.slice(11, 19) : "—";
}

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}
