import { INVENTORY_NAMESPACE, parseInventory } from '../../src/inventory/model';
import { observeTasks } from '../../src/inventory/merge';
import { at, observed } from './builders';

function stored(): Record<string, unknown> {
  const { inventory } = observeTasks(undefined, [observed(1)], at(0), { complete: true });
  return JSON.parse(JSON.stringify(inventory)) as Record<string, unknown>;
}

describe('parseInventory', () => {
  it('reads back a document the collector wrote', () => {
    // Prepare
    const json = stored();

    // Act
    const parsed = parseInventory(json);

    // Assess
    expect(parsed).toEqual({ ok: true, value: json });
    expect(INVENTORY_NAMESPACE).toBe('ecs-tasks');
  });

  it('accepts unknown fields added by a user or a later version', () => {
    // Prepare
    const json = stored();
    const tasks = json.tasks as Record<string, unknown>[];
    json.note = 'owned by team A';
    tasks[0] = { ...tasks[0], owner: 'alice' };

    // Act
    const parsed = parseInventory(json);

    // Assess
    expect(parsed.ok && parsed.value.tasks[0]?.metricKey).toBe('api-1');
  });

  type Doc = Record<string, unknown>;
  const firstTask = (json: Doc): Doc => (json.tasks as Doc[])[0] as Doc;
  const firstContainer = (json: Doc): Doc => (firstTask(json).containers as Doc[])[0] as Doc;
  it.each<[string, (json: Doc) => unknown, string]>([
    ['null', () => null, 'document'],
    ['a string', () => 'ecs-tasks', 'document'],
    ['an unknown schema', (json) => ({ ...json, schema: 2 }), 'schema'],
    ['tasks that are not a list', (json) => ({ ...json, tasks: {} }), 'tasks'],
    ['a port that is text', (json) => ((firstContainer(json).containerPort = '8080'), json), 'tasks.0.containers.0.containerPort'],
    ['a date that is not ISO 8601', (json) => ((firstTask(json).firstSeen = 'yesterday'), json), 'tasks.0.firstSeen'],
    ['an unknown format', (json) => ((firstContainer(json).format = 'statsd'), json), 'tasks.0.containers.0.format'],
    ['a slot of 0', (json) => ((firstTask(json).slot = 0), json), 'tasks.0.slot'],
  ])('reports %s with where the document is wrong', (_what, corrupt, where) => {
    // Prepare
    const document = corrupt(stored());

    // Act
    const parsed = parseInventory(document);

    // Assess
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(`invalid ecs-tasks inventory at ${where}:`);
  });
});
