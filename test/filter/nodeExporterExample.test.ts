/**
 * The README's worked example ("Metric names in Mackerel", choosing what is posted), computed through the real
 * parser and filters from a recorded node_exporter 1.5.0 body (test/fixtures/prometheus, two scrapes 15 s apart
 * so the counters post rates): about 500 names unfiltered, a few dozen with the example's patterns.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DROP_OVER_MAX_NAMES } from '../../src/filter/metricFilter';
import { createCounterStore } from '../../src/pipeline/state';
import { parseTarget, type TargetOutcome } from '../../src/pipeline/targetWork';
import type { Target } from '../../src/types';

/** The README's patterns, verbatim. */
const README_INCLUDE =
  'node_(cpu_seconds_total|load(1|5|15)|memory_(MemTotal|MemAvailable|Buffers|Cached|SwapTotal|SwapFree)_bytes' +
  '|filesystem_(avail_bytes|size_bytes|files_free)|network_(receive|transmit)_(bytes|packets|errs|drop)_total' +
  '|disk_(read|written)_bytes_total|disk_(reads|writes)_completed_total|disk_io_time_seconds_total' +
  '|procs_(running|blocked)|context_switches_total|pressure_.*)\\..*';
const README_EXCLUDE = 'node_cpu_seconds_total\\..*_(nice|irq|softirq|steal)|.*\\.(lo|ifb[0-9]+|veth.*|docker[0-9]*|zram[0-9]+)|.*tmpfs.*';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'prometheus');
const KEY = 'node-exporter-3f2a9c1e';

const target = (fields: Partial<Target>): Target => ({
  id: `prod/3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b/node-exporter:9100`, cluster: 'prod', service: 'node-exporter', family: 'node-exporter',
  revision: 1, taskId: '3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b', taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/3f2a9c1e5b7d4e6f8a9b0c1d2e3f4a5b',
  containerName: 'node-exporter', launchType: 'EC2', networkMode: 'host', ec2InstanceId: 'i-0aa11bb22cc33dd44', address: '127.0.1.5',
  port: 9100, containerPort: 9100, path: '/metrics', format: 'prometheus', prefix: 'prometheus', ...fields,
});

async function secondScrape(t: Target, maxNamesPerTarget: number): Promise<Extract<TargetOutcome, { kind: 'ok' }>> {
  const counters = createCounterStore();
  let outcome: TargetOutcome | undefined;
  for (const [i, file] of ['node_exporter-1.txt', 'node_exporter-2.txt'].entries()) {
    const body = readFileSync(path.join(FIXTURES, file), 'utf8');
    outcome = await parseTarget(t, { hostId: 'host-a1', key: KEY }, { ok: true, value: { body, bytes: body.length, status: 200, durationMs: 1 } }, { counters, nowS: 1_767_225_600 + i * 15, maxNamesPerTarget });
  }
  if (outcome?.kind !== 'ok') throw new Error('expected the recorded body to parse');
  return outcome;
}

const namesOf = (o: { values: readonly { name: string }[] }) => o.values.map((v) => v.name.slice(`custom.prometheus.${KEY}.`.length)).sort();

describe('README example: a node_exporter target filtered to fit one host', () => {
  it('unfiltered, posts the first 200 names in name order: go_* internals in, eth0 traffic out', async () => {
    // Act
    const outcome = await secondScrape(target({}), 200);

    // Assess
    const names = namesOf(outcome);
    expect(names).toHaveLength(200);
    expect(outcome.dropped.find((d) => d.reason === DROP_OVER_MAX_NAMES)?.count).toBeGreaterThan(250);
    expect(names.filter((n) => n.startsWith('go_')).length).toBeGreaterThan(20);
    expect(names).not.toContain('node_network_receive_bytes_total.eth0');
  });

  it("with the README's include and exclude, posts the few dozen names that matter, eth0 traffic included", async () => {
    // Act
    const outcome = await secondScrape(target({ include: README_INCLUDE, exclude: README_EXCLUDE }), 200);

    // Assess
    const names = namesOf(outcome);
    expect(names.length).toBeLessThanOrEqual(60);
    expect(names).toEqual(expect.arrayContaining(['node_cpu_seconds_total.0_user', 'node_load1.value', 'node_memory_MemAvailable_bytes.value', 'node_network_receive_bytes_total.eth0', 'node_disk_read_bytes_total.vda']));
    expect(names.filter((n) => /\.(lo|ifb\d+|zram\d+)$|_(nice|irq|softirq|steal)$|^go_|^node_scrape_/.test(n))).toEqual([]);
    expect(outcome.dropped.find((d) => d.reason === DROP_OVER_MAX_NAMES)).toBeUndefined();
  });
});
