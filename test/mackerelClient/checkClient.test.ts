import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';
import { buildCheckReports, type CheckHost, type CheckReport, type CheckStatus } from '../../src/checks/report';
import { CriticalError } from '../../src/errors';
import { createCheckClient, type CheckPort } from '../../src/mackerel/checkClient';
import { MackerelError } from '../../src/mackerel/errors';
import type { Result } from '../../src/result';
import { startServer, type LoopbackServer } from '../scrape/loopbackServer';

const KEY = 'check-key-0123456789SECRET';
const PATH = '/api/v0/monitoring/checks/report';

function failure<T, E>(result: Result<T, E>): E {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('createCheckClient against the Mackerel receiver', () => {
  let receiver: MackerelReceiver;
  const hostIds: string[] = [];
  const client = (apiKey = KEY, baseUrl = receiver.url): CheckPort =>
    createCheckClient({ apiKey, baseUrl, timeoutMs: 1000, baseDelayMs: 1, maxDelayMs: 5 });
  const nowS = (): number => Math.floor(Date.now() / 1000);
  const report = (hostId: string, name: string, status: CheckStatus = 'OK', occurredAt = nowS()): CheckReport => ({
    source: { type: 'host', hostId }, name, status, message: `${status} from a test`, occurredAt, maxCheckAttempts: 2,
  });
  const posts = (): string[] => receiver.requests().filter((r) => r.path === PATH).map((r) => `POST ${r.status}`);

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: KEY });
    for (let i = 1; i <= 3; i++) hostIds.push(receiver.addHost(`i-0d00000000000000${i}`, `127.0.3.${i}`).id);
    receiver.addHost('i-0d0000000000000ff', '127.0.3.255');
    receiver.retireHost('i-0d0000000000000ff');
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('posts reports as {"reports":[…]} in requests of at most 100', async () => {
    // Prepare
    const reports = Array.from({ length: 250 }, (_, i) => report(hostIds[i % 3] ?? '', `check-${i}`));

    // Act
    const result = await client().postCheckReports(reports);

    // Assess
    expect(result).toEqual({ ok: true, value: undefined });
    expect(posts()).toEqual(['POST 200', 'POST 200', 'POST 200']);
    expect(receiver.checkReports().map(({ ignored: _i, ...r }) => r)).toEqual(reports);
  });

  it('sends nothing for no reports', async () => {
    expect((await client().postCheckReports([])).ok).toBe(true);
    expect(receiver.requests()).toEqual([]);
  });

  it('still delivers the other reports when one names a retired host, and says how many were not posted', async () => {
    // Prepare
    const retired = receiver.hostByInstance('i-0d0000000000000ff')?.id ?? '';
    const reports = [...hostIds.map((h) => report(h, 'ecs-tasks')), report(retired, 'ecs-tasks'), report(hostIds[0] ?? '', 'other')];

    // Act
    const error = failure(await client().postCheckReports(reports));

    // Assess
    expect(error).toBeInstanceOf(MackerelError);
    expect(error).not.toBeInstanceOf(CriticalError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^1 of 5 check reports not posted: .*unknown or retired hostId/);
    expect(receiver.checkReports().map((r) => r.source.hostId).sort()).toEqual([...hostIds, hostIds[0]].sort());
  });

  it('returns a critical MackerelAuthError on 401 and stops sending', async () => {
    // Prepare
    const reports = Array.from({ length: 150 }, (_, i) => report(hostIds[0] ?? '', `c${i}`));

    // Act
    const error = failure(await client('wrong-key').postCheckReports(reports));

    // Assess
    expect(error).toBeInstanceOf(CriticalError);
    expect(error.name).toBe('MackerelAuthError');
    expect(posts()).toEqual(['POST 401']);
  });

  it('retries a 503 and then succeeds', async () => {
    // Prepare
    receiver.failNext(PATH, 503, 2);

    // Act
    const result = await client().postCheckReports([report(hostIds[0] ?? '', 'ecs-tasks')]);

    // Assess
    expect(result.ok).toBe(true);
    expect(posts()).toEqual(['POST 503', 'POST 503', 'POST 200']);
  });

  it('stops after a batch that keeps failing with 5xx instead of hammering an unavailable API', async () => {
    // Prepare
    receiver.failNext(PATH, 500, 100);
    const reports = Array.from({ length: 250 }, (_, i) => report(hostIds[0] ?? '', `c${i}`));

    // Act
    const error = failure(await client().postCheckReports(reports));

    // Assess
    expect(error.message).toMatch(/^250 of 250 check reports not posted: .*HTTP 500/);
    expect(posts()).toEqual(['POST 500', 'POST 500', 'POST 500', 'POST 500']);
  });

  it('opens the host check alert after maxCheckAttempts failing cycles and closes it when the tasks are gone', async () => {
    // Prepare: a host whose only target times out, cycle after cycle, then stops
    const host = hostIds[1] ?? '';
    const failing: CheckHost[] = [{ hostId: host, targets: [{ targetId: 'prod/3f2a9c1e/app:8080', taskId: '3f2a9c1e', containerName: 'app', family: 'api', failure: { stage: 'scrape', kind: 'timeout', reason: 'timed out' } }] }];
    let state = new Map<string, CheckStatus>();
    const cycle = async (hosts: CheckHost[], at: number): Promise<void> => {
      const plan = buildCheckReports(hosts, state, { failureStatus: 'CRITICAL', maxCheckAttempts: 3, nowS: at });
      state = plan.next;
      expect((await client().postCheckReports(plan.reports)).ok).toBe(true);
    };
    const start = nowS() - 600;

    // Act / Assess
    await cycle(failing, start);
    await cycle(failing, start + 60);
    expect(receiver.checkAlert(host, 'ecs-tasks')).toMatchObject({ open: false, consecutiveFailures: 2 });
    await cycle(failing, start + 120);
    expect(receiver.checkAlert(host, 'ecs-tasks')).toMatchObject({ open: true, status: 'CRITICAL' });
    await cycle([], start + 180);
    expect(receiver.checkAlert(host, 'ecs-tasks')).toMatchObject({ open: false, status: 'OK' });
    expect(receiver.checkReports().at(-1)?.message).toBe('no targets left on this host');
    expect(state.size).toBe(0);
  });
});

describe('createCheckClient against a server that answers 200 without {"success":true}', () => {
  let server: LoopbackServer;
  afterEach(() => server.close());

  it('treats the answer as a failure: it does not prove the reports arrived', async () => {
    // Prepare
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>proxy</html>');
    });
    const c = createCheckClient({ apiKey: KEY, baseUrl: server.baseUrl, timeoutMs: 1000, baseDelayMs: 1, maxDelayMs: 5 });

    // Act
    const error = failure(await c.postCheckReports([{ source: { type: 'host', hostId: 'H' }, name: 'n', status: 'OK', message: '', occurredAt: 1767225600 }]));

    // Assess
    expect(error.message).toMatch(/1 of 1 check reports not posted: .*expected \{"success":true\}/);
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ reports: [expect.objectContaining({ name: 'n' })] });
  });
});
