// Shared helpers: the API token from the page, clock formatting.
"use strict";
const TOKEN = document.querySelector('meta[name="paradeops-token"]').content;

function api(path, options = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + TOKEN }, options.headers || {});
  return fetch(path, Object.assign({}, options, { headers }));
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
