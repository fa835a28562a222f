// Shared helpers: calling the API as the signed-in page, the parade's clock, elements.
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

// --- one clock: the parade's --------------------------------------------------------
// Every time a page shows is in the parade's time zone (the documents name it), never the
// browser's: a control room abroad or a phone left on another zone still reads the
// parade's clock. Until a page knows the zone, the clock as written in the ISO text.
const Clock = { zone: null, hms: null, hm: null, base: null };

function setParadeZone(zone) {
  if (!zone || zone === Clock.zone) return;
  const opts = (seconds) => Object.assign({ timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
    seconds ? { second: "2-digit" } : {});
  try {
    Clock.hms = new Intl.DateTimeFormat("en-GB", opts(true));
    Clock.hm = new Intl.DateTimeFormat("en-GB", opts(false));
    Clock.zone = zone;
  } catch (e) { Clock.hms = Clock.hm = null; }  // a zone this browser does not know
}

// The parade's "now" is the service's (it may replay a day): kept from its last document
// and moved on by the browser's monotonic clock, never read from the browser's wall clock.
function syncParadeNow(iso) {
  const ms = Date.parse(iso);
  if (!Number.isNaN(ms)) Clock.base = [ms, performance.now()];
}
const paradeNow = () => Clock.base ? Clock.base[0] + performance.now() - Clock.base[1] : Date.now();

// An instant [ms since the epoch] as hh:mm:ss (or hh:mm) on the parade's clock.
function clockAtMs(ms, seconds = true) {
  const f = seconds ? Clock.hms : Clock.hm;
  if (!f || !Number.isFinite(ms)) return Number.isFinite(ms) ? new Date(ms).toISOString().slice(11, seconds ? 19 : 16) : "—";
  return f.format(ms);
}

function hhmmss(iso) {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  if (Clock.hms && !Number.isNaN(ms)) return Clock.hms.format(ms);
  return /^\d{4}-\d\d-\d\dT/.test(iso) ? iso.slice(11, 19) : iso;  // "out of range" stays as it is
}

// How long until (or since) an instant, for countdowns: "in 4 min 05 s", "40 s ago", "now"
// (never "4:05", which reads as a time of day).
function countdown(ms, now = paradeNow()) {
  const s = Math.round((ms - now) / 1000);
  if (Math.abs(s) < 1) return "now";
  const a = Math.abs(s), two = (n) => String(n).padStart(2, "0");
  const text = a >= 3600 ? `${Math.floor(a / 3600)} h ${two(Math.floor(a / 60) % 60)} min`
    : a >= 60 ? `${Math.floor(a / 60)} min ${two(a % 60)} s` : `${a} s`;
  return s > 0 ? `in ${text}` : `${text} ago`;
}

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}
