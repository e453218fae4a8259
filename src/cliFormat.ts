import type { CycleSummary } from './pipeline/collect';
import type { Issue, MetricValue, Target } from './types';
import { metricKey } from './mackerel/naming';

/** Pads columns to a plain-text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The `discover` table: one row per target, then what was skipped. */
export function formatTargetTable(targets: readonly Target[], skipped: readonly Issue[]): string {
  const rows = targets.map((t) => [
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
  ]);
  const parts = [
    table(['CLUSTER', 'SERVICE', 'TASK KEY', 'CONTAINER', 'MODE', 'INSTANCE', 'ADDRESS', 'PATH', 'FORMAT', 'PREFIX'], rows),
    `${targets.length} target(s)`,
  ];
  if (skipped.length > 0) parts.push('', `skipped (${skipped.length}):`, ...skipped.map((s) => `  ${s.target}: ${s.reason}`));
  return parts.join('\n');
}

/** Dry-run output: one metric value per line, as it would be posted. */
export function formatValues(values: readonly MetricValue[]): string {
  return table(
    ['HOST', 'NAME', 'VALUE', 'TIME'],
    values.map((v) => [v.hostId, v.name, String(v.value), String(v.time)]),
  );
}

/** The human form of a cycle summary. */
export function formatSummary(s: CycleSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run: ' : ''}${s.targets} target(s), ${s.scraped} scraped, ${s.samples} sample(s), ${s.posted} posted, ${s.graphDefs} graph definition(s), ${s.hosts} host(s), ${s.durationMs} ms`,
  ];
  if (s.skipped.length > 0) lines.push(`skipped (${s.skipped.length}):`, ...s.skipped.map((i) => `  ${i.target}: ${i.reason}`));
  if (s.failed.length > 0) lines.push(`failed (${s.failed.length}):`, ...s.failed.map((i) => `  ${i.target}: ${i.reason}`));
  const dropped = Object.entries(s.dropped);
  if (dropped.length > 0) lines.push('dropped samples:', ...dropped.map(([r, n]) => `  ${r}: ${n}`));
  return lines.join('\n');
}
