import { serviceMonitorProblem } from '../../sim/mackerelMonitors';
import { desiredMonitors, MONITOR_NAME_PREFIX, missingMinutes } from '../../src/monitors/build';

describe('desiredMonitors', () => {
  it('gives each cluster a "stopped reporting" and a "failed ratio" service monitor on its health metrics', () => {
    // Act
    const monitors = desiredMonitors('ecs', ['prod']);

    // Assess
    expect(monitors).toEqual([
      {
        type: 'service',
        name: 'ecs-collector: prod stopped reporting',
        memo: expect.stringContaining('ecs-collector.prod.targets for 10 minutes'),
        service: 'ecs',
        metric: 'ecs-collector.prod.targets',
        operator: '<',
        warning: null,
        critical: 0,
        duration: 1,
        maxCheckAttempts: 1,
        missingDurationCritical: 10,
      },
      {
        type: 'service',
        name: 'ecs-collector: prod failed ratio',
        memo: expect.stringContaining('warning above 0.2, critical above 0.5'),
        service: 'ecs',
        metric: 'ecs-collector.prod.failed_ratio',
        operator: '>',
        warning: 0.2,
        critical: 0.5,
        duration: 3,
        maxCheckAttempts: 3,
      },
    ]);
  });

  it('names a cluster given as an ARN by its name, once, and keeps clusters in the given order', () => {
    // Act
    const names = desiredMonitors('ecs', ['arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod', 'prod', 'stg']).map((m) => m.name);

    // Assess
    expect(names).toEqual([
      'ecs-collector: prod stopped reporting',
      'ecs-collector: prod failed ratio',
      'ecs-collector: stg stopped reporting',
      'ecs-collector: stg failed ratio',
    ]);
  });

  it('builds bodies the documented rules accept (names with the prefix, memo ≤ 2048, ranges), options included', () => {
    // Prepare
    const opts = { missingDurationMinutes: 15, failedRatioWarning: 0.1, failedRatioCritical: 0.3, failedRatioDuration: 50, failedRatioMaxCheckAttempts: 0, notificationInterval: 3, checkName: 'tasks' };

    // Act
    const monitors = [...desiredMonitors('ecs', ['prod', 'a-very-long-cluster-name-for-the-batch-workloads']), ...desiredMonitors('ecs', ['prod'], opts)];

    // Assess
    for (const m of monitors) {
      expect(serviceMonitorProblem({ ...m }, new Set(['ecs']))).toBeUndefined();
      expect(m.name.startsWith(MONITOR_NAME_PREFIX)).toBe(true);
    }
    expect(monitors.slice(-2)).toEqual([
      expect.objectContaining({ missingDurationCritical: 20, notificationInterval: 10 }),
      expect.objectContaining({ warning: 0.1, critical: 0.3, duration: 10, maxCheckAttempts: 1, notificationInterval: 10, memo: expect.stringContaining('"tasks" check') }),
    ]);
  });

  it('rounds missing durations up to the 10-minute steps the API takes, at most a week', () => {
    expect([0, 1, 10, 11, 60, 1e9, Number.NaN].map(missingMinutes)).toEqual([10, 10, 10, 20, 60, 10080, 10]);
  });
});
