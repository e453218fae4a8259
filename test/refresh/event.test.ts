import { mapTask, mapTaskReporting } from '../../src/discovery/ecsMapping';
import { isForClusters, matchCluster, parseTaskStateChange, type TaskStateChange } from '../../src/refresh/event';
import { EVENT_FIXTURES, expectedChanges, readEvent, runningWith, type EventFixture } from './eventFixtures';

function parsed(event: unknown): TaskStateChange {
  const r = parseTaskStateChange(event);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function rejection(event: unknown): string {
  const r = parseTaskStateChange(event);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(event)}`);
  return r.error;
}

describe('parsing captured ECS Task State Change events', () => {
  it.each(EVENT_FIXTURES.map((f) => [f]))('parses %s to the golden task state change', (name: EventFixture) => {
    // Prepare
    const event = readEvent(name);
    // Act
    const change = parsed(event);
    // Assess
    expect(change).toEqual(expectedChanges()[name]);
  });

  it('reads the dynamic host ports of a bridge task from the event, once per port despite the "::" duplicates', () => {
    const change = parsed(readEvent('ec2-bridge-running'));
    expect(change).toMatchObject({ kind: 'running', version: 3, cluster: 'prod', taskId: '5f1c0e2a9b8d4c7e8f90a1b2c3d4e5f6' });
    expect(change.task.containers.map((c) => [c.name, c.networkBindings])).toEqual([
      ['api', [{ containerPort: 8080, hostPort: 32768 }]],
      ['envoy', [{ containerPort: 9901, hostPort: 32769 }]],
    ]);
    expect(change.task.containerInstanceArn).toBe(
      'arn:aws:ecs:eu-west-1:111122223333:container-instance/prod/9a8b7c6d5e4f40312a1b2c3d4e5f6a7b',
    );
    expect(change.task.group).toBe('service:api');
  });

  it('takes the Fargate task address from the eni attachment', () => {
    const change = parsed(readEvent('fargate-awsvpc-running'));
    expect(change.task).toMatchObject({ launchType: 'FARGATE', eniAddress: '127.0.4.139' });
    expect(change.task.containerInstanceArn).toBeUndefined();
    expect(change.task.containers[0]?.privateIpv4Address).toBe('127.0.4.139');
  });

  it('treats a running task that is told to stop as a removal, with its stop reason', () => {
    const change = parsed(readEvent('ec2-bridge-draining'));
    expect(change).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED', kind: 'stopped', stopCode: 'ServiceSchedulerInitiated' });
  });

  it('reports a stopped task as stopped with reason and a higher version than its running event', () => {
    const running = parsed(readEvent('ec2-bridge-running'));
    const stopped = parsed(readEvent('ec2-bridge-stopped'));
    expect(stopped).toMatchObject({
      kind: 'stopped',
      stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
      taskArn: running.taskArn,
    });
    expect(stopped.version).toBeGreaterThan(running.version);
  });

  it.each([
    ['PENDING', 'RUNNING', 'other'],
    ['PROVISIONING', 'RUNNING', 'other'],
    ['DEPROVISIONING', 'STOPPED', 'other'],
    ['STOPPED', 'RUNNING', 'stopped'],
    ['RUNNING', 'RUNNING', 'running'],
    ['RUNNING', 'STOPPED', 'stopped'],
  ])('classifies lastStatus %s with desiredStatus %s as %s', (lastStatus, desiredStatus, kind) => {
    expect(parsed(runningWith({ lastStatus, desiredStatus })).kind).toBe(kind);
  });
});

describe('rejecting events that are not usable task state changes', () => {
  it.each<[string, unknown, string]>([
    ['a string', 'hello', 'event is not a JSON object (got "hello")'],
    ['null', null, 'event is not a JSON object (got null)'],
    ['an array', [readEvent('ec2-bridge-running')], 'event is not a JSON object (got an array)'],
    ['an EC2 event', { ...readEvent('ec2-bridge-running'), source: 'aws.ec2' }, 'event source is "aws.ec2", expected "aws.ecs"'],
    [
      'a container instance change',
      { ...readEvent('ec2-bridge-running'), 'detail-type': 'ECS Container Instance State Change' },
      'event detail-type is "ECS Container Instance State Change", expected "ECS Task State Change"',
    ],
    ['an event without detail', { ...readEvent('ec2-bridge-running'), detail: undefined }, 'ECS Task State Change event has no detail object (got absent)'],
    ['an event without taskArn', runningWith({ taskArn: undefined }), 'ECS Task State Change event has no detail.taskArn (got absent)'],
  ])('rejects %s', (_what, event, message) => {
    expect(rejection(event)).toBe(message);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no clusterArn', { clusterArn: undefined }, 'has no detail.clusterArn (got absent)'],
    ['no version', { version: undefined }, 'has no valid detail.version (a non-negative integer; got absent)'],
    ['a version as text', { version: '3' }, 'has no valid detail.version (a non-negative integer; got "3")'],
    ['a fractional version', { version: 3.5 }, 'has no valid detail.version (a non-negative integer; got 3.5)'],
    ['no taskDefinitionArn', { taskDefinitionArn: '' }, 'has no detail.taskDefinitionArn (got "")'],
    ['no lastStatus', { lastStatus: 42 }, 'has no detail.lastStatus (got 42)'],
    ['no launch type or instance', { launchType: undefined, containerInstanceArn: undefined }, 'has neither detail.launchType nor detail.containerInstanceArn'],
    ['an unknown launch type', { launchType: 'MOON' }, 'has an unusable detail: a task with unsupported launchType "MOON"'],
  ])('rejects an event with %s, naming the task', (_what, detail, message) => {
    const taskArn = 'arn:aws:ecs:eu-west-1:111122223333:task/prod/5f1c0e2a9b8d4c7e8f90a1b2c3d4e5f6';
    expect(rejection(runningWith(detail))).toBe(`ECS Task State Change event for ${taskArn} ${message}`);
  });

  it('tolerates malformed optional parts: they drop out and the rest of the task is kept', () => {
    // Prepare
    const detail = readEvent('ec2-bridge-running').detail as { containers: Record<string, unknown>[] };
    const [api] = detail.containers;
    const event = runningWith({
      containers: [
        { ...api, networkBindings: [{ containerPort: 8080, hostPort: '32768' }, { containerPort: 8080, hostPort: 32770 }, 'junk'] },
        { networkBindings: [{ containerPort: 1, hostPort: 2 }] },
        'junk',
      ],
      attachments: 'none',
      group: 7,
      futureField: { anything: true },
    });
    // Act
    const change = parsed(event);
    // Assess
    expect(change.task.containers).toEqual([{ name: 'api', networkBindings: [{ containerPort: 8080, hostPort: 32770 }] }]);
    expect(change.task.group).toBeUndefined();
    expect(change.task.eniAddress).toBeUndefined();
  });

  it('falls back on the task ARN for region and account, and on lastStatus for a missing desiredStatus', () => {
    const event = { ...runningWith({ desiredStatus: undefined }), region: undefined, account: undefined, id: undefined };
    expect(parsed(event)).toMatchObject({ region: 'eu-west-1', account: '111122223333', id: '', desiredStatus: 'RUNNING', kind: 'running' });
  });
});

describe('filtering changes to the configured clusters', () => {
  const change = parsed(readEvent('ec2-bridge-running'));

  it.each<[string, string[]]>([
    ['its name', ['staging', 'prod']],
    ['its ARN', ['arn:aws:ecs:eu-west-1:111122223333:cluster/prod']],
  ])('keeps a change in cluster prod when configured with %s', (_what, clusters) => {
    expect(isForClusters(change, clusters)).toBe(true);
  });

  it.each<[string, string[]]>([
    ['another cluster only', ['staging']],
    ['the ARN of a same-named cluster in another Region', ['arn:aws:ecs:us-east-1:111122223333:cluster/prod']],
    ['a name that only prefixes it', ['pro']],
    ['no cluster at all', []],
  ])('drops a change in cluster prod when configured with %s', (_what, clusters) => {
    expect(isForClusters(change, clusters)).toBe(false);
  });
});

describe('network bindings whose ports cannot exist', () => {
  const apiBinding = (binding: Record<string, unknown>): Record<string, unknown> => {
    const event = readEvent('ec2-bridge-running');
    const containers = (event.detail as { containers: Record<string, unknown>[] }).containers;
    return runningWith({ containers: containers.map((c) => (c.name === 'api' ? { ...c, networkBindings: [{ bindIP: '0.0.0.0', protocol: 'tcp', ...binding }] } : c)) });
  };

  it.each<[string, Record<string, unknown>, string]>([
    ['a host port above 65535', { containerPort: 8080, hostPort: 70000 }, 'hostPort 70000'],
    ['a host port of 0', { containerPort: 8080, hostPort: 0 }, 'hostPort 0'],
    ['a negative host port', { containerPort: 8080, hostPort: -1 }, 'hostPort -1'],
    ['a fractional host port', { containerPort: 8080, hostPort: 32768.5 }, 'hostPort 32768.5'],
    ['a container port above 65535', { containerPort: 70000, hostPort: 32768 }, 'containerPort 70000'],
  ])('drops a binding with %s and says why, keeping the other containers', (_what, binding, quoted) => {
    // Act
    const change = parsed(apiBinding(binding));

    // Assess
    expect(change.task.containers.map((c) => [c.name, c.networkBindings])).toEqual([
      ['api', []],
      ['envoy', [{ containerPort: 9901, hostPort: 32769 }]],
    ]);
    expect(change.skipped).toEqual([
      { target: change.taskArn, reason: expect.stringContaining(`container api: network binding ignored, ${quoted} is not a port`), stage: 'discovery', kind: 'port' },
    ]);
  });

  it('reports nothing for an event whose bindings are all ports', () => {
    expect(parsed(readEvent('ec2-bridge-running')).skipped).toBeUndefined();
  });

  it('drops the same bindings from a DescribeTasks answer, the mapping the events share', () => {
    // Prepare
    const task = {
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod/5f1c0e2a9b8d4c7e8f90a1b2c3d4e5f6',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/api:42',
      lastStatus: 'RUNNING',
      launchType: 'EC2' as const,
      containers: [{ name: 'api', networkBindings: [{ containerPort: 8080, hostPort: 70000 }, { containerPort: 8080, hostPort: 32768 }] }],
    };

    // Act
    const plain = mapTask(task);
    const reporting = mapTaskReporting(task);

    // Assess
    expect(plain.ok && plain.value.containers[0]?.networkBindings).toEqual([{ containerPort: 8080, hostPort: 32768 }]);
    expect(reporting.ok && reporting.value.skipped.map((i) => i.reason)).toEqual([expect.stringContaining('hostPort 70000 is not a port')]);
  });
});

describe('matching the account and Region of a change', () => {
  const ours = 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod';
  /** The running fixture as another account (or Region) emits it for its own cluster named prod. */
  const foreign = (account: string, region: string): TaskStateChange => {
    const event = readEvent('ec2-bridge-running');
    const swap = (text: string): string => text.replace('eu-west-1:111122223333', `${region}:${account}`);
    const detail = JSON.parse(swap(JSON.stringify(event.detail))) as Record<string, unknown>;
    return parsed({ ...event, account, region, detail });
  };

  it.each([
    ['another account', '999988887777', 'eu-west-1'],
    ['another Region', '111122223333', 'us-east-1'],
  ])('refuses a same-named cluster of %s when ECS_CLUSTERS holds the ARN, naming both', (_what, account, region) => {
    // Act
    const matched = matchCluster(foreign(account, region), [ours]);

    // Assess
    expect(matched).toEqual({
      ok: false,
      error: `cluster arn:aws:ecs:${region}:${account}:cluster/prod (account ${account}, Region ${region}) is not ${ours} of ECS_CLUSTERS`,
    });
  });

  it('matches a bare name in any account and Region (name-only matching)', () => {
    expect(matchCluster(foreign('999988887777', 'us-east-1'), ['staging', 'prod'])).toEqual({ ok: true, value: 'prod' });
  });

  it('returns the configured entry that matched, ARN or name', () => {
    const change = parsed(readEvent('ec2-bridge-running'));
    expect(matchCluster(change, ['staging', ours])).toEqual({ ok: true, value: ours });
  });

  it.each([
    ['account', { account: '999988887777' }],
    ['region', { region: 'us-east-1' }],
  ])('refuses an event whose envelope %s contradicts its cluster ARN, even for a configured name', (field, envelope) => {
    // Prepare
    const change = parsed({ ...readEvent('ec2-bridge-running'), ...envelope });

    // Act
    const matched = matchCluster(change, ['prod', ours]);

    // Assess
    expect(matched).toEqual({ ok: false, error: expect.stringContaining(`event ${field} "${Object.values(envelope)[0]}" is not the ${field} of its cluster ${ours}`) });
  });
});
