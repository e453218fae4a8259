/**
 * `npm run faults [filter…]`: runs every scenario in faults/scenarios (or those whose name or file contains
 * one of the filters) one after another against the simulator, prints one table, and exits 1 when any verdict
 * is FAIL. Each scenario starts and stops its own loopback world and is bounded in time.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { formatTable } from './table';
import type { Row, Scenario } from './types';

// Node 20 here, nodejs22.x on Lambda: the SDK's end-of-support notice is noise in the table.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Scenarios of one module: `scenarios` (a family) or `scenario`. */
function scenariosOf(mod: { scenario?: Scenario; scenarios?: readonly Scenario[] }): readonly Scenario[] {
  return mod.scenarios ?? (mod.scenario ? [mod.scenario] : []);
}

async function main(filters: readonly string[]): Promise<number> {
  const dir = path.join(__dirname, 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const rows: Row[] = [];
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- scenarios are discovered at run time
    const mod = require(path.join(dir, file)) as { scenario?: Scenario; scenarios?: readonly Scenario[] };
    for (const s of scenariosOf(mod)) {
      const wanted = filters.length === 0 || filters.some((f) => file.includes(f) || s.name.toLowerCase().includes(f.toLowerCase()));
      if (!wanted) continue;
      process.stdout.write(`… ${s.name}\n`);
      try {
        rows.push(await s.run());
      } catch (e) {
        const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        rows.push({ fault: s.name, peakRssMiB: 0, cycleMs: 0, verdict: 'FAIL', checks: [{ what: 'the scenario ran to its end', ok: false, detail }] });
      }
    }
  }
  process.stdout.write('\n' + formatTable(rows) + '\n');
  return rows.some((r) => r.verdict === 'FAIL') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`faults: ${String(e)}\n`);
    process.exit(1);
  },
);
