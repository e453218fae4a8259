import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameToResult, parseFramedOutput } from '../../src/scrape/ssmFraming';
import { buildScriptCommands, encodeTargetData, groupByInstance, ssmTargetRefusal } from '../../src/scrape/ssmTargets';
import type { Target } from '../../src/types';
import { deadPort, startServer, type LoopbackServer } from '../scrape/loopbackServer';
import { runAsAgent, ssmTarget } from './helpers';

const ME = 'i-0aaaaaaaaaaaaaaa1';
const OTHER = 'i-0bbbbbbbbbbbbbbb2';
const PROM = '# HELP up Up.\n# TYPE up gauge\nup 1\nhttp_requests_total{code="200"} 1027\n';
const JSON_BODY = '{"goroutine_num":12,"memory_alloc":1048576}';
const MAX_BODY_BYTES = 50_000;
const TIMEOUT_MS = 400;

/** Runs the collector's command for `targets` on instance ME and parses the output per target. */
async function scrapeOnInstance(targets: Target[], env: Record<string, string> = {}) {
  const { work } = groupByInstance(targets);
  const commands = buildScriptCommands(encodeTargetData(work), { timeoutMs: TIMEOUT_MS, maxBodyBytes: MAX_BODY_BYTES });
  const run = await runAsAgent(commands, { AWS_SSM_INSTANCE_ID: ME, ...env });
  const parsed = parseFramedOutput(run.stdout);
  const results = work.flatMap((w) =>
    w.entries.map((e) => {
      const frame = w.instanceId === ME ? parsed.frames.get(e.index) : undefined;
      const ctx = { targetId: e.target.id, port: e.target.port, instanceId: w.instanceId, timeoutMs: TIMEOUT_MS, maxBodyBytes: MAX_BODY_BYTES, durationMs: 0 };
      return { target: e.target, frame, result: frame ? frameToResult(frame, ctx) : undefined };
    }),
  );
  return { run, parsed, results };
}

