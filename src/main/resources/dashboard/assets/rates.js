// Invocations per second and errors per second, derived from successive GET /info answers (invokeCount and
// errorCount deltas between two polls): the page keeps the last few answers' counts, nothing else.

/** How often the page polls GET /info (app.js): the rates' resolution. */
export const POLL_MS = 2000;
const KEEP = 91; // 3 minutes of polls

const snapshots = []; // {t: ms, counts: Map<name, [invocations, errors]>}

export function record(info, t = performance.now()) {
  const counts = new Map();
  for (const f of info.functions) counts.set(f.name, [f.invokeCount, f.errorCount]);
  snapshots.push({t, counts});
  if (snapshots.length > KEEP) snapshots.shift();
}

/** [{t, invocations, errors}] per second between successive polls, for one function or (name null) all of them. */
export function rates(name = null) {
  const points = [];
  for (let i = 1; i < snapshots.length; i++) {
    const before = snapshots[i - 1], after = snapshots[i];
    const seconds = (after.t - before.t) / 1000;
    if (seconds <= 0) continue;
    let invocations = 0, errors = 0;
    for (const [fn, [n, e]] of after.counts) {
      if (name !== null && fn !== name) continue;
      const [n0, e0] = before.counts.get(fn) ?? [0, 0];
      invocations += delta(n, n0);
      errors += delta(e, e0);
    }
    points.push({t: after.t, invocations: invocations / seconds, errors: errors / seconds});
  }
  return points;
}

/** A function deleted and deployed again counts from 0: a lower count is all new, not negative traffic. */
const delta = (now, before) => (now >= before ? now - before : now);

export const WINDOW_MS = (KEEP - 1) * POLL_MS;
