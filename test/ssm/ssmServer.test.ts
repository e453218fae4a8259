import { GetCommandInvocationCommand, SendCommandCommand, SSMClient, type GetCommandInvocationCommandOutput } from '@aws-sdk/client-ssm';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from '../../sim/httpServer';
import { SsmControl, startSsmServer } from '../../sim/ssmServer';

const A = 'i-0aaaaaaaaaaaaaaa1';
const B = 'i-0bbbbbbbbbbbbbbb2';
const ADDRESSES: Record<string, string> = { [A]: '127.0.1.1', [B]: '127.0.1.2' };

describe('simulated SSM endpoint (real SSMClient, JSON 1.1)', () => {
  let control: SsmControl;
  let server: RunningServer;
  let ssm: SSMClient;

  beforeAll(async () => {
    control = new SsmControl();
    server = await startSsmServer((id) => ADDRESSES[id], control);
    ssm = new SSMClient({ region: 'us-east-1', endpoint: server.url, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    ssm.destroy();
    await server.close();
  });
  beforeEach(() => {
    control.reset();
    control.setAgent(A, 'online');
  });

  const send = async (commands: string[], instanceIds = [A], executionTimeout = '30'): Promise<string> => {
    const out = await ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: instanceIds, TimeoutSeconds: 30, Parameters: { commands, executionTimeout: [executionTimeout] } }),
    );
    return out.Command?.CommandId ?? '';
  };
  const finished = async (commandId: string, instanceId = A): Promise<GetCommandInvocationCommandOutput> => {
    for (;;) {
      await sleep(25);
      try {
        const out = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
        if (!['Pending', 'InProgress', 'Delayed'].includes(out.Status ?? '')) return out;
      } catch (e) {
        if ((e as Error).name !== 'InvocationDoesNotExist') throw e;
      }
    }
  };

  it('runs the command lines as a file through sh, so the shebang picks bash, with the agent environment', async () => {
    // Act
    const commandId = await send(['#!/usr/bin/env bash', 'set -euo pipefail', 'echo "bash=${BASH_VERSINFO[0]} id=$AWS_SSM_INSTANCE_ID host=$SCRAPE_HOST"']);
    const early = ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: A }));

    // Assess
    await expect(early).rejects.toMatchObject({ name: 'InvocationDoesNotExist', $metadata: { httpStatusCode: 400 } });
    const out = await finished(commandId);
    expect(out).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, PluginName: 'aws:runShellScript' });
    expect(out.StandardOutputContent).toMatch(new RegExp(`^bash=\\d id=${A} host=127\\.0\\.1\\.1\\n$`));
    expect(control.calls()['ssm:SendCommand']).toBe(1);
    expect(control.calls()['ssm:GetCommandInvocation']).toBeGreaterThanOrEqual(2);
  });

  it('reports a non-zero exit as Failed with its code and stderr', async () => {
    const out = await finished(await send(['#!/usr/bin/env bash', 'echo broken >&2', 'exit 3']));

    expect(out).toMatchObject({ Status: 'Failed', ResponseCode: 3, StandardErrorContent: 'broken\n' });
  });

  it('kills a script that outlives executionTimeout and reports TimedOut', async () => {
    const out = await finished(await send(['#!/usr/bin/env bash', 'sleep 20'], [A], '1'));

    expect(out).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out' });
  });

  it('cuts stdout at 24,000 and stderr at 8,000 characters as the agent does', async () => {
    const out = await finished(await send(['#!/usr/bin/env bash', "head -c 30000 /dev/zero | tr '\\0' a", "head -c 9000 /dev/zero | tr '\\0' b >&2"]));

    expect(out.StandardOutputContent).toHaveLength(24_000);
    expect(out.StandardOutputContent?.endsWith('a--output truncated--')).toBe(true);
    expect(out.StandardErrorContent).toHaveLength(8_000);
  });

  it('rejects unknown and unmanaged instances with InvalidInstanceId, and more than 50 ids', async () => {
    control.setAgent(A, 'unmanaged');

    await expect(send(['true'], [A])).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(send(['true'], ['i-0ccccccccccccccc3'])).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(send(['true'], Array.from({ length: 51 }, () => B))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(control.calls()).toEqual({ 'ssm:SendCommand': 3 });
  });

  it('marks the invocation of an instance whose agent is offline Undeliverable', async () => {
    control.setAgent(A, 'offline');
    const commandId = await send(['true'], [A, B]);

    expect(await finished(commandId, A)).toMatchObject({ Status: 'Failed', StatusDetails: 'Undeliverable', ResponseCode: -1 });
    expect(await finished(commandId, B)).toMatchObject({ Status: 'Success' });
  });
});