describe('agent-script/scrape.sh run with real bash and curl against loopback servers', () => {
  let server: LoopbackServer;
  let hang: LoopbackServer;
  let refusedPort: number;

  beforeAll(async () => {
    server = await startServer((req, res, rec) => {
      if (rec.url === '/metrics') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(PROM);
      if (rec.url === '/api/stats') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON_BODY);
      if (rec.url === '/big-declared') return void res.writeHead(200, { 'content-length': 200_000 }).end('x'.repeat(200_000));
      if (rec.url === '/big-chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 20; i++) res.write('y'.repeat(10_000));
        return void res.end();
      }
      res.writeHead(404).end('404 page not found\n');
    });
    hang = await startServer(() => undefined);
    refusedPort = await deadPort();
  });
  afterAll(async () => {
    await server.close();
    await hang.close();
  });

  it('returns each body framed per target, and a framed reason for each failure', async () => {
    // Prepare
    const targets = [
      ssmTarget(ME, server.port, '/metrics', 'prom'),
      ssmTarget(ME, server.port, '/api/stats', 'json'),
      ssmTarget(ME, refusedPort, '/metrics', 'refused'),
      ssmTarget(ME, hang.port, '/metrics', 'hang'),
      ssmTarget(ME, server.port, '/big-declared', 'declared'),
      ssmTarget(ME, server.port, '/big-chunked', 'chunked'),
      ssmTarget(ME, server.port, '/missing', 'missing'),
      ssmTarget(OTHER, server.port, '/metrics', 'elsewhere'),
    ];

    const before = server.requests.length;

    // Act
    const { run, parsed, results } = await scrapeOnInstance(targets);

    // Assess
    expect(run.code).toBe(0);
    expect(parsed.complete).toBe(true);
    expect(parsed.neededChars).toBe(run.stdout.length);
    const byName = Object.fromEntries(results.map((r) => [r.target.id.split('/')[1], r]));
    expect(byName.prom?.result).toEqual({ ok: true, value: { body: PROM, bytes: PROM.length, status: 200, durationMs: 0 } });
    expect(byName.json?.result).toMatchObject({ ok: true, value: { body: JSON_BODY } });
    expect(byName.refused?.result).toMatchObject({ ok: false, error: { kind: 'refused', message: `connection refused (127.0.0.1:${refusedPort} on ${ME})` } });
    expect(byName.hang?.result).toMatchObject({ ok: false, error: { kind: 'timeout', message: `timed out after ${TIMEOUT_MS} ms` } });
    expect(byName.declared?.result).toMatchObject({ ok: false, error: { kind: 'too-large', message: `body larger than ${MAX_BODY_BYTES} bytes` } });
    expect(byName.chunked?.result).toMatchObject({ ok: false, error: { kind: 'too-large' } });
    expect(byName.missing?.result).toMatchObject({ ok: false, error: { kind: 'http-status', status: 404, message: 'HTTP 404' } });
    // Lines of other instances in the same command are not this instance's business: never fetched.
    expect(parsed.frames.size).toBe(7);
    expect(server.requests.slice(before).filter((r) => r.url === '/metrics')).toHaveLength(1);
  });

  it('sends a hostile path that passes validation to the server as plain data, never running it', async () => {
    // Prepare
    const marker = join(tmpdir(), `mecs-pwned-${process.pid}-${Date.now()}`);
    const path = `/metrics?q=$(touch$IFS${marker})&r=';touch$IFS${marker};'`;
    expect(ssmTargetRefusal(ssmTarget(ME, server.port, path))).toBeUndefined();

    // Act
    const { results } = await scrapeOnInstance([ssmTarget(ME, server.port, path)]);

    // Assess
    expect(server.requests.map((r) => r.url)).toContain(path);
    expect(existsSync(marker)).toBe(false);
    expect(results[0]?.result).toMatchObject({ ok: false, error: { kind: 'http-status', status: 404 } });
  });

  it('refuses paths with quotes, backticks, spaces, braces or newlines before anything is sent', () => {
    const refused = ['/metrics`reboot`', '/m" ; rm -rf /', "/a b", '/x{1..3}', '/a\nb', 'metrics', '/a\\b'];
    for (const path of refused) {
      expect(ssmTargetRefusal(ssmTarget(ME, 8080, path))).toMatch(/has characters the SSM script does not accept/);
    }
    const { work, refused: out } = groupByInstance(refused.map((p) => ssmTarget(ME, 8080, p)));
    expect(work).toEqual([]);
    expect(out).toHaveLength(refused.length);
  });

  it('refuses a target line it did not get from the collector, as a framed error', async () => {
    // Prepare: a line with a space in the path, as a hand-made payload could hold.
    const data = Buffer.from(`${ME} 0 ${server.port} /metrics extra\n${ME} 1 0 /metrics\n${ME} 2 ${server.port} /metrics\n`).toString('base64');
    const commands = buildScriptCommands(data, { timeoutMs: TIMEOUT_MS, maxBodyBytes: MAX_BODY_BYTES });

    // Act
    const run = await runAsAgent(commands, { AWS_SSM_INSTANCE_ID: ME });
    const parsed = parseFramedOutput(run.stdout);

    // Assess
    expect(parsed.frames.get(0)).toMatchObject({ status: 'error', payload: 'invalid target line' });
    expect(parsed.frames.get(1)).toMatchObject({ status: 'error', payload: 'invalid target line' });
    expect(parsed.frames.get(2)).toMatchObject({ status: 'ok', bytes: PROM.length });
  });

  it('says why it cannot run instead of failing: no instance id, or a SCRAPE_HOST outside loopback', async () => {
    const commands = buildScriptCommands(encodeTargetData([]), { timeoutMs: TIMEOUT_MS, maxBodyBytes: MAX_BODY_BYTES });

    const noId = await runAsAgent(commands, {});
    const badHost = await runAsAgent(commands, { AWS_SSM_INSTANCE_ID: ME, SCRAPE_HOST: '169.254.169.254' });

    expect(noId).toMatchObject({ code: 0, stdout: '@@MECS1 FATAL AWS_SSM_INSTANCE_ID is not set (SSM Agent too old?)\n' });
    expect(parseFramedOutput(badHost.stdout).fatal).toBe('SCRAPE_HOST must be a 127.x.y.z address');
  });

  it('curls the SCRAPE_HOST address when the simulator sets one', async () => {
    // Prepare: a server only on 127.0.0.3, where 127.0.0.1 would be refused.
    const other = await startServer((_req, res) => void res.writeHead(200).end('on 127.0.0.3\n'), '127.0.0.3');
    try {
      // Act
      const { results } = await scrapeOnInstance([ssmTarget(ME, other.port, '/')], { SCRAPE_HOST: '127.0.0.3' });

      // Assess
      expect(results[0]?.result).toMatchObject({ ok: true, value: { body: 'on 127.0.0.3\n', status: 200 } });
    } finally {
      await other.close();
    }
  });
});
