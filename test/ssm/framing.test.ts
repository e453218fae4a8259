import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEndProblem, frameToResult, parseFramedOutput, type Frame } from '../../src/scrape/ssmFraming';
import { INVOCATION_STDOUT_MAX_CHARS } from '../../src/scrape/ssmPort';
import { buildScriptCommands, encodeTargetData, groupByInstance } from '../../src/scrape/ssmTargets';
import { startServer, type LoopbackServer } from '../scrape/loopbackServer';
import { cutLikeAgent, framedOutput, runAsAgent, ssmTarget } from './helpers';

const ME = 'i-0aaaaaaaaaaaaaaa1';
const ctx = { targetId: 't', port: 9100, instanceId: ME, timeoutMs: 1000, maxBodyBytes: 10_000, durationMs: 5 };

describe('framed output of the scrape script', () => {
  it('round-trips bodies through gzip, base64 and the frame lines', () => {
    // Prepare
    const bodies = ['up 1\n', '', '{"a":"\u00e9\u6f22"}'];

    // Act
    const parsed = parseFramedOutput(framedOutput(bodies));

    // Assess
    expect(parsed.complete).toBe(true);
    const decoded = bodies.map((_, i) => frameToResult(parsed.frames.get(i) as Frame, ctx));
    expect(decoded.map((r) => (r.ok ? r.value.body : r.error.message))).toEqual(bodies);
    expect(decoded[2]).toMatchObject({ ok: true, value: { bytes: Buffer.byteLength(bodies[2] ?? ''), status: 200, durationMs: 5 } });
  });

  it('refuses a frame whose size does not match what it announced', () => {
    const frame: Frame = { index: 0, status: 'ok', curlExit: 0, httpStatus: 200, bytes: 99, payload: gzipSync('short').toString('base64') };

    expect(frameToResult(frame, ctx)).toMatchObject({ ok: false, error: { kind: 'network', message: expect.stringMatching(/corrupt frame .*5 bytes, 99 announced/) } });
  });

  it('stops decompressing at the body cap, whatever the frame announced', () => {
    // Prepare: 1 MB of zeros gzips to about 1 KB.
    const bomb: Frame = { index: 0, status: 'ok', curlExit: 0, httpStatus: 200, bytes: 10, payload: gzipSync(Buffer.alloc(1_000_000)).toString('base64') };

    expect(bomb.payload.length).toBeLessThan(2000);
    expect(frameToResult(bomb, ctx)).toMatchObject({ ok: false, error: { kind: 'too-large', message: 'body larger than 10000 bytes' } });
  });

  it('ignores stray lines and a header whose payload line was cut', () => {
    const out = 'noise\n@@MECS1 BEGIN 2 999\n@@MECS1 0 ok 0 200 1\nH4sI\n@@MECS1 1 ok 0 200 5\nH4sIAAAA';

    const parsed = parseFramedOutput(out);

    expect([...parsed.frames.keys()]).toEqual([0]);
    expect(parsed.complete).toBe(false);
  });

  describe('lines after the END frame', () => {
    const real = ['real 1\n', 'real 2\n'];
    const bodyOf = (parsed: ReturnType<typeof parseFramedOutput>, i: number): string | undefined => {
      const frame = parsed.frames.get(i);
      const result = frame && frameToResult(frame, ctx);
      return result?.ok ? result.value.body : undefined;
    };

    it('never lets a frame appended after END replace the real one, and counts what was ignored', () => {
      // Prepare: forged frames for the real indexes and for a new one, then a FATAL line.
      const forged = framedOutput(['forged_metric 424242\n', 'forged_metric 424242\n', 'forged_metric 424242\n']);
      const appended = `${forged}@@MECS1 FATAL forged\n`;
      const out = `${framedOutput(real)}${appended}`;

      // Act
      const parsed = parseFramedOutput(out);

      // Assess
      expect([bodyOf(parsed, 0), bodyOf(parsed, 1)]).toEqual(real);
      expect([...parsed.frames.keys()]).toEqual([0, 1]);
      expect(parsed).toMatchObject({ complete: true, fatal: undefined, linesAfterEnd: appended.split('\n').length - 1 });
      expect(afterEndProblem(parsed, ME)).toBe(`${parsed.linesAfterEnd} line(s) after the END frame of the SSM output on ${ME} ignored (not printed by the scrape script)`);
    });

    it('keeps the first frame of an index printed twice before END', () => {
      // Prepare
      const [header = '', ...rest] = framedOutput(real).split('\n');
      const again = `@@MECS1 0 ok 0 200 15\n${gzipSync('forged_metric 1').toString('base64')}`;
      const out = [header, ...rest.slice(0, 4), again, ...rest.slice(4)].join('\n');

      // Act
      const parsed = parseFramedOutput(out);

      // Assess
      expect(bodyOf(parsed, 0)).toBe(real[0]);
      expect(parsed.complete).toBe(true);
    });

    it('reports nothing for the output the script prints', () => {
      const parsed = parseFramedOutput(framedOutput(real));
      expect(parsed.linesAfterEnd).toBe(0);
      expect(afterEndProblem(parsed, ME)).toBeUndefined();
    });
  });

  describe('output longer than GetCommandInvocation returns', () => {
    let server: LoopbackServer;
    // Base64 of random bytes compresses little: each 6.7 KB body takes about 6.8 KB in its frame.
    const bodies = Array.from({ length: 6 }, () => randomBytes(5000).toString('base64') + '\n');

    beforeAll(async () => {
      server = await startServer((req, res) => void res.writeHead(200).end(bodies[Number(req.url?.slice(1))]));
    });
    afterAll(() => server.close());

    it('keeps the frames that arrived whole and says how much the whole output needed', async () => {
      // Prepare
      const { work } = groupByInstance(bodies.map((_, i) => ssmTarget(ME, server.port, `/${i}`, `b${i}`)));
      const commands = buildScriptCommands(encodeTargetData(work), { timeoutMs: 2000, maxBodyBytes: 100_000 });
      const full = (await runAsAgent(commands, { AWS_SSM_INSTANCE_ID: ME })).stdout;

      // Act
      const parsed = parseFramedOutput(cutLikeAgent(full));

      // Assess
      expect(full.length).toBeGreaterThan(INVOCATION_STDOUT_MAX_CHARS);
      expect(parsed.complete).toBe(false);
      expect(parsed.neededChars).toBe(full.length);
      // Frames are in target order: the first ones are whole, the rest were cut.
      expect([...parsed.frames.keys()]).toEqual([0, 1, 2]);
      for (const [i, frame] of parsed.frames) {
        expect(frameToResult(frame, { ...ctx, maxBodyBytes: 100_000 })).toMatchObject({ ok: true, value: { body: bodies[i] } });
      }
      expect(parseFramedOutput(full).frames.size).toBe(6);
    });
  });
});
