import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import ssm from '@middy/ssm';
import type { RunningServer } from '../../sim/httpServer';
import { SIM_API_KEY_PARAMETER, SsmControl, startSsmServer } from '../../sim/ssmServer';

const KEY = 'sim-api-key-for-parameters';
const KEY_ARN = 'arn:aws:ssm:us-east-1:111122223333:parameter/mackerel-ecs-collector/api-key';
const CLIENT_OPTIONS = { region: 'us-east-1', credentials: { accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'simulator-secret' } };

describe('simulated SSM Parameter Store (real SSMClient, JSON 1.1 GetParameters)', () => {
  let control: SsmControl;
  let server: RunningServer;
  let client: SSMClient;

  beforeAll(async () => {
    control = new SsmControl();
    control.putParameter(SIM_API_KEY_PARAMETER, KEY);
    control.putParameter('plain', 'a,b', 'StringList');
    server = await startSsmServer(() => undefined, control);
    client = new SSMClient({ ...CLIENT_OPTIONS, endpoint: server.url });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  it('returns the key parameter as a decrypted SecureString in the documented shape', async () => {
    // Act
    const out = await client.send(new GetParametersCommand({ Names: [SIM_API_KEY_PARAMETER], WithDecryption: true }));

    // Assess
    expect(out.InvalidParameters).toEqual([]);
    expect(out.Parameters).toEqual([
      { Name: SIM_API_KEY_PARAMETER, Type: 'SecureString', Value: KEY, Version: 1, ARN: KEY_ARN, DataType: 'text', LastModifiedDate: expect.any(Date) },
    ]);
    expect(Math.abs((out.Parameters?.[0]?.LastModifiedDate?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('returns a SecureString as opaque ciphertext, never the value, without WithDecryption', async () => {
    // Act
    const first = await client.send(new GetParametersCommand({ Names: [SIM_API_KEY_PARAMETER] }));
    const again = await client.send(new GetParametersCommand({ Names: [SIM_API_KEY_PARAMETER], WithDecryption: false }));

    // Assess
    const value = first.Parameters?.[0]?.Value ?? '';
    expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(value).not.toContain(KEY);
    expect(Buffer.from(value, 'base64').toString('latin1')).not.toContain(KEY);
    expect(again.Parameters?.[0]?.Value).toBe(value);
  });

  it('lists unknown names under InvalidParameters and the found ones in alphabetical order', async () => {
    // Act
    const out = await client.send(new GetParametersCommand({ Names: ['plain', '/no/such', SIM_API_KEY_PARAMETER], WithDecryption: true }));

    // Assess
    expect(out.Parameters?.map((p) => [p.Name, p.Type, p.Value])).toEqual([
      [SIM_API_KEY_PARAMETER, 'SecureString', KEY],
      ['plain', 'StringList', 'a,b'],
    ]);
    expect(out.InvalidParameters).toEqual(['/no/such']);
  });

  it('finds a parameter by its ARN, whose resource drops the leading slash', async () => {
    // Act
    const out = await client.send(new GetParametersCommand({ Names: [KEY_ARN], WithDecryption: true }));

    // Assess
    expect(out.Parameters?.map((p) => [p.Name, p.ARN, p.Value])).toEqual([[SIM_API_KEY_PARAMETER, KEY_ARN, KEY]]);
    expect(out.InvalidParameters).toEqual([]);
  });

  it('refuses more than 10 names as SSM does', async () => {
    // Act
    const call = client.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/p${i}`) }));

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('less than or equal to 10') });
  });

  it('gives @middy/ssm the key the way the Lambda handlers read it', async () => {
    // Prepare
    const handler = middy<unknown, unknown>()
      .use(ssm({ fetchData: { mackerelApiKey: SIM_API_KEY_PARAMETER }, setToContext: true, awsClientOptions: { ...CLIENT_OPTIONS, endpoint: server.url } }))
      .handler(async (_event, context) => (context as unknown as { mackerelApiKey?: unknown }).mackerelApiKey);

    // Act
    const key = await handler({}, { getRemainingTimeInMillis: () => 30_000 } as never);

    // Assess
    expect(key).toBe(KEY);
  });

  it('serves a new version after the value is put again', async () => {
    // Prepare
    control.putParameter('/rotated', 'old');
    control.putParameter('/rotated', 'new');

    // Act
    const out = await client.send(new GetParametersCommand({ Names: ['/rotated'], WithDecryption: true }));

    // Assess
    expect(out.Parameters?.map((p) => [p.Value, p.Version])).toEqual([['new', 2]]);
  });
});
