// Signing out. Check-ins still queued on this phone are sent first; what cannot be sent
// is never dropped without asking. Then the session ends on the server (its token stops
// working everywhere) and what this browser keeps for the service goes: the service
// worker's cache, its registration, the queue and the plan copies in localStorage.
"use strict";
(function () {
  const form = document.getElementById("sign-out");
  if (!form) return;
  const plural = (n) => (n === 1 ? "1 check-in has" : `${n} check-ins have`);

  async function forgetThisBrowser() {
    Queue.forgetEverything();
    if ("serviceWorker" in navigator) {
      for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
    }
    if ("caches" in window) for (const name of await caches.keys()) await caches.delete(name);
  }

  async function signOut() {
    const outcome = await Queue.sendEverywhere();
    const left = Queue.unsentEverywhere();
    if (left > 0 && outcome === "offline") {
      alert(`${plural(left)} not reached the service: this phone is offline. ` +
        "Signing out needs the network; nothing was discarded. Try again when online.");
      return;
    }
    if (left > 0 && !confirm(`${plural(left)} not been accepted by the service. ` +
        "Signing out discards them from this phone. Sign out anyway?")) return;
    let r;
    try {
      r = await api("/logout", { method: "POST" });
    } catch (e) {
      alert("Signing out needs the network; you are still signed in.");
      return;
    }
    if (!r.ok) { alert(`The service refused to sign you out (${r.status}); reload and try again.`); return; }
    await forgetThisBrowser();
    location.assign("/login");
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try { await signOut(); } finally { button.disabled = false; }
  });
})();
