/**
 * Name filters end to end, through the real CLI against the simulated cluster: tasks started with
 * `mackerel.metrics.include|exclude|max-names` labels post exactly the names their filters pass (compared with
 * an unfiltered twin task serving the same kind of body), `discover` shows each target's filters, a dry run says
 * what each filter dropped, and a pattern that does not compile skips its container with the label quoted.
 */
import type { Simulation, SimTask, TaskSpec } from '../../sim';
import { DROP_EXCLUDED, DROP_NOT_INCLUDED, DROP_OVER_MAX_NAMES } from '../../src/filter/metricFilter';
import type { CycleSummary } from '../../src/pipeline/collect';
import { collectorEnv, hostIdOf, reasonFor, runCli, startStandardSimulation, taskKey, type CliRun } from './harness';

const INCLUDE = 'runtime\\..*|memory\\..*|heap\\..*';
const EXCLUDE = 'memory\\.memory_sys|heap\\.heap_idle';
const CAP = 3;

let sim: Simulation;
let twin: SimTask;
let filtered: SimTask;
let capped: SimTask;
let broken: SimTask;

/** A gostats task on instance #0 (it has a Mackerel host) with its own prefix, so its graphs are its own. */
function gostatsTask(name: string, labels: Record<string, string>): TaskSpec {
  return {
    family: name,
    service: name,
    networkMode: 'bridge',
    instance: 0,
    kind: 'gostats',
    containerPort: 8080,
    labels: { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.format': 'gostats', 'mackerel.metrics.prefix': name, ...labels },
  };
}

beforeAll(async () => {
  sim = await startStandardSimulation();
  twin = await sim.startTask('prod', gostatsTask('twin', {}));
  filtered = await sim.startTask('prod', gostatsTask('filtered', { 'mackerel.metrics.include': INCLUDE, 'mackerel.metrics.exclude': EXCLUDE }));
  capped = await sim.startTask('prod', gostatsTask('capped', { 'mackerel.metrics.max-names': String(CAP) }));
  broken = await sim.startTask('prod', gostatsTask('broken', { 'mackerel.metrics.include': 'runtime\\.(?=goroutine).*' }));
});
afterAll(() => sim.stop());

async function cli(args: readonly string[], extra: Record<string, string> = {}): Promise<CliRun> {
  sim.receiver.reset();
  return runCli(args, collectorEnv(sim, extra));
}

/** The `<graph>.<metric>` parts of the names that landed for a task. */
function landedNames(task: SimTask, prefix: string): string[] {
  const head = `custom.${prefix}.${taskKey(task)}.`;
  return sim.receiver
    .posted()
    .filter((v) => v.name.startsWith(head) && v.hostId === hostIdOf(sim, task))
    .map((v) => v.name.slice(head.length))
    .sort();
}

const whole = (source: string) => new RegExp(`^(?:${source})$`);

describe('collect with name filters', () => {
  let summary: CycleSummary;
  let reference: string[];

  beforeAll(async () => {
    const run = await cli(['collect', '--json']);
    expect(run.code).toBe(0);
    summary = JSON.parse(run.stdout) as CycleSummary;
    reference = landedNames(twin, 'twin');
  });

  it('posts every name of the unfiltered twin (the reference)', () => {
    expect(reference).toEqual(expect.arrayContaining(['runtime.goroutine_num', 'memory.memory_sys', 'heap.heap_idle', 'gc.gc_per_second']));
  });

  it('posts exactly the names include matches in full, minus those exclude matches', () => {
    const expected = reference.filter((n) => whole(INCLUDE).test(n) && !whole(EXCLUDE).test(n));
    expect(landedNames(filtered, 'filtered')).toEqual(expected);
    expect(expected).toContain('memory.memory_alloc');
    expect(expected).not.toContain('memory.memory_sys');
  });

  it('posts the first max-names names in name order for a capped target', () => {
    expect(landedNames(capped, 'capped')).toEqual(reference.slice(0, CAP));
  });

  it('counts what each filter dropped in the summary', () => {
    expect(summary.dropped[DROP_NOT_INCLUDED]).toBe(reference.filter((n) => !whole(INCLUDE).test(n)).length);
    expect(summary.dropped[DROP_EXCLUDED]).toBe(reference.filter((n) => whole(INCLUDE).test(n) && whole(EXCLUDE).test(n)).length);
    expect(summary.dropped[DROP_OVER_MAX_NAMES]).toBe(reference.length - CAP);
  });

  it('announces no graph whose every name was filtered, and lists only the metrics that may be posted', () => {
    const defs = new Map(sim.receiver.graphDefs().filter((d) => d.name.startsWith('custom.filtered.')).map((d) => [d.name, d.metrics.map((m) => m.name)]));
    expect([...defs.keys()].sort()).toEqual(['custom.filtered.#.heap', 'custom.filtered.#.memory', 'custom.filtered.#.runtime']);
    expect(defs.get('custom.filtered.#.memory')).not.toContain('custom.filtered.#.memory.memory_sys');
  });

  it('skips the container whose pattern does not compile, quoting the label, and posts nothing for it', () => {
    expect(reasonFor(summary.skipped, broken)).toBe(
      'label mackerel.metrics.include="runtime\\\\.(?=goroutine).*" is not a valid regular expression: lookahead is not supported: patterns run in linear time (RE2 syntax)',
    );
    expect(landedNames(broken, 'broken')).toEqual([]);
  });
});

describe('MAX_NAMES_PER_TARGET', () => {
  it('caps every target after its filters, while a max-names label still wins for its own target', async () => {
    // Act
    const run = await cli(['collect', '--json'], { MAX_NAMES_PER_TARGET: '4' });

    // Assess
    expect(run.code).toBe(0);
    expect(landedNames(twin, 'twin')).toHaveLength(4);
    expect((JSON.parse(run.stdout) as CycleSummary).dropped[DROP_OVER_MAX_NAMES]).toBeGreaterThan(0);
    const filteredNames = landedNames(filtered, 'filtered');
    expect(filteredNames).toHaveLength(4);
    expect(filteredNames.every((n) => whole(INCLUDE).test(n) && !whole(EXCLUDE).test(n))).toBe(true);
    expect(landedNames(capped, 'capped')).toHaveLength(CAP);
  });
});

describe('discover and collect --dry-run with name filters', () => {
  it("discover shows each target's filters under the table", async () => {
    // Act
    const run = await cli(['discover']);

    // Assess
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n');
    expect(rows[0]).toMatch(/\sFILTERS$/);
    const idOf = (task: SimTask) => rows.find((r) => r.includes(` ${taskKey(task)} `))?.trim().split(/\s+/).at(-1);
    const legend = (id: string | undefined) => rows.find((r) => r.startsWith(`  ${id ?? '?'}: `));
    expect(idOf(twin)).toBe('-');
    expect(legend(idOf(filtered))).toBe(`  ${idOf(filtered) ?? ''}: include=${JSON.stringify(INCLUDE)} exclude=${JSON.stringify(EXCLUDE)}`);
    expect(legend(idOf(capped))).toBe(`  ${idOf(capped) ?? ''}: max-names=${CAP}`);
  });

  it('a dry run posts nothing, prints only what the filters pass, and says what each filter dropped', async () => {
    // Act
    const run = await cli(['collect', '--dry-run']);

    // Assess
    expect(run.code).toBe(0);
    expect(sim.receiver.posted()).toEqual([]);
    expect(run.stdout).toContain(`custom.filtered.${taskKey(filtered)}.memory.memory_alloc`);
    expect(run.stdout).not.toContain(`custom.filtered.${taskKey(filtered)}.memory.memory_sys`);
    expect(run.stdout).not.toContain(`custom.filtered.${taskKey(filtered)}.gc.`);
    const section = run.stdout.slice(run.stdout.indexOf('not posted, by the name filters'));
    expect(section.split('\n').slice(1, 4)).toEqual([
      expect.stringMatching(/^ {2}not matched by mackerel\.metrics\.include: [1-9]\d*$/),
      expect.stringMatching(/^ {2}excluded by mackerel\.metrics\.exclude: 2$/),
      expect.stringMatching(/^ {2}over MAX_NAMES_PER_TARGET: [1-9]\d*$/),
    ]);
  });
});
