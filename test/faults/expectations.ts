/** Shared by the fault tests: the failed checks of a row, as readable lines (empty when the row passed). */
import type { Row } from '../../faults/types';

/** `✗ what (detail)` per failed check; a needs-durable-state row is not expected here. */
export function failedChecks(row: Row): string[] {
  return row.checks.filter((c) => !c.ok).map((c) => `✗ ${c.what}${c.detail ? ` (${c.detail})` : ''}`);
}
