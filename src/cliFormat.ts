import { FILTER_DROP_REASONS } from './filter/metricFilter';
import type { CycleSummary } from './pipeline/collect';
import type { Issue, MetricValue, Target } from './types';
import { metricKey } from './mackerel/naming';

/** Example entries printed per `stage/kind` group; the rest are counted ("… and N more"). */
export const EXAMPLES_PER_GROUP = 5;

/** A reason longer than this is cut in the human output (an HTML error page can arrive as a reason). */
const REASON_MAX_CHARS = 300;

/** Pads columns to a plain-text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** What `discover` prints besides the targets: the lists of the discovery result. */
export interface DiscoveryReport {
  readonly targets: readonly Target[];
  readonly skipped: readonly Issue[];
  readonly failed: readonly Issue[];
  /** Clusters whose discovery failed entirely (missing, or ListTasks failed). */
  readonly discoveryFailed: readonly string[];
}

/** A target's name filters in one line (`include="…" exclude="…" max-names=N`), or `''` when it has none. */
export function describeFilters(t: Pick<Target, 'include' | 'exclude' | 'maxNames'>): string {
  return [
    t.include === undefined ? '' : `include=${JSON.stringify(t.include)}`,
    t.exclude === undefined ? '' : `exclude=${JSON.stringify(t.exclude)}`,
    t.maxNames === undefined ? '' : `max-names=${t.maxNames}`,
  ]
    .filter((p) => p !== '')
    .join(' ');
}

/**
 * Patterns can be long, so the table names each distinct set of filters (`F1`, `F2`, … in order of first
 * appearance; a service's tasks share one) and spells it out under the table. Empty when no target has any.
 */
function filterLegend(targets: readonly Target[]): Map<string, string> {
  const legend = new Map<string, string>();
  for (const t of targets) {
    const text = describeFilters(t);
    if (text !== '' && !legend.has(text)) legend.set(text, `F${legend.size + 1}`);
  }
  return legend;
}

/**
 * The `discover` table: one row per target, then what failed and what was skipped, grouped by `stage/kind`.
 * When some target has name filters, a FILTERS column refers to them and they are listed under the table.
 */
export function formatTargetTable(report: DiscoveryReport): string {
  const legend = filterLegend(report.targets);
  const rows = report.targets.map((t) => [
    t.cluster,
    t.service ?? `family:${t.family}`,
    metricKey(t, 'task'),
    t.containerName,
    t.networkMode,
    t.ec2InstanceId ?? '-',
    `${t.address}:${t.port}`,
    t.path,
    t.format,
    t.prefix,
    ...(legend.size === 0 ? [] : [legend.get(describeFilters(t)) ?? '-']),
  ]);
  const header = ['CLUSTER', 'SERVICE', 'TASK KEY', 'CONTAINER', 'MODE', 'INSTANCE', 'ADDRESS', 'PATH', 'FORMAT', 'PREFIX'];
  return [
    table(legend.size === 0 ? header : [...header, 'FILTERS'], rows),
    `${report.targets.length} target(s)`,
    ...filterLines(legend),
    ...discoveryFailedLines(report.discoveryFailed),
    ...groupedIssues('failed', report.failed),
    ...groupedIssues('skipped', report.skipped),
  ].join('\n');
}

/** Dry-run output: one metric value per line, as it would be posted. */
export function formatValues(values: readonly MetricValue[]): string {
  return table(
    ['HOST', 'NAME', 'VALUE', 'TIME'],
    values.map((v) => [v.hostId, v.name, String(v.value), String(v.time)]),
  );
}

/** The human form of a cycle summary: the counts, then failures and skips grouped by `stage/kind`. */
export function formatSummary(s: CycleSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run: ' : ''}${s.targets} target(s), ${s.scraped} scraped, ${s.samples} sample(s), ${s.posted} posted, ${s.graphDefs} graph definition(s), ${s.hosts} host(s), ${s.durationMs} ms`,
    ...discoveryFailedLines(s.discoveryFailed),
    ...groupedIssues('failed', s.failed, s.failedBy),
    ...groupedIssues('skipped', s.skipped, s.skippedBy),
  ];
  const isFilterReason = (r: string): boolean => (FILTER_DROP_REASONS as readonly string[]).includes(r);
  const dropped = Object.entries(s.dropped).filter(([r]) => !isFilterReason(r));
  if (dropped.length > 0) lines.push('dropped samples:', ...dropped.map(([r, n]) => `  ${r}: ${n}`));
  const filtered = FILTER_DROP_REASONS.flatMap((r) => {
    const n = s.dropped[r] ?? 0;
    return n > 0 ? [`  ${r}: ${n}`] : [];
  });
  if (filtered.length > 0) lines.push('not posted, by the name filters (include, then exclude, then the cap):', ...filtered);
  return lines.join('\n');
}

function filterLines(legend: ReadonlyMap<string, string>): string[] {
  if (legend.size === 0) return [];
  return [
    'filters (patterns match the whole <graph>.<metric> part of a name; "-": none, MAX_NAMES_PER_TARGET applies):',
    ...[...legend].map(([text, id]) => `  ${id}: ${text}`),
  ];
}

function discoveryFailedLines(clusters: readonly string[]): string[] {
  return clusters.length === 0 ? [] : [`discovery failed entirely for ${clusters.length} cluster(s): ${clusters.join(', ')} (their tasks were not seen)`];
}

/**
 * Issues grouped so that thousands of entries with a few root causes read as a few lines:
 * ```
 * failed (10000): scrape/timeout 9998, discovery/refused 2
 *   scrape/timeout (9998):
 *     prod/3f2a…/api:8080: timed out after 500 ms
 *     … and 9993 more
 * ```
 * Counts come from `by` (the summary's `failedBy`/`skippedBy`) when given, else from the list; groups are
 * ordered by count, largest first, and show at most `examples` entries each.
 */
export function groupedIssues(
  title: string,
  issues: readonly Issue[],
  by?: Readonly<Record<string, number>>,
  examples = EXAMPLES_PER_GROUP,
): string[] {
  const listed = new Map<string, Issue[]>();
  for (const i of issues) {
    const key = `${i.stage}/${i.kind}`;
    const group = listed.get(key);
    if (group) group.push(i);
    else listed.set(key, [i]);
  }
  const counts = new Map<string, number>(by ? Object.entries(by) : [...listed].map(([k, g]) => [k, g.length]));
  for (const [k, g] of listed) if (!counts.has(k)) counts.set(k, g.length);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const groups = [...counts].sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const lines = [`${title} (${total}): ${groups.map(([k, n]) => `${k} ${n}`).join(', ')}`];
  for (const [key, n] of groups) {
    const shown = (listed.get(key) ?? []).slice(0, examples);
    lines.push(`  ${key} (${n}):`, ...shown.map((i) => `    ${i.target}: ${cut(i.reason)}`));
    if (n > shown.length) lines.push(`    … and ${n - shown.length} more`);
  }
  return lines;
}

function cut(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  return oneLine.length <= REASON_MAX_CHARS ? oneLine : `${oneLine.slice(0, REASON_MAX_CHARS - 1)}…`;
}
