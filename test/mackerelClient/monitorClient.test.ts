import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';
import { CriticalError } from '../../src/errors';
import { createMonitorClient, type MonitorPort, type ServiceMonitorBody } from '../../src/mackerel/monitorClient';
import type { Result } from '../../src/result';

const KEY = 'monitor-key-0123456789SECRET';

function value<T, E>(result: Result<T, E>): T {
  if (!result.ok) throw new Error(`expected a value, got ${String(result.error)}`);
  return result.value;
}
function failure<T, E>(result: Result<T, E>): E {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** The documented example (API docs, monitors: service metric monitoring), on a service the receiver knows. */
const EXAMPLE: ServiceMonitorBody = {
  type: 'service',
  name: 'ecs-collector: prod failed ratio',
  memo: 'A monitor that checks the failed ratio',
  service: 'ecs',
  duration: 1,
  metric: 'ecs-collector.prod.failed_ratio',
  operator: '>',
  warning: 0.2,
  critical: 0.5,
  maxCheckAttempts: 3,
  missingDurationWarning: 360,
  missingDurationCritical: 720,
  notificationInterval: 60,
};

describe('createMonitorClient against the Mackerel receiver', () => {
  let receiver: MackerelReceiver;
  const client = (apiKey = KEY): MonitorPort => createMonitorClient({ apiKey, baseUrl: receiver.url, timeoutMs: 1000, baseDelayMs: 1, maxDelayMs: 5 });

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: KEY, services: ['ecs'] });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('creates a service monitor, lists it with its id and updates it in place', async () => {
    // Act
    const created = value(await client().createMonitor(EXAMPLE));
    const listed = value(await client().listMonitors());
    const updated = value(await client().updateMonitor(created.id, { ...EXAMPLE, critical: 0.8 }));

    // Assess
    expect(created).toMatchObject({ type: 'service', name: EXAMPLE.name, fields: { ...EXAMPLE, id: created.id } });
    expect(listed.map((m) => [m.id, m.name])).toEqual([[created.id, EXAMPLE.name]]);
    expect(updated.id).toBe(created.id);
    expect(receiver.monitors()).toEqual([expect.objectContaining({ id: created.id, critical: 0.8 })]);
  });

  it('lists monitors of every type, a connectivity monitor without a name included', async () => {
    // Prepare
    await fetch(`${receiver.url}/api/v0/monitors`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'connectivity', scopes: [] }),
    });

    // Act
    const listed = value(await client().listMonitors());

    // Assess
    expect(listed).toEqual([expect.objectContaining({ type: 'connectivity', name: '' })]);
  });

  it.each([
    ['an unknown service', { service: 'nosuch' }, /service "nosuch" is not registered/],
    ['neither warning nor critical', { warning: null, critical: null }, /at least one of warning and critical/],
    ['a missing duration that is not a multiple of 10', { missingDurationCritical: 15 }, /missingDurationCritical 15 must be a multiple of 10/],
    ['a missing duration over a week', { missingDurationCritical: 10090 }, /at most a week/],
    ['duration 11 points', { duration: 11 }, /duration 11 must be 1 to 10/],
    ['maxCheckAttempts 0', { maxCheckAttempts: 0 }, /maxCheckAttempts 0 must be 1 to 10/],
    ['a notificationInterval under 10', { notificationInterval: 5 }, /notificationInterval must be 10 minutes or more/],
    ['an empty name', { name: '' }, /name is empty/],
    ['a memo over 2048 characters', { memo: 'm'.repeat(2049) }, /memo must be a string of at most 2048/],
    ['an operator other than > or <', { operator: '>=' }, /operator must be/],
    ['an undocumented field', { scopes: ['ecs'] }, /unexpected key "scopes"/],
  ])('gets a 400 MackerelError for %s, and nothing is created', async (_what, over, expected) => {
    // Act
    const error = failure(await client().createMonitor({ ...EXAMPLE, ...over } as unknown as ServiceMonitorBody));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toMatch(expected);
    expect(error.attempts).toBe(1);
    expect(receiver.monitors()).toEqual([]);
  });

  it('gets a 404 for an update of a monitor that does not exist', async () => {
    const error = failure(await client().updateMonitor('NoSuchMon01', EXAMPLE));
    expect(error.status).toBe(404);
    expect(error.path).toBe('/api/v0/monitors/NoSuchMon01');
  });

  it('returns a critical MackerelAuthError for a wrong key', async () => {
    const error = failure(await client('wrong').listMonitors());
    expect(error).toBeInstanceOf(CriticalError);
    expect(error.message).not.toContain(KEY);
  });
});
