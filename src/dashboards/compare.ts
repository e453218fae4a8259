import type { DashboardBody, ExistingDashboard } from '../mackerel/dashboardClient';

/**
 * Whether an existing dashboard already shows what a body would write, so that an unchanged service costs
 * no PUT (and no `updatedAt` churn). The API echoes back what was posted plus fields of its own: graph
 * widgets come back with `referenceLines: []` when none is set (API docs, dashboards). So a field the body
 * does not have is ignored when it is empty (`null`, `[]`, `{}`); a non-empty one (a `range` set by hand)
 * counts as a change and gets overwritten.
 */
export function sameDashboard(existing: ExistingDashboard, body: DashboardBody): boolean {
  if (existing.title !== body.title || existing.memo !== body.memo || existing.urlPath !== body.urlPath) return false;
  return existing.widgets !== undefined && covers(existing.widgets, body.widgets);
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

/** True when `have` equals `want`, apart from extra empty object fields in `have`. */
function covers(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(have[i], w));
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    const w = want as Record<string, unknown>;
    for (const key of Object.keys(w)) if (!covers(h[key], w[key])) return false;
    return Object.keys(h).every((key) => key in w || isEmpty(h[key]));
  }
  return Object.is(have, want);
}
