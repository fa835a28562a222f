// The tribune's badge scan: send what the scanner typed, show the verdict large, be ready
// for the next badge at once (the field is cleared and keeps the focus).
"use strict";
(function () {
  const form = document.getElementById("scan-form");
  const input = document.getElementById("scan-token");
  const box = document.getElementById("scan-result");
  const WORDS = { admitted: "ADMIT", already_admitted: "ALREADY ADMITTED", refused: "REFUSED", invalid: "NOT VALID" };

  function localTime(iso) {
    // The admission's instant on this phone's clock: "already admitted at 10:12".
    const ms = Date.parse(iso || "");
    if (!/T/.test(iso || "") || Number.isNaN(ms)) return null;
    return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  function show(kind, name, detail) {
    box.className = `verdict ${kind}`;
    document.getElementById("scan-word").textContent = WORDS[kind];
    document.getElementById("scan-name").textContent = name;
    document.getElementById("scan-detail").textContent = detail;
    box.hidden = false;
    const line = el("li", { class: kind }, `${new Date().toLocaleTimeString([], { hourCycle: "h23" })} ${WORDS[kind]} ${name}`);
    const log = document.getElementById("scan-log");
    log.insertBefore(line, log.firstChild);
  }

  function verdict(status, body) {
    if (body && body.outcome) {
      const who = [body.name, body.title, body.country_name].filter(Boolean).join(" — ");
      const at = body.outcome === "already_admitted" ? localTime(body.admitted_at) : null;
      show(body.outcome, who, at ? `already admitted at ${at}` : body.detail);
      return;
    }
    const detail = body && typeof body.detail === "string" ? body.detail : `the service answered ${status}`;
    show("invalid", "", detail);
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    input.value = "";
    input.focus();
    if (!token) return;
    try {
      const r = await api("/api/guests/badges/scan", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }),
      });
      let body = null;
      try { body = await r.json(); } catch (e) { body = null; }
      verdict(r.status, body);
    } catch (e) {
      show("invalid", "", "no connection to the service: scan again");
    }
  });
})();
