// The tribune's badge scan: send what the scanner typed, show the verdict large, be ready
// for the next badge at once (the field is cleared and keeps the focus).
"use strict";
(function () {
  const form = document.getElementById("scan-form");
  const input = document.getElementById("scan-token");
  const box = document.getElementById("scan-result");
  const WORDS = { admitted: "ADMIT", already_admitted: "ALREADY ADMITTED", refused: "REFUSED", invalid: "NOT VALID" };

  function show(kind, name, detail) {
    box.className = `verdict ${kind}`;
    document.getElementById("scan-word").textContent = WORDS[kind];
    document.getElementById("scan-name").textContent = name;
    document.getElementById("scan-detail").textContent = detail;
    box.hidden = false;
    // Newest first, without a time: the phone's clock need not be the parade's.
    const line = el("li", { class: kind }, `${WORDS[kind]} ${name}`.trim());
    const log = document.getElementById("scan-log");
    log.insertBefore(line, log.firstChild);
  }

  function verdict(status, body) {
    if (body && body.outcome) {
      const who = [body.name, body.title, body.country_name].filter(Boolean).join(" — ");
      // The service words the time with the offset it was recorded in ("already admitted at
      // 09:50 (UTC+03:00)"), never this phone's zone, which may not be the parade's.
      show(body.outcome, who, body.detail);
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
