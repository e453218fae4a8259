import { startSimulation, standardScenario, type Simulation } from '../sim';
import { loadConfig, type Config } from '../src/config/config';
import { createLogger } from '../src/log';
import { collect, type CollectorDeps, type CycleSummary } from '../src/pipeline/collect';
import { refresh } from '../src/pipeline/refresh';
import { closeCollectorDeps, getCollectorDeps } from '../src/runtime';
import type { MetricValue } from '../src/types';

/** Everything the demo needs from its caller. */
export interface DemoOptions {
  readonly cycles: number;
  readonly write: (text: string) => void;
  /** Seconds between cycles: gostats per-minute diffs need two samples at least a second apart. */
  readonly intervalMs?: number;
}

const RULES = JSON.stringify([{ family: 'batch', port: 8080, format: 'gostats' }]);

/**
 * Starts the simulated cluster (ECS, EC2, Mackerel and sample services on loopback), runs the real collection
 * cycle against it a few times in one process (as a warm Lambda container does), and prints what landed in the
 * Mackerel receiver per host and task.
 */
export async function runDemo(opts: DemoOptions): Promise<void> {
  const sim = await startSimulation(standardScenario());
  const { write } = opts;
  try {
    // MACKEREL_SERVICE: the collector's health figures (ecs-collector.prod.*) and service totals land there too.
    const env = { ...sim.env, TARGET_RULES: RULES, SCRAPE_TIMEOUT_MS: '1000', LOG_LEVEL: 'error', MACKEREL_SERVICE: DEMO_SERVICE };
    // The SDK reads its endpoints and credentials from process.env, as in Lambda.
    Object.assign(process.env, env);
    const parsed = loadConfig(env);
    if (!parsed.ok) throw parsed.error;
    const config = parsed.value;
    // One process, several cycles: exactly a warm Lambda container (counter baselines and caches carry over).
    const deps = getCollectorDeps(config, config.mackerelApiKey, createLogger({ level: 'error' }));
    write(`simulated cluster "prod": ${sim.instances().length} instances, ${sim.tasks().length} tasks on 127.0.x.y`);
    write(`ECS ${sim.env.AWS_ENDPOINT_URL_ECS}  EC2 ${sim.env.AWS_ENDPOINT_URL_EC2}  Mackerel ${sim.env.MACKEREL_API_BASE}\n`);
    let last: CycleSummary | undefined;
    for (let cycle = 1; cycle <= opts.cycles; cycle++) {
      if (cycle > 1) await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1500));
      last = await demoCycle(`cycle ${cycle}`, sim, config, deps, write);
      if (cycle === opts.cycles) {
        for (const s of last.skipped) write(`  skipped ${s.target}: ${s.stage}/${s.kind}: ${s.reason}`);
        for (const f of last.failed) write(`  failed  ${f.target}: ${f.stage}/${f.kind}: ${f.reason}`);
      }
    }
    write('\nwhat landed in Mackerel (latest value per metric), per host and task:');
    write(landedReport(sim.receiver.posted(), sim.instances().map((i) => ({ ...i, hostId: sim.receiver.hostByInstance(i.instanceId)?.id }))));
    write(`\ngraph definitions posted: ${sim.receiver.graphDefs().map((d) => d.name).join(', ')}`);
    if (last) write(healthReport(sim, last));
    await deployment(sim, config, deps, write);
    await repair(sim, last, config, deps, opts, write);
  } finally {
    closeCollectorDeps();
    await sim.stop();
  }
}

/** The Mackerel service the demo posts service metrics and health figures to (the simulator knows it). */
const DEMO_SERVICE = 'ecs';

/** One collection cycle, its one-line summary, and the check each host was reported with. */
async function demoCycle(label: string, sim: Simulation, config: Config, deps: CollectorDeps, write: (text: string) => void): Promise<CycleSummary> {
  const before = sim.receiver.checkReports().length;
  const summary = await collect(config, deps);
  write(
    `${label}: ${summary.targets} targets, ${summary.scraped} scraped, ${summary.posted} values posted, ` +
      `${summary.skipped.length} skipped, ${summary.failed.length} failed`,
  );
  for (const r of sim.receiver.checkReports().slice(before)) {
    const alert = sim.receiver.checkAlert(r.source.hostId, r.name);
    const attempts = r.maxCheckAttempts ?? 1;
    const state =
      r.status === 'OK'
        ? alert && alert.opened > 0 ? 'alert closed' : 'no alert'
        : alert?.open ? `ALERT OPEN (${alert.consecutiveFailures} failing cycles, threshold ${attempts})` : `${alert?.consecutiveFailures ?? 0} of ${attempts} failing cycles before an alert`;
    write(`  check ${r.name} on host ${r.source.hostId}: ${r.status}, ${state}: ${r.message.length > 110 ? `${r.message.slice(0, 110)}…` : r.message}`);
  }
  return summary;
}

