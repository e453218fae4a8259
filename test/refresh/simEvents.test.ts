import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { drainingEvent, duplicateEvent, olderEvent, startSimulation, type SimTask, type SimTaskEvent, type Simulation } from '../../sim';
import { mapTask } from '../../src/discovery/ecsMapping';
import type { EcsTask } from '../../src/discovery/model';
import { parseTaskStateChange, type TaskStateChange } from '../../src/refresh/event';
import { ecsClient } from '../sim/clients';
import { readEvent } from './eventFixtures';

function parsed(event: unknown): TaskStateChange {
  const r = parseTaskStateChange(event);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('the simulated EventBridge source', () => {
  let sim: Simulation;
  const eventsOf = (task: SimTask): SimTaskEvent[] => sim.events().filter((e) => e.detail.taskArn === task.arn);
  const only = <T>(items: readonly T[]): T => {
    expect(items).toHaveLength(1);
    return items[0] as T;
  };

  beforeAll(async () => {
    sim = await startSimulation({
      clusters: [
        {
          name: 'events',
          instances: [{ address: '127.0.1.41' }],
          tasks: [
            { family: 'api', service: 'api', networkMode: 'bridge', kind: 'gostats', duplicateBinding: true, sidecar: true },
            { family: 'edge', service: 'edge', networkMode: 'awsvpc', launchType: 'FARGATE', eniAddress: '127.0.4.41', kind: 'prometheus' },
          ],
        },
      ],
    });
  });
  afterAll(() => sim.stop());

  it('delivers a RUNNING event for every task the simulation starts with', () => {
    const [api, edge] = sim.tasks();
    expect(sim.events().map((e) => [e.detail.taskArn, e.detail.lastStatus])).toEqual([
      [api?.arn, 'RUNNING'],
      [edge?.arn, 'RUNNING'],
    ]);
  });

  it('gives the bridge task its dynamic host port in the event, once despite the "::" duplicate', () => {
    const [api] = sim.tasks();
    if (!api) throw new Error('no api task');
    const change = parsed(only(eventsOf(api)));
    expect(change).toMatchObject({ kind: 'running', cluster: 'events', taskId: api.id, region: 'us-east-1' });
    expect(change.task.containers.find((c) => c.name === 'api')?.networkBindings).toEqual([
      { containerPort: api.containerPort, hostPort: api.hostPort },
    ]);
    expect(change.task.containerInstanceArn).toBe(api.containerInstanceArn);
  });

  it('gives the Fargate task its ENI address through an attachment of type eni', () => {
    const edge = sim.tasks()[1];
    if (!edge) throw new Error('no edge task');
    const event = only(eventsOf(edge));
    expect(event.detail.attachments).toEqual([expect.objectContaining({ type: 'eni' })]);
    expect(parsed(event).task).toMatchObject({ launchType: 'FARGATE', eniAddress: edge.address });
  });

  it('maps an event to the same task as DescribeTasks at that moment', async () => {
    // Prepare
    const tasks = sim.tasks();
    const out = await ecsClient(sim).send(new DescribeTasksCommand({ cluster: 'events', tasks: tasks.map((t) => t.arn) }));
    const described: EcsTask[] = (out.tasks ?? []).flatMap((t) => {
      const m = mapTask(t);
      return m.ok ? [m.value] : [];
    });
    // Act
    const fromEvents = tasks.map((t) => parsed(only(eventsOf(t))));
    // Assess
    expect(fromEvents.map((c) => c.task)).toEqual(described);
    expect(fromEvents.map((c) => c.version)).toEqual((out.tasks ?? []).map((t) => t.version));
  });

  it('has the envelope and detail fields of a captured event, with ISO timestamps', () => {
    const event = sim.events()[0];
    const fixture = readEvent('ec2-bridge-running');
    expect(Object.keys(event ?? {}).sort()).toEqual(Object.keys(fixture).sort());
    expect(event).toMatchObject({ version: '0', source: 'aws.ecs', 'detail-type': 'ECS Task State Change', account: '111122223333' });
    expect(event?.resources).toEqual([event?.detail.taskArn]);
    expect(event?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(event?.detail.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(event?.detail.tags).toBeUndefined();
  });

  it('records RUNNING then STOPPED with a rising version when a task is started and stopped', async () => {
    // Prepare
    const task = await sim.startTask('events', { family: 'job', networkMode: 'bridge', kind: 'plugin' });
    // Act
    await sim.stopTask(task.arn);
    // Assess
    const changes = eventsOf(task).map(parsed);
    expect(changes.map((c) => [c.lastStatus, c.kind])).toEqual([
      ['RUNNING', 'running'],
      ['STOPPED', 'stopped'],
    ]);
    expect(changes[0]?.task.containers[0]?.networkBindings).toEqual([{ containerPort: 8080, hostPort: task.hostPort }]);
    expect(changes[1]?.stoppedReason).toBe('Task stopped by user');
    expect(changes[1]?.version).toBeGreaterThan(changes[0]?.version ?? Infinity);
  });

  it('makes duplicates that share the version, with a new event id unless redelivered', () => {
    const original = sim.events()[0] as SimTaskEvent;
    const duplicate = parsed(duplicateEvent(original));
    const redelivery = parsed(duplicateEvent(original, { sameId: true }));
    expect(duplicate.version).toBe(original.detail.version);
    expect(duplicate.id).not.toBe(original.id);
    expect(redelivery).toEqual(parsed(original));
  });

  it('makes late events of an older version, such as RUNNING arriving after STOPPED', async () => {
    // Prepare
    const task = await sim.startTask('events', { family: 'late', networkMode: 'bridge', kind: 'gostats' });
    await sim.stopTask(task.arn);
    const stopped = eventsOf(task)[1] as SimTaskEvent;
    // Act
    const late = parsed(olderEvent(stopped, { lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }));
    // Assess
    expect(late).toMatchObject({ kind: 'running', version: stopped.detail.version - 1, taskArn: task.arn });
    expect(late.stoppedReason).toBeUndefined();
    expect(Date.parse(late.time)).toBeLessThan(Date.parse(stopped.time));
  });

  it('makes the draining event between RUNNING and STOPPED, which counts as a removal', () => {
    const running = sim.events()[0] as SimTaskEvent;
    const draining = parsed(drainingEvent(running));
    expect(draining).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED', kind: 'stopped', version: running.detail.version + 1 });
  });
});
