import { slotKey } from '../../src/inventory/keys';
import { observedTasksFromTargets } from '../../src/inventory/observed';
import type { Target } from '../../src/types';

describe('slotKey', () => {
  it('names the key after the service, else the family', () => {
    // Act
    const keys = [slotKey('api', 'api-td', 1), slotKey(undefined, 'batch-td', 2), slotKey('', 'batch-td', 3)];

    // Assess
    expect(keys).toEqual(['api-1', 'batch-td-2', 'batch-td-3']);
  });

  it('sanitises the name and cuts it to 48 characters, keeping the slot', () => {
    // Act
    const key = slotKey(`web.front/${'x'.repeat(60)}`, 'f', 12);

    // Assess
    expect(key).toHaveLength(48);
    expect(key).toBe(`web_front_${'x'.repeat(35)}-12`);
  });
});

describe('observedTasksFromTargets', () => {
  const target = (over: Partial<Target>): Target => ({
    id: 'prod/3f2a9c1e/app:8080',
    cluster: 'prod',
    service: 'api',
    family: 'api-td',
    revision: 7,
    taskId: '3f2a9c1e4b7d2a6f8e0b3c5d7f901234',
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/3f2a9c1e4b7d2a6f8e0b3c5d7f901234',
    containerName: 'app',
    launchType: 'EC2',
    networkMode: 'bridge',
    ec2InstanceId: 'i-0a51000000000000a',
    address: '127.0.0.1',
    port: 32771,
    containerPort: 8080,
    path: '/metrics',
    format: 'prometheus',
    prefix: 'app',
    ...over,
  });

  it('groups a task endpoints into one entry with the task key and host ports', () => {
    // Prepare
    const targets = [target({ containerName: 'sidecar', containerPort: 9100, port: 32772, format: 'gostats', prefix: 'gostats' }), target({})];

    // Act
    const tasks = observedTasksFromTargets(targets, 'task');

    // Assess
    expect(tasks).toEqual([
      {
        taskArn: targets[0]?.taskArn,
        taskId: '3f2a9c1e4b7d2a6f8e0b3c5d7f901234',
        cluster: 'prod',
        service: 'api',
        family: 'api-td',
        revision: 7,
        containers: [
          { name: 'app', containerPort: 8080, hostPort: 32771, format: 'prometheus', prefix: 'app' },
          { name: 'sidecar', containerPort: 9100, hostPort: 32772, format: 'gostats', prefix: 'gostats' },
        ],
        metricKey: 'api-3f2a9c1e',
      },
    ]);
  });

  it('shows no host port for awsvpc tasks and leaves the key to the merge under slot', () => {
    // Act
    const [task] = observedTasksFromTargets([target({ networkMode: 'awsvpc', port: 8080 })], 'slot');

    // Assess
    expect(task?.containers).toEqual([{ name: 'app', containerPort: 8080, format: 'prometheus', prefix: 'app' }]);
    expect(task?.metricKey).toBeUndefined();
  });
});
