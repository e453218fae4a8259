import { simulateNameCount } from '../../src/inventory/billing';

describe('simulateNameCount', () => {
  const day = { deploymentsPerDay: 24, tasksPerServicePerHost: 2, metricsPerTask: 15 };

  it('keeps slot names bounded by the tasks live during a rollout while task and port names grow with deployments', () => {
    // Act
    const task = simulateNameCount({ ...day, mode: 'task' });
    const port = simulateNameCount({ ...day, mode: 'port' });
    const slot = simulateNameCount({ ...day, mode: 'slot' });

    // Assess: every deployment brings 2 new task ids and 2 new dynamic ports; slots 1-4 cover old + new.
    expect(task).toEqual({ distinctNames: 2 * (24 + 1) * 15, distinctKeys: 50 });
    expect(port).toEqual({ distinctNames: 2 * (24 + 1) * 15, distinctKeys: 50 });
    expect(slot).toEqual({ distinctNames: (2 + 2) * 15, distinctKeys: 4 });
  });

  it('gives slot names that do not depend on the number of deployments', () => {
    // Act
    const counts = [1, 24, 96].map((deploymentsPerDay) => simulateNameCount({ ...day, deploymentsPerDay, mode: 'slot' }).distinctNames);

    // Assess
    expect(counts).toEqual([60, 60, 60]);
  });

  it('counts no growth for a host that is never deployed to', () => {
    // Act
    const modes = (['task', 'port', 'slot'] as const).map((mode) => simulateNameCount({ ...day, deploymentsPerDay: 0, mode }).distinctNames);

    // Assess
    expect(modes).toEqual([30, 30, 30]);
  });
});
