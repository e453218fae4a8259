/** Prints the fault suite's one table. */
import type { Row } from './types';

const HEADERS = ['fault', 'produced', 'accepted', 'lost', 'dup', 'peak RSS MiB', 'cycle ms', 'verdict'] as const;

const cell = (n: number | undefined): string => (n === undefined ? '-' : String(n));

/** The rows as an aligned text table, then one line per failed check (what the verdict rests on). */
export function formatTable(rows: readonly Row[]): string {
  const body = rows.map((r) => [r.fault, cell(r.produced), cell(r.accepted), cell(r.lost), cell(r.duplicated), String(r.peakRssMiB), String(r.cycleMs), r.verdict]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  const notes = rows.flatMap((r) => [
    ...r.checks.filter((c) => !c.ok).map((c) => `  ${r.fault}: ✗ ${c.what}${c.detail ? ` (${c.detail})` : ''}`),
    ...(r.note ? [`  ${r.fault}: ${r.note}`] : []),
  ]);
  return [...out, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
