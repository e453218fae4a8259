import { DEFAULT_CLI_DEADLINE_MS, EXIT, main, parseDuration } from '../../src/cli';

/** Runs the CLI in-process and captures what it printed. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('CLI options', () => {
  it.each(['collect', 'discover', 'refresh', 'dashboards', 'demo'])('prints the usage for "%s --help" and exits 0', async (command) => {
    const r = await run(command, '--help');
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toContain('usage: mackerel-ecs-collector');
    expect(r.stderr).toBe('');
  });

  it('prints the package version for --version', async () => {
    const r = await run('--version');
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses "demo --cycles abc" as a usage error before starting anything', async () => {
    const r = await run('demo', '--cycles', 'abc');
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.stderr).toContain('--cycles "abc" is not a whole number');
  });

  it('reads --deadline as seconds, minutes or milliseconds, and refuses anything else', () => {
    expect(parseDuration(undefined)).toBe(DEFAULT_CLI_DEADLINE_MS);
    expect(parseDuration('50')).toBe(50_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('45000ms')).toBe(45_000);
    expect(() => parseDuration('soon')).toThrow(/--deadline "soon" is not a duration/);
  });

  it('ends a collect whose deadline fires with exit 4 and its summary', async () => {
    // ECS at a loopback port where nothing listens would fail fast; a black-hole server makes the deadline fire.
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const saved = { ...process.env };
    Object.assign(process.env, {
      ECS_CLUSTERS: 'prod', DRY_RUN: 'true', MACKEREL_API_KEY: '', ALLOWED_CIDRS: '127.0.0.0/8', LOG_LEVEL: 'error', AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIATEST', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_ECS: `http://127.0.0.1:${port}`, AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${port}`,
    });
    try {
      const r = await run('collect', '--json', '--deadline', '300ms');
      expect(r.code).toBe(EXIT.DEADLINE);
      expect(JSON.parse(r.stdout)).toMatchObject({ aborted: expect.stringMatching(/^deadline/) });
    } finally {
      process.env = saved;
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