/** The collector's own figures as they landed in the Mackerel service (and as EMF in CloudWatch when deployed). */
function healthReport(sim: Simulation, summary: CycleSummary): string {
  const latest = new Map<string, number>();
  for (const m of sim.receiver.serviceMetrics()) if (m.name.startsWith('ecs-collector.')) latest.set(m.name, m.value);
  const lines = [`\nthe collector's own health in Mackerel service ${DEMO_SERVICE} (latest values):`];
  for (const [name, value] of [...latest].sort()) lines.push(`  ${name} = ${Number.isInteger(value) ? value : value.toFixed(3)}`);
  lines.push(`failures by stage/kind: ${Object.entries(summary.failedBy).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  return lines.join('\n');
}

/**
 * The failing tasks are stopped (as a rollback would): the next cycle reports their hosts OK again, which closes
 * any alert the failing cycles opened.
 */
async function repair(sim: Simulation, last: CycleSummary | undefined, config: Config, deps: CollectorDeps, opts: DemoOptions, write: (text: string) => void): Promise<void> {
  const failing = new Set((last?.failed ?? []).map((f) => f.target.split('/')[1]).filter((id): id is string => id !== undefined));
  const broken = sim.tasks().filter((t) => t.lastStatus === 'RUNNING' && failing.has(t.id));
  if (broken.length === 0) return;
  write(`\nthe ${broken.length} failing task(s) are stopped, as a rollback would: ${broken.map((t) => t.family).join(', ')}`);
  for (const t of broken) await sim.stopTask(t.arn);
  await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1500));
  await demoCycle('next cycle', sim, config, deps, write);
}

/**
 * A rolling deployment of service api, as ECS would do it: a new task starts on a new dynamic port, its ECS Task
 * State Change event reaches the refresh path (the refresh Lambda's code), then an old task stops.
 */
async function deployment(sim: Simulation, config: Config, deps: CollectorDeps, write: (text: string) => void): Promise<void> {
  const old = sim.tasks().find((t) => t.family === 'api' && t.lastStatus === 'RUNNING');
  if (!old) return;
  write('\ndeployment of service api: a new task starts, then an old one stops');
  const started = await sim.startTask('prod', {
    family: 'api',
    service: 'api',
    networkMode: 'bridge',
    instance: 0,
    kind: 'gostats',
    containerPort: 8080,
    labels: { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.format': 'gostats' },
  });
  const eventFor = (arn: string) => sim.events().filter((e) => e.detail.taskArn === arn).at(-1);
  const up = await refresh(config, deps, eventFor(started.arn));
  write(`  RUNNING event, task ${started.id.slice(0, 8)} on host port ${started.hostPort}: ${up.action}, ${up.posted} values posted in ${up.durationMs} ms`);
  const again = await refresh(config, deps, eventFor(started.arn));
  write(`  the same event delivered again: ${again.action}`);
  await sim.stopTask(old.arn);
  const down = await refresh(config, deps, eventFor(old.arn));
  write(`  STOPPED event, task ${old.id.slice(0, 8)}: ${down.action}`);
  const hostId = sim.receiver.hostByInstance(started.instanceId ?? '')?.id ?? '';
  const inventory = sim.receiver.metadata(hostId, 'ecs-tasks') as { tasks?: { service?: string; family: string; metricKey: string; containers: { hostPort?: number }[] }[] } | undefined;
  write(`  inventory on host ${hostId} (metadata namespace ecs-tasks):`);
  for (const t of inventory?.tasks ?? []) {
    write(`    ${t.service ?? t.family}  key ${t.metricKey}  host ports ${t.containers.map((c) => c.hostPort ?? '-').join(',')}`);
  }
}

function landedReport(values: readonly MetricValue[], instances: readonly { instanceId: string; hostId?: string; address: string }[]): string {
  const latest = new Map<string, MetricValue>();
  for (const v of values) latest.set(`${v.hostId} ${v.name}`, v);
  const byHost = new Map<string, Map<string, MetricValue[]>>();
  for (const v of latest.values()) {
    const nodes = v.name.split('.');
    const task = `${nodes[1]}.${nodes[2]}`;
    const tasks = byHost.get(v.hostId) ?? new Map<string, MetricValue[]>();
    tasks.set(task, [...(tasks.get(task) ?? []), v]);
    byHost.set(v.hostId, tasks);
  }
  const lines: string[] = [];
  for (const [hostId, tasks] of [...byHost].sort()) {
    const inst = instances.find((i) => i.hostId === hostId);
    lines.push(`host ${hostId} (${inst ? `${inst.instanceId}, ${inst.address}` : 'unknown instance'})`);
    for (const [task, vals] of [...tasks].sort()) {
      lines.push(`  custom.${task}.*  (${vals.length} metrics)`);
      for (const v of vals.sort((a, b) => a.name.localeCompare(b.name)).slice(0, 6)) {
        lines.push(`    ${v.name} = ${Number.isInteger(v.value) ? v.value : v.value.toFixed(3)}`);
      }
      if (vals.length > 6) lines.push(`    … ${vals.length - 6} more`);
    }
  }
  return lines.join('\n');
}
