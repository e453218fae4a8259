/**
 * Micro benchmark of parse + name (pipeline/targetWork.parseTarget) per body kind, with tinybench:
 * `npx tsx bench/parse.bench.ts`. Bodies come from the simulator's sample services, plus synthetic Prometheus
 * bodies of 2,000 series (the per-target bound) and 10,000 series (five times over it: the cost of a target
 * that exposes far too much).
 */
import { Bench } from 'tinybench';
import { prometheusSource, gostatsSource, pluginTextSource } from '../sim/sampleBodies';
import { ok } from '../src/result';
import { createCounterStore } from '../src/pipeline/state';
import { parseTarget } from '../src/pipeline/targetWork';
import type { MetricFormat, Target } from '../src/types';

/** `families` gauges with `series` label values each: `families * series` lines plus HELP/TYPE. */
function syntheticPrometheus(families: number, series: number): string {
  const lines: string[] = [];
  for (let f = 0; f < families; f++) {
    lines.push(`# HELP app_family_${f} Synthetic gauge ${f}.`, `# TYPE app_family_${f} gauge`);
    for (let s = 0; s < series; s++) lines.push(`app_family_${f}{shard="s${s}",zone="z${s % 3}"} ${(f * series + s) * 1.5}`);
  }
  return `${lines.join('\n')}\n`;
}

function target(format: MetricFormat): Target {
  return {
    id: `bench/0123456789abcdef0123456789abcdef/app:8080/${format}`,
    cluster: 'bench',
    service: 'svc-0000',
    family: 'svc-0000',
    revision: 1,
    taskId: '0123456789abcdef0123456789abcdef',
    taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/bench/0123456789abcdef0123456789abcdef',
    containerName: 'app',
    launchType: 'EC2',
    networkMode: 'bridge',
    ec2InstanceId: 'i-0a510000000000001',
    address: '127.1.0.1',
    port: 32768,
    containerPort: 8080,
    path: format === 'gostats' ? '/api/stats' : '/metrics',
    format,
    prefix: format,
  };
}

async function main(): Promise<void> {
  const bodies: { name: string; format: MetricFormat; body: string }[] = [
    { name: 'gostats (sample service)', format: 'gostats', body: gostatsSource(1)() },
    { name: 'plugin text (sample service)', format: 'plugin', body: pluginTextSource(1)() },
    { name: 'prometheus (prom-client sample)', format: 'prometheus', body: await prometheusSource(1).body() },
    { name: 'prometheus 2,000 series', format: 'prometheus', body: syntheticPrometheus(40, 50) },
    { name: 'prometheus 10,000 series', format: 'prometheus', body: syntheticPrometheus(200, 50) },
  ];
  const bench = new Bench({ name: 'parse + name per body', time: 500 });
  for (const { name, format, body } of bodies) {
    const t = target(format);
    const counters = createCounterStore();
    let now = 1_767_225_600;
    const scraped = ok({ body, bytes: Buffer.byteLength(body), status: 200, durationMs: 1 });
    // A later second each call, so that counters take the rate/diff path rather than "too soon".
    bench.add(`${name} · ${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB`, async () => {
      const out = await parseTarget(t, { hostId: 'hostid', key: 'api-3f2a9c1e' }, scraped, { counters, nowS: now++ });
      if (out.kind !== 'ok') throw new Error(`${name}: ${out.reason}`);
    });
  }
  await bench.run();
  console.log(bench.name);
  console.table(bench.table());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
