import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';

const KEY = 'checks-key';
const errorMessage = (json: unknown): string => (json as { error: { message: string } }).error.message;

describe('Mackerel receiver: check reports', () => {
  let receiver: MackerelReceiver;
  let hostId: string;
  let retiredId: string;
  let clock: number;
  const now = (): number => Math.floor(Date.now() / 1000);

  const post = async (body: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${receiver.url}/api/v0/monitoring/checks/report`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(2000),
    });
    return { status: res.status, json: await res.json() };
  };
  /** A report one second after the previous one (Mackerel ignores a report that is not newer). */
  const report = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    source: { type: 'host', hostId },
    name: 'ecs-tasks',
    status: 'OK',
    message: '3 targets scraped',
    occurredAt: (clock += 1),
    ...over,
  });

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: KEY });
    hostId = receiver.addHost('i-0c0000000000000a1', '127.0.2.1').id;
    retiredId = receiver.addHost('i-0c0000000000000a2', '127.0.2.2').id;
    receiver.retireHost('i-0c0000000000000a2');
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    receiver.reset();
    clock = now() - 600;
  });

  it('accepts a valid report and keeps it in its wire shape', async () => {
    // Prepare
    const sent = report({ status: 'CRITICAL', message: '1 of 3 targets failing', maxCheckAttempts: 3, notificationInterval: 10 });

    // Act
    const res = await post({ reports: [sent] });

    // Assess
    expect(res).toEqual({ status: 200, json: { success: true } });
    expect(receiver.checkReports()).toEqual([{ ...sent, ignored: false }]);
  });

  it.each([
    ['a body without reports', { checks: [] }, /unexpected key "checks"/],
    ['more than 100 reports', 'many', /at most 100 reports/],
    ['an unknown host', { source: { type: 'host', hostId: 'NoSuchHost1' } }, /unknown or retired hostId "NoSuchHost1"/],
    ['a retired host', 'retired', /unknown or retired hostId/],
    ['a source that is not a host', { source: { type: 'service', hostId: 'x' } }, /source.type must be "host"/],
    ['an empty name', { name: '' }, /name must be a non-empty string/],
    ['an unknown status', { status: 'FAILED' }, /status must be one of OK, WARNING, CRITICAL, UNKNOWN/],
    ['a message that is not a string', { message: 42 }, /message must be a string/],
    ['a message over 1024 characters', { message: 'é'.repeat(1025) }, /1025 characters, more than 1024/],
    ['occurredAt in milliseconds', { occurredAt: Date.now() }, /in the future/],
    ['a fractional occurredAt', { occurredAt: 1767225600.5 }, /not integer epoch seconds/],
    ['a report 6 hours old', { occurredAt: Math.floor(Date.now() / 1000) - 6 * 3600 }, /6 hours old/],
    ['a notificationInterval under 10', { notificationInterval: 5 }, /notificationInterval 5 must be an integer of at least 10/],
    ['maxCheckAttempts 0', { maxCheckAttempts: 0 }, /maxCheckAttempts 0 must be an integer from 1 to 10/],
    ['maxCheckAttempts 11', { maxCheckAttempts: 11 }, /maxCheckAttempts 11/],
    ['an unexpected field', { hostId: 'x' }, /unexpected key "hostId"/],
    ['a missing occurredAt', { occurredAt: undefined }, /missing occurredAt/],
  ] as [string, Record<string, unknown> | 'many' | 'retired', RegExp][])('refuses %s with 400 and records nothing', async (_what, over, expected) => {
    // Prepare
    let body: unknown;
    if (over === 'many') body = { reports: Array.from({ length: 101 }, () => report()) };
    else if (over === 'retired') body = { reports: [report({ source: { type: 'host', hostId: retiredId } })] };
    else if ('checks' in over) body = over;
    else body = { reports: [report(), report(over)] };

    // Act
    const res = await post(body);

    // Assess
    expect(res.status).toBe(400);
    expect(errorMessage(res.json)).toMatch(expected);
    expect(receiver.checkReports()).toEqual([]);
    expect(receiver.checkAlert(hostId, 'ecs-tasks')).toBeUndefined();
  });

  it('accepts exactly 100 reports in one request', async () => {
    const res = await post({ reports: Array.from({ length: 100 }, () => report()) });
    expect(res.status).toBe(200);
    expect(receiver.checkReports()).toHaveLength(100);
  });

  it('opens the alert exactly at the maxCheckAttempts-th consecutive failure and closes it on OK', async () => {
    // Prepare
    const failing = (): Record<string, unknown> => report({ status: 'CRITICAL', message: 'failing', maxCheckAttempts: 3 });
    const states: unknown[] = [];

    // Act
    for (const r of [failing(), failing(), failing(), failing(), report({ maxCheckAttempts: 3 })]) {
      expect((await post({ reports: [r] })).status).toBe(200);
      states.push(receiver.checkAlert(hostId, 'ecs-tasks'));
    }

    // Assess
    expect(states).toEqual([
      expect.objectContaining({ open: false, status: 'CRITICAL', consecutiveFailures: 1, opened: 0 }),
      expect.objectContaining({ open: false, status: 'CRITICAL', consecutiveFailures: 2, opened: 0 }),
      expect.objectContaining({ open: true, status: 'CRITICAL', consecutiveFailures: 3, opened: 1 }),
      expect.objectContaining({ open: true, status: 'CRITICAL', consecutiveFailures: 4, opened: 1 }),
      expect.objectContaining({ open: false, status: 'OK', consecutiveFailures: 0, opened: 1 }),
    ]);
  });

  it('restarts the count after an OK: failures that are not consecutive never open an alert', async () => {
    // Act
    for (const status of ['WARNING', 'WARNING', 'OK', 'UNKNOWN', 'CRITICAL', 'OK']) {
      await post({ reports: [report({ status, maxCheckAttempts: 3 })] });
    }

    // Assess
    expect(receiver.checkAlert(hostId, 'ecs-tasks')).toMatchObject({ open: false, opened: 0 });
  });

  it('opens on the first failure when maxCheckAttempts is left out (default 1), one alert per check name', async () => {
    // Act
    await post({ reports: [report({ status: 'WARNING' }), report({ name: 'other' })] });

    // Assess
    expect(receiver.checkAlert(hostId, 'ecs-tasks')).toMatchObject({ open: true, status: 'WARNING', opened: 1 });
    expect(receiver.checkAlert(hostId, 'other')).toMatchObject({ open: false, status: 'OK' });
  });

  it('ignores a report that is not newer than the last one of the same host and check, as Mackerel does', async () => {
    // Prepare
    const first = report({ status: 'CRITICAL' });

    // Act
    await post({ reports: [first] });
    const res = await post({ reports: [{ ...first, status: 'OK' }] });

    // Assess
    expect(res.status).toBe(200);
    expect(receiver.checkReports().map((r) => [r.status, r.ignored])).toEqual([
      ['CRITICAL', false],
      ['OK', true],
    ]);
    expect(receiver.checkAlert(hostId, 'ecs-tasks')).toMatchObject({ open: true, status: 'CRITICAL' });
  });

  it('refuses a report without the API key', async () => {
    const res = await fetch(`${receiver.url}/api/v0/monitoring/checks/report`, {
      method: 'POST',
      headers: { 'x-api-key': 'wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ reports: [report()] }),
    });
    expect(res.status).toBe(401);
    expect(receiver.checkReports()).toEqual([]);
  });
});
