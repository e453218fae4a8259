import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { DescribeTaskDefinitionCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsEcsPort } from '../../src/discovery/awsEcs';
import { createDiscoveryCaches, discoverCluster, type DiscoveryDeps } from '../../src/discovery/fetcher';
import { isCandidateTaskDefinition, resolveTargets } from '../../src/discovery/targetResolver';
import { createS3OutputStore } from '../../src/scrape/awsS3';
import { createAwsSsmPort } from '../../src/scrape/awsSsm';
import { fakeCluster } from './fakeCluster';
import { fixtureRules } from './fixtures';

// Issue 8, item 4: a hung AWS call held the cycle until its deadline, and the CLI (no deadline) for ever.
const API_TD = 'arn:aws:ecs:eu-west-1:111122223333:task-definition/api:42';
const SHORT_MS = 50;
const rules = fixtureRules();
const isCandidate = (td: Parameters<typeof isCandidateTaskDefinition>[0]) => isCandidateTaskDefinition(td, rules);
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

function deps(fake: ReturnType<typeof fakeCluster>, signal?: AbortSignal): DiscoveryDeps {
  return { ecs: fake.ecs, ec2: fake.ec2, caches: createDiscoveryCaches(), isCandidate, ...(signal ? { signal } : {}) };
}

/** An endpoint on loopback that accepts every request and never answers; records when each connection closes. */
async function startSilentEndpoint(): Promise<{ server: Server; url: string; closed: Promise<IncomingMessage> }> {
  let onClosed: (req: IncomingMessage) => void = () => undefined;
  const closed = new Promise<IncomingMessage>((resolve) => (onClosed = resolve));
  const server = createServer((req) => {
    req.resume();
    req.socket.once('close', () => onClosed(req));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, closed };
}

describe('AWS calls that never answer', () => {
  it('reports a ListTasks that hangs on the wire as timed out, and closes the connection', async () => {
    // Prepare
    const endpoint = await startSilentEndpoint();
    const client = new ECSClient({
      region: 'eu-west-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
      maxAttempts: 1,
    });
    const ecs = createAwsEcsPort(client, { callTimeoutMs: 200 });

    try {
      // Act
      const snapshot = await discoverCluster('prod', { ecs, caches: createDiscoveryCaches() });

      // Assess
      expect(snapshot.issues).toEqual([{ target: 'prod', reason: 'ListTasks failed (cluster prod): timed out after 200 ms', stage: 'discovery', kind: 'timeout' }]);
      expect(snapshot.tasks).toEqual([]);
      const req = await endpoint.closed;
      expect(req.headers['x-amz-target']).toBe('AmazonEC2ContainerServiceV20141113.ListTasks');
    } finally {
      client.destroy();
      endpoint.server.close();
    }
  });

  it('reports a hung DescribeTaskDefinition as timed out and resolves the other task definitions', async () => {
    // Prepare
    const fake = fakeCluster({ ecs: { callTimeoutMs: SHORT_MS } });
    fake.ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: API_TD }).callsFake(never);

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(snapshot.issues).toContainEqual({ target: API_TD, reason: `DescribeTaskDefinition failed: timed out after ${SHORT_MS} ms`, stage: 'discovery', kind: 'timeout' });
    const families = resolveTargets(snapshot, rules).targets.map((t) => t.family);
    expect(families).not.toContain('api');
    expect(families).toEqual(expect.arrayContaining(['worker', 'billing', 'gostats-app']));
  });

  it('reports a hung DescribeInstances as timed out for its batch', async () => {
    // Prepare
    const fake = fakeCluster({ ec2: { callTimeoutMs: SHORT_MS } });
    fake.ec2Mock.on(DescribeInstancesCommand).callsFake(never);

    // Act
    const snapshot = await discoverCluster('prod', deps(fake));

    // Assess
    expect(snapshot.issues).toContainEqual({ target: 'prod DescribeInstances batch 1/1', reason: `DescribeInstances failed: timed out after ${SHORT_MS} ms`, stage: 'discovery', kind: 'timeout' });
  });

  it('ends the cycle, not with a timeout issue, when the cycle deadline fires during a hung call', async () => {
    // Prepare: the call's own timeout is far away; the cycle's deadline comes first.
    const fake = fakeCluster();
    fake.ecsMock.on(ListTasksCommand).callsFake(never);
    const cycle = new AbortController();
    setTimeout(() => cycle.abort(new Error('cycle deadline')), 20);

    // Act / Assess
    await expect(discoverCluster('prod', deps(fake, cycle.signal))).rejects.toThrow('cycle deadline');
  });

  it('fails a hung SSM SendCommand and GetCommandInvocation as ordinary call errors', async () => {
    // Prepare
    const client = new SSMClient({ region: 'eu-west-1' });
    const ssmMock = mockClient(client);
    ssmMock.on(SendCommandCommand).callsFake(never).on(GetCommandInvocationCommand).callsFake(never);
    const ssm = createAwsSsmPort(client, { callTimeoutMs: SHORT_MS });
    const request = { instanceIds: ['i-0aa11bb22cc33dd44'], commands: ['true'], executionTimeoutS: 30, deliveryTimeoutS: 30, comment: 'test' };

    // Act / Assess
    await expect(ssm.sendCommand(request)).rejects.toMatchObject({
      name: 'SsmCallError',
      code: 'CallTimeoutError',
      message: `SendCommand failed: timed out after ${SHORT_MS} ms`,
    });
    await expect(ssm.getCommandInvocation('cmd-1', 'i-0aa11bb22cc33dd44')).rejects.toMatchObject({
      code: 'CallTimeoutError',
      message: `GetCommandInvocation failed: timed out after ${SHORT_MS} ms`,
    });
  });

  it('gives up on an S3 output object whose body stalls', async () => {
    // Prepare: one chunk, then nothing more.
    const client = new S3Client({ region: 'eu-west-1' });
    const s3Mock = mockClient(client);
    async function* stalled(): AsyncGenerator<Buffer> {
      yield Buffer.from('@@MECS1 BEGIN 1 40\n');
      await never<void>();
    }
    s3Mock.on(GetObjectCommand).resolves({ Body: Readable.from(stalled()) as unknown as GetObjectCommandOutput['Body'] });
    const store = createS3OutputStore(client, { callTimeoutMs: SHORT_MS });

    // Act / Assess
    await expect(store.getObjectText('ops-ssm-output', 'cmd/i-0abc/stdout', 1024)).rejects.toThrow(`timed out after ${SHORT_MS} ms`);
  });
});
