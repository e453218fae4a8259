import { aggregateServiceMetrics, type RunningTask, type TargetMetrics } from '../../src/service/aggregate';

const NOW = 1767225600;
const CLUSTER_ARN = 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod';

const running = (service: string | undefined, family: string, ...taskIds: string[]): RunningTask[] =>
  taskIds.map((taskId) => ({ cluster: CLUSTER_ARN, service, family, taskId }));

const target = (taskId: string, values: [graph: string, metric: string, value: number][], over: Partial<TargetMetrics> = {}): TargetMetrics => ({
  cluster: CLUSTER_ARN,
  service: 'api',
  family: 'api-task',
  taskId,
  prefix: 'gostats',
  values: values.map(([graph, metric, value]) => ({ graph, metric, value, time: NOW })),
  ...over,
});

const byName = (values: readonly { name: string; value: number }[]): Record<string, number> =>
  Object.fromEntries(values.map((v) => [v.name, v.value]));

describe('service metrics aggregation', () => {
  it('counts every RUNNING task and gives exact sums and averages over the tasks that reported', () => {
    // Prepare: three tasks run, two expose metrics
    const targets = [
      target('aaaa1111', [['runtime', 'goroutine_num', 10], ['memory', 'memory_alloc', 1.5]]),
      target('bbbb2222', [['runtime', 'goroutine_num', 31]]),
    ];

    // Act
    const out = aggregateServiceMetrics(targets, running('api', 'api-task', 'aaaa1111', 'bbbb2222', 'cccc3333'), { nowS: NOW });

    // Assess
    expect(byName(out.values)).toEqual({
      'ecs.prod.api.tasks.running': 3,
      'ecs.prod.api.gostats.runtime.goroutine_num.sum': 41,
      'ecs.prod.api.gostats.runtime.goroutine_num.avg': 20.5,
      'ecs.prod.api.gostats.memory.memory_alloc.sum': 1.5,
      'ecs.prod.api.gostats.memory.memory_alloc.avg': 1.5,
    });
    expect(out.values.every((v) => v.time === NOW)).toBe(true);
    expect(out.overflow).toEqual([]);
    expect(out.invalid).toBe(0);
  });

  it('reports a service whose tasks expose no metrics, and a known service with no task as 0 running', () => {
    // Act
    const out = aggregateServiceMetrics([], running('worker', 'worker-task', 't1', 't2'), {
      nowS: NOW,
      services: [{ cluster: 'prod', service: 'batch' }],
    });

    // Assess
    expect(out.values).toEqual([
      { name: 'ecs.prod.batch.tasks.running', time: NOW, value: 0 },
      { name: 'ecs.prod.worker.tasks.running', time: NOW, value: 2 },
    ]);
  });

  it('groups standalone tasks under family-<family>, Fargate tasks included (no EC2 host needed)', () => {
    // Prepare: a standalone Fargate task has no service and no instance
    const fargate = target('dddd4444', [['jobs', 'done', 7]], { service: undefined, family: 'nightly', prefix: 'app' });

    // Act
    const out = aggregateServiceMetrics([fargate], running(undefined, 'nightly', 'dddd4444'), { nowS: NOW });

    // Assess
    expect(byName(out.values)).toEqual({
      'ecs.prod.family-nightly.tasks.running': 1,
      'ecs.prod.family-nightly.app.jobs.done.sum': 7,
      'ecs.prod.family-nightly.app.jobs.done.avg': 7,
    });
  });

  it("adds up two containers of one task before averaging across tasks", () => {
    // Prepare: task a has two containers with the same prefix
    const targets = [target('a', [['jobs', 'queued', 2]]), target('a', [['jobs', 'queued', 3]]), target('b', [['jobs', 'queued', 1]])];

    // Act
    const out = aggregateServiceMetrics(targets, running('api', 'api-task', 'a', 'b'), { nowS: NOW });

    // Assess: task a = 5, task b = 1
    expect(byName(out.values)['ecs.prod.api.gostats.jobs.queued.sum']).toBe(6);
    expect(byName(out.values)['ecs.prod.api.gostats.jobs.queued.avg']).toBe(3);
  });

  it('keeps the first names in name order up to the per-service bound and counts the rest', () => {
    // Prepare: 4 metrics = 8 names + tasks.running; bound 6 leaves room for 2 metrics
    const targets = [target('a', [['g', 'm4', 4], ['g', 'm2', 2], ['g', 'm1', 1], ['g', 'm3', 3]])];

    // Act
    const out = aggregateServiceMetrics(targets, running('api', 'api-task', 'a'), { nowS: NOW, maxNamesPerService: 6 });

    // Assess
    expect(out.values.map((v) => v.name)).toEqual([
      'ecs.prod.api.gostats.g.m1.avg',
      'ecs.prod.api.gostats.g.m1.sum',
      'ecs.prod.api.gostats.g.m2.avg',
      'ecs.prod.api.gostats.g.m2.sum',
      'ecs.prod.api.tasks.running',
    ]);
    expect(out.overflow).toEqual([{ group: 'ecs.prod.api', dropped: 4 }]);
  });

  it('sanitises every node to Mackerel service metric names and counts a value with an empty node', () => {
    // Prepare: dotted prefix and graph, a space in a metric, an empty graph node
    const targets = [target('a', [['http.server', 'p99 latency', 0.25], ['bad..graph', 'x', 1]], { prefix: 'gostats.8080', cluster: 'stg/eu' })];

    // Act
    const out = aggregateServiceMetrics(targets, [], { nowS: NOW });

    // Assess
    expect(out.values.map((v) => v.name)).toEqual([
      'ecs.stg_eu.api.gostats.8080.http.server.p99_latency.avg',
      'ecs.stg_eu.api.gostats.8080.http.server.p99_latency.sum',
      'ecs.stg_eu.api.tasks.running',
    ]);
    expect(out.values.every((v) => /^[a-zA-Z0-9._-]+$/.test(v.name))).toBe(true);
    expect(out.invalid).toBe(1);
  });
});
