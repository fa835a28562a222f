// What a marshal's checkpoint expects: the units due next first, each with its expected
// time, and which have passed. From the control room's stream when online; the phone keeps
// the last times it heard (localStorage) so that the order and the times survive offline.
"use strict";
const Due = (function () {
  // Units shown as "due next"; the rest of those not passed follow them.
  const NEXT = 3;
  // A unit whose tail passed stays in the list this long (its tap may still be undone) [ms].
  const KEEP_PASSED_MS = 60 * 1000;

  // The control room's document reduced to what a checkpoint needs: per unit and checkpoint
  // [head ms, tail ms, head seen, tail seen] (times as instants, projected where not seen).
  function times(doc) {
    const ref = Date.parse(doc.reference), units = {};
    const ms = (u, v) => typeof v === "number" ? ref + (u.anchor_s + v) * 1000 : Date.parse(v);
    for (const u of Object.values(doc.units || {})) {
      const by = {};
      for (const p of Object.values(u.passes || {})) {
        by[p.checkpoint] = [ms(u, p.head), ms(u, p.tail), !!p.head_observed, !!p.tail_observed];
      }
      units[u.id] = by;
    }
    return { timezone: doc.timezone, now: doc.now, units };
  }

  // What this phone recorded at the checkpoint (sent and not undone, or still queued):
  // {unit: {head: ms, tail: ms}} by the phone's own clock.
  function tapped(queued, sent, checkpoint) {
    const out = {};
    for (const c of queued.concat(sent)) {
      if (c.kind === "incident" || c.voided || c.checkpoint !== checkpoint) continue;
      const seen = out[c.unit] || (out[c.unit] = {});
      seen[c.part] = Math.min(seen[c.part] ?? Infinity, Date.parse(c.at));
    }
    return out;
  }

  // The plan's units at the checkpoint, each part in the order expected: due next, passed
  // in the last minute (still undoable), the later ones, and those folded away.
  function split(units, known, checkpoint, mine, phoneNow) {
    const rows = units.map((u, order) => {
      const t = (known && known.units[u.id] && known.units[u.id][checkpoint]) || null;
      const me = mine[u.id] || {};
      return { id: u.id, name: u.name, order, head: t ? t[0] : NaN, tail: t ? t[1] : NaN,
        headDone: !!(t && t[2]) || me.head !== undefined, tailDone: !!(t && t[3]) || me.tail !== undefined,
        tailAt: me.tail };
    });
    rows.sort((a, b) => (Number.isNaN(a.head) || Number.isNaN(b.head) ? 0 : a.head - b.head) || a.order - b.order);
    // Passed by someone else, or by this phone more than a minute ago: folded away.
    const folded = (r) => r.tailDone && !(r.tailAt !== undefined && phoneNow - r.tailAt < KEEP_PASSED_MS);
    const open = rows.filter((r) => !folded(r));
    const waiting = open.filter((r) => !r.tailDone);
    const due = new Set(waiting.slice(0, NEXT).map((r) => r.id));
    return {
      due: waiting.filter((r) => due.has(r.id)),
      recent: open.filter((r) => r.tailDone),
      later: waiting.filter((r) => !due.has(r.id)),
      passed: rows.filter(folded),
    };
  }

  return { NEXT, times, tapped, split };
})();
