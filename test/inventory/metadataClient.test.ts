import { startMackerelReceiver, type MackerelReceiver } from '../../sim/mackerelReceiver';
import { CriticalError } from '../../src/errors';
import { applyTaskEvent, observeTasks, trimToLimit } from '../../src/inventory/merge';
import { INVENTORY_NAMESPACE, parseInventory, type Inventory } from '../../src/inventory/model';
import type { Logger } from '../../src/log';
import { MackerelAuthError, MackerelError } from '../../src/mackerel/errors';
import { createMetadataClient, type MetadataClientOptions } from '../../src/mackerel/metadataClient';
import type { Result } from '../../src/result';
import { startServer } from '../scrape/loopbackServer';
import { arnOf, at, observed } from './builders';

const API_KEY = 'k3y-SECRET-metadata-0123456789';
const INSTANCE = 'i-0a510000000000001';

function failure<T, E>(result: Result<T, E>): E {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('createMetadataClient against the simulated Mackerel API', () => {
  let receiver: MackerelReceiver;
  let hostId: string;
  const client = (extra: Partial<MetadataClientOptions> = {}) =>
    createMetadataClient({ apiKey: API_KEY, baseUrl: receiver.url, baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3, timeoutMs: 500, ...extra });

  beforeAll(async () => {
    receiver = await startMackerelReceiver({ apiKey: API_KEY });
    hostId = receiver.addHost(INSTANCE, '127.0.1.1').id;
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.reset());

  it('reads nothing for a host that has no inventory yet', async () => {
    // Act
    const result = await client().getHostMetadata(hostId, INVENTORY_NAMESPACE);

    // Assess
    expect(result).toEqual({ ok: true, value: undefined });
  });

  it('writes the inventory and reads it back on a cold start', async () => {
    // Prepare
    const inv = observeTasks(undefined, [observed(1), observed(2)], at(0), { complete: true }).inventory;

    // Act
    const put = await client().putHostMetadata(hostId, INVENTORY_NAMESPACE, inv);
    const got = await client().getHostMetadata(hostId, INVENTORY_NAMESPACE);

    // Assess
    expect(put).toEqual({ ok: true, value: undefined });
    expect(receiver.metadata(hostId, 'ecs-tasks')).toEqual(inv);
    expect(got.ok && parseInventory(got.value)).toEqual({ ok: true, value: inv });
  });

  it('keeps an inventory in step with events through read, merge and write', async () => {
    // Prepare
    const api = client();
    const cycle = async (apply: (inv: Inventory | undefined) => { inventory: Inventory; changed: boolean }): Promise<void> => {
      const read = await api.getHostMetadata(hostId, INVENTORY_NAMESPACE);
      const parsed = read.ok && read.value !== undefined ? parseInventory(read.value) : undefined;
      const merged = apply(parsed?.ok ? parsed.value : undefined);
      if (merged.changed) await api.putHostMetadata(hostId, INVENTORY_NAMESPACE, trimToLimit(merged.inventory).inventory);
    };

    // Act
    await cycle((inv) => applyTaskEvent(inv, { taskArn: arnOf(1), version: 3, lastStatus: 'RUNNING', task: observed(1) }, at(0)));
    await cycle((inv) => applyTaskEvent(inv, { taskArn: arnOf(2), version: 3, lastStatus: 'RUNNING', task: observed(2) }, at(1)));
    await cycle((inv) => applyTaskEvent(inv, { taskArn: arnOf(1), version: 5, lastStatus: 'STOPPED' }, at(2)));
    await cycle((inv) => applyTaskEvent(inv, { taskArn: arnOf(1), version: 3, lastStatus: 'RUNNING', task: observed(1) }, at(3)));

    // Assess
    const stored = receiver.metadata(hostId, INVENTORY_NAMESPACE) as Inventory;
    expect(stored.tasks.map((t) => [t.taskArn, t.metricKey])).toEqual([[arnOf(2), 'api-2']]);
    expect(receiver.requests().filter((r) => r.method === 'PUT')).toHaveLength(3);
  });

  it('reports a document over 100 KB without retrying it', async () => {
    // Prepare
    const huge = { schema: 1, padding: 'x'.repeat(110 * 1024) };

    // Act
    const error = failure(await client().putHostMetadata(hostId, INVENTORY_NAMESPACE, huge));

    // Assess
    expect(error).toBeInstanceOf(MackerelError);
    expect(error).toMatchObject({ status: 413, attempts: 1 });
    expect(error.message).toContain('over the 100 KB metadata limit');
    expect(receiver.metadata(hostId, INVENTORY_NAMESPACE)).toBeUndefined();
  });

  it('retries a 503 and a 429, then succeeds', async () => {
    // Prepare
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    receiver.failNext(`/api/v0/hosts/${hostId}/metadata`, 503);
    receiver.failNext(`/api/v0/hosts/${hostId}/metadata`, 429);

    // Act
    const result = await client({ logger }).putHostMetadata(hostId, INVENTORY_NAMESPACE, { schema: 1 });

    // Assess
    expect(result.ok).toBe(true);
    expect(receiver.requests().map((r) => r.status)).toEqual([503, 429, 200]);
    expect(warnings).toEqual(['mackerel request retrying', 'mackerel request retrying']);
  });

  it('gives up after the last attempt when the API keeps timing out', async () => {
    // Prepare
    receiver.failNext(`/api/v0/hosts/${hostId}/metadata`, 'hang', 2);

    // Act
    const error = failure(await client({ maxAttempts: 2, timeoutMs: 100 }).getHostMetadata(hostId, INVENTORY_NAMESPACE));

    // Assess
    expect(error).toMatchObject({ name: 'MackerelError', attempts: 2 });
    expect(error.message).toContain('timed out after 100 ms');
  });

  it('stops on a rejected key without quoting it', async () => {
    // Act
    const error = failure(await client({ apiKey: 'wrong-key-0123456789' }).getHostMetadata(hostId, INVENTORY_NAMESPACE));

    // Assess
    expect(error).toBeInstanceOf(MackerelAuthError);
    expect(error).toBeInstanceOf(CriticalError);
    expect(error).toMatchObject({ status: 401, attempts: 1 });
    expect(error.message).not.toContain('wrong-key-0123456789');
  });

  it('refuses a reserved or malformed namespace before sending', async () => {
    // Act
    const errors = [
      failure(await client().putHostMetadata(hostId, 'mackerel-tasks', {})),
      failure(await client().getHostMetadata(hostId, 'ecs tasks')),
    ];

    // Assess
    expect(errors.map((e) => e.attempts)).toEqual([0, 0]);
    expect(errors[0]?.message).toContain('may not start with "mackerel"');
    expect(receiver.requests()).toEqual([]);
  });

  it('reports the API refusal for a retired host', async () => {
    // Prepare
    const retired = receiver.addHost('i-0a510000000000002', '127.0.1.2');
    receiver.retireHost('i-0a510000000000002');

    // Act
    const error = failure(await client().putHostMetadata(retired.id, INVENTORY_NAMESPACE, { schema: 1 }));

    // Assess
    expect(error).toMatchObject({ status: 400, attempts: 1 });
    expect(error.message).toBe('Mackerel PUT host metadata ecs-tasks failed: HTTP 400: Host is retired. (1 attempt)');
  });

  it('never puts the key in an error message, even when the API echoes it', async () => {
    // Prepare: an API that quotes the key it received in its error body.
    const echoing = await startServer((req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `bad key ${String(req.headers['x-api-key'])}` } }));
    });

    // Act
    const error = failure(await createMetadataClient({ apiKey: API_KEY, baseUrl: echoing.baseUrl, timeoutMs: 500 }).getHostMetadata(hostId, INVENTORY_NAMESPACE));
    await echoing.close();

    // Assess
    expect(error.message).toBe('Mackerel GET host metadata ecs-tasks failed: HTTP 400: bad key *** (1 attempt)');
  });
});
