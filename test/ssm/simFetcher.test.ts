import { SSMClient } from '@aws-sdk/client-ssm';
import { ssmTargetOf, startSimulation, type Simulation, type TaskSpec } from '../../sim';
import { createAwsSsmPort } from '../../src/scrape/awsSsm';
import type { ScrapeError } from '../../src/scrape/errors';
import type { ScrapeBody } from '../../src/scrape/httpScraper';
import type { Result } from '../../src/result';
import { ssmErrorCode } from '../../src/scrape/ssmErrors';
import { createSsmFetcher } from '../../src/scrape/ssmFetcher';
import type { SsmPort } from '../../src/scrape/ssmPort';

const TIMEOUT_MS = 500;

/** Numbers change between scrapes (counters rise, gostats lists each GC pause); the rest must be identical. */
const shape = (body: string): string => body.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N').replace(/\[N(,N)*\]/g, '[N]');

/** An SsmPort that records the AWS error codes its calls threw. */
function recording(port: SsmPort): SsmPort & { codes: string[] } {
  const codes: string[] = [];
  const watch = async <T>(p: Promise<T>): Promise<T> => p.catch((e: unknown) => Promise.reject((codes.push(ssmErrorCode(e)), e)));
  return {
    codes,
    sendCommand: (req, signal) => watch(port.sendCommand(req, signal)),
    getCommandInvocation: (id, instance, signal) => watch(port.getCommandInvocation(id, instance, signal)),
  };
}

describe('ssm fetcher end to end: real SSMClient, simulated SSM running the script with bash on each instance', () => {
  let sim: Simulation;
  let client: SSMClient;
  const bridge = (instance: number, kind: TaskSpec['kind'], family: string): TaskSpec => ({ family, service: family, networkMode: 'bridge', instance, kind });

  beforeAll(async () => {
    sim = await startSimulation({
      clusters: [
        {
          name: 'ssm',
          instances: [{ address: '127.0.2.1' }, { address: '127.0.2.2' }, { address: '127.0.2.3' }, { address: '127.0.2.4' }],
          tasks: [
            bridge(0, 'gostats', 'api'),
            bridge(0, 'prometheus', 'web'),
            { family: 'worker', service: 'worker', networkMode: 'host', instance: 0, kind: 'plugin', path: '/plugin/metrics' },
            bridge(0, 'html', 'proxy'),
            bridge(0, 'refuse', 'legacy'),
            bridge(0, 'hang', 'stuck'),
            bridge(1, 'prometheus', 'web2'),
            bridge(1, 'gostats', 'api2'),
            bridge(2, 'gostats', 'offline'),
            bridge(3, 'gostats', 'unmanaged'),
            { family: 'edge', service: 'edge', networkMode: 'awsvpc', launchType: 'FARGATE', eniAddress: '127.0.4.30', kind: 'prometheus' },
          ],
        },
      ],
    });
    const env = sim.env;
    client = new SSMClient({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_SSM,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await sim.stop();
  });

  it('returns every target the body its service serves, and a reason per target for every failure', async () => {
    // Prepare
    const [, , offline, unmanaged] = sim.instances();
    sim.ssm.setAgent(offline?.instanceId ?? '', 'offline');
    sim.ssm.setAgent(unmanaged?.instanceId ?? '', 'unmanaged');
    sim.ssm.invisibleMs = 150;
    const port = recording(createAwsSsmPort(client));
    const fetcher = createSsmFetcher({ ssm: port, timeoutMs: TIMEOUT_MS, maxBodyBytes: 1_000_000, pollIntervalMs: 30, maxPollIntervalMs: 200 });
    const tasks = sim.tasks();
    const results = new Map<string, Result<ScrapeBody, ScrapeError>[]>();

    // Act
    await fetcher.fetchEach(tasks.map(ssmTargetOf), (t, r) => results.set(t.family, [...(results.get(t.family) ?? []), r]));

    // Assess
    expect([...results.values()].every((r) => r.length === 1)).toBe(true);
    const one = (family: string) => results.get(family)?.[0];
    for (const task of tasks.filter((t) => ['gostats', 'prometheus', 'plugin', 'html'].includes(t.kind) && t.instanceId && !['offline', 'unmanaged'].includes(t.family))) {
      const served = await (await fetch(`http://${task.address}:${task.hostPort}${task.path}`)).text();
      const got = one(task.family);
      expect(got).toMatchObject({ ok: true, value: { status: 200, bytes: expect.any(Number) } });
      expect(got?.ok && shape(got.value.body)).toBe(shape(served));
      if (task.kind === 'html') expect(got?.ok && got.value.body).toBe(served);
    }
    const legacy = tasks.find((t) => t.family === 'legacy');
    expect(one('legacy')).toMatchObject({ ok: false, error: { kind: 'refused', message: `connection refused (127.0.0.1:${legacy?.hostPort} on ${legacy?.instanceId})` } });
    expect(one('stuck')).toMatchObject({ ok: false, error: { kind: 'timeout', message: `timed out after ${TIMEOUT_MS} ms` } });
    expect(one('offline')).toMatchObject({ ok: false, error: { kind: 'network', message: `SSM command Failed (Undeliverable) on ${offline?.instanceId}` } });
    expect(one('unmanaged')).toMatchObject({ ok: false, error: { message: expect.stringContaining(`instance ${unmanaged?.instanceId} is not managed by SSM (InvalidInstanceId)`) } });
    expect(one('edge')).toMatchObject({ ok: false, error: { kind: 'address-not-allowed', message: expect.stringMatching(/^no EC2 instance \(Fargate\)/) } });
    // InvalidInstanceId fails a whole SendCommand: [A B C D] → [A B] ok, [C D] → [C] ok, [D] refused.
    expect(sim.calls()['ssm:SendCommand']).toBe(5);
    expect(port.codes.filter((c) => c === 'InvalidInstanceId')).toHaveLength(3);
    // Polled before the invocations were visible: retried, not failed.
    expect(port.codes).toContain('InvocationDoesNotExist');
  });

  it('fails the targets of a command that outlived its execution timeout as timed out', async () => {
    // Prepare: curl would wait 5 s for the hanging service; the command may run 1 s.
    const stuck = sim.tasks().filter((t) => t.family === 'stuck' || t.family === 'api');
    const fetcher = createSsmFetcher({ ssm: createAwsSsmPort(client), timeoutMs: 5000, maxBodyBytes: 1_000_000, executionTimeoutS: 1, pollIntervalMs: 50 });
    const results: Result<ScrapeBody, ScrapeError>[] = [];

    // Act
    await fetcher.fetchEach(stuck.map(ssmTargetOf), (_t, r) => results.push(r));

    // Assess
    const message = `SSM command TimedOut (Execution Timed Out) on ${stuck[0]?.instanceId}`;
    expect(results).toEqual([0, 1].map(() => ({ ok: false, error: expect.objectContaining({ kind: 'timeout', message }) })));
  });
});
