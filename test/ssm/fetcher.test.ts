import { randomBytes } from 'node:crypto';
import type { ScrapeError } from '../../src/scrape/errors';
import type { ScrapeBody } from '../../src/scrape/httpScraper';
import type { Result } from '../../src/result';
import { SsmCallError } from '../../src/scrape/ssmErrors';
import { createSsmFetcher, type SsmFetcherOptions } from '../../src/scrape/ssmFetcher';
import type { CommandInvocation, SendCommandRequest, SsmOutputStore, SsmPort } from '../../src/scrape/ssmPort';
import { cutLikeAgent, framedOutput, ssmTarget } from './helpers';

const instance = (n: number): string => `i-0${n.toString(16).padStart(16, '0')}`;

/** One target line as the command carried it. */
interface Line {
  instanceId: string;
  index: number;
  port: number;
  path: string;
}

/** An SsmPort that decodes the target data of each command and answers per instance with `respond`. */
class FakeSsm implements SsmPort {
  readonly sent: SendCommandRequest[] = [];
  sendError?: SsmCallError;
  respond: (lines: Line[]) => Partial<CommandInvocation> = (lines) => ({ stdout: framedOutput(lines.map(bodyOf)) });

  async sendCommand(req: SendCommandRequest): Promise<string> {
    this.sent.push(req);
    if (this.sendError) throw this.sendError;
    return String(this.sent.length - 1);
  }

  async getCommandInvocation(commandId: string, instanceId: string): Promise<CommandInvocation> {
    const lines = linesOf(this.sent[Number(commandId)]).filter((l) => l.instanceId === instanceId);
    return { status: 'Success', statusDetails: 'Success', responseCode: 0, stdout: '', stderr: '', ...this.respond(lines) };
  }
}

function linesOf(req: SendCommandRequest | undefined): Line[] {
  const data = req?.commands.find((c) => c.startsWith('MECS_TARGETS='))?.slice('MECS_TARGETS='.length) ?? '';
  return Buffer.from(data, 'base64')
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [instanceId = '', index = '', port = '', path = ''] = l.split(' ');
      return { instanceId, index: Number(index), port: Number(port), path };
    });
}

const bodyOf = (l: Line): string => `served ${l.port}${l.path}\n`;

async function fetchAll(ssm: SsmPort, targets = [ssmTarget(instance(1), 9100, '/metrics')], extra: Partial<SsmFetcherOptions> = {}, signal?: AbortSignal) {
  const fetcher = createSsmFetcher({ ssm, timeoutMs: 1000, maxBodyBytes: 100_000, pollIntervalMs: 1, maxPollIntervalMs: 5, ...extra });
  const out = new Map<string, Result<ScrapeBody, ScrapeError>>();
  await fetcher.fetchEach(targets, (t, r) => out.set(t.id, r), signal);
  return out;
}

describe('ssm fetcher', () => {
  it('refuses Fargate, awsvpc and unsafe targets without sending anything', async () => {
    // Prepare
    const ssm = new FakeSsm();
    const awsvpc = { ...ssmTarget(instance(1), 9100, '/metrics', 'awsvpc'), networkMode: 'awsvpc' as const };

    // Act
    const out = await fetchAll(ssm, [ssmTarget(undefined, 9100, '/metrics', 'fargate'), awsvpc, ssmTarget(instance(1), 9100, '/m etrics', 'space')]);

    // Assess
    expect(ssm.sent).toEqual([]);
    expect([...out.values()].map((r) => !r.ok && r.error.kind)).toEqual(['address-not-allowed', 'address-not-allowed', 'address-not-allowed']);
    expect(out.get('prod/fargate/app:8080')).toMatchObject({ ok: false, error: { message: expect.stringContaining('SCRAPE_MODE=direct') } });
  });

  it('sends one command per 50 instances and gives each target its own body', async () => {
    // Prepare: 60 instances with 2 targets each.
    const ssm = new FakeSsm();
    const targets = Array.from({ length: 120 }, (_, i) => ssmTarget(instance(i % 60), 9000 + i, `/metrics?i=${i}`, `t${i}`));

    // Act
    const out = await fetchAll(ssm, targets);

    // Assess
    expect(ssm.sent.map((r) => r.instanceIds.length)).toEqual([50, 10]);
    expect(ssm.sent[0]).toMatchObject({ deliveryTimeoutS: 30, executionTimeoutS: 6, outputS3Bucket: undefined });
    expect(out.size).toBe(120);
    for (const t of targets) expect(out.get(t.id)).toMatchObject({ ok: true, value: { body: `served ${t.port}${t.path}\n`, status: 200 } });
  });

  it('reports targets cut off by the 24,000-character limit with the size the output needed', async () => {
    // Prepare: 40 bodies of ~1 KB of digits do not fit once compressed.
    const ssm = new FakeSsm();
    const big = (l: Line): string => `${l.index}:` + Array.from({ length: 400 }, (_, k) => (k * 7919 + l.index * 104729) % 1000).join(',');
    ssm.respond = (lines) => ({ stdout: cutLikeAgent(framedOutput(lines.map(big))) });
    const full = (n: number) => framedOutput(Array.from({ length: n }, (_, index) => big({ instanceId: '', index, port: 0, path: '' })));
    const targets = Array.from({ length: 40 }, (_, i) => ssmTarget(instance(1), 9000 + i, '/metrics', `t${i}`));

    // Act
    const out = await fetchAll(ssm, targets);

    // Assess
    const results = targets.map((t) => out.get(t.id));
    expect(results[0]).toMatchObject({ ok: true });
    const cut = results.filter((r) => r && !r.ok);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut[0]).toMatchObject({
      ok: false,
      error: {
        kind: 'too-large',
        message: `SSM output truncated at 24,000 characters (${full(40).length} bytes needed) on ${instance(1)}; set SSM_OUTPUT_BUCKET`,
      },
    });
  });

  it('reads the complete output from the output bucket when the inline one was cut', async () => {
    // Prepare
    const ssm = new FakeSsm();
    const complete = new Map<string, string>();
    // Base64 of random bytes hardly compresses: five bodies take more than 24,000 characters.
    const bodies = Array.from({ length: 5 }, () => randomBytes(4000).toString('base64'));
    ssm.respond = (lines) => {
      const stdout = framedOutput(lines.map((l) => bodies[l.index] ?? ''));
      const key = `mecs/cmd/${lines[0]?.instanceId}/awsrunShellScript/0.awsrunShellScript/stdout`;
      complete.set(key, stdout);
      return { stdout: cutLikeAgent(stdout), stdoutUrl: `https://s3.us-east-1.amazonaws.com/out-bucket/${key}` };
    };
    const reads: string[] = [];
    const s3: SsmOutputStore = { getObjectText: async (bucket, key) => (reads.push(`${bucket}/${key}`), complete.get(key) ?? '') };
    const targets = Array.from({ length: 5 }, (_, i) => ssmTarget(instance(1), 9000 + i, '/metrics', `t${i}`));

    // Act
    const out = await fetchAll(ssm, targets, { outputBucket: 'out-bucket', outputKeyPrefix: 'mecs', s3 });
    const noReader = await fetchAll(ssm, targets, { outputBucket: 'out-bucket' });

    // Assess
    expect(ssm.sent[0]).toMatchObject({ outputS3Bucket: 'out-bucket', outputS3KeyPrefix: 'mecs' });
    expect(reads).toEqual([`out-bucket/mecs/cmd/${instance(1)}/awsrunShellScript/0.awsrunShellScript/stdout`]);
    expect(targets.map((t) => out.get(t.id))).toEqual(bodies.map((body) => ({ ok: true, value: expect.objectContaining({ body }) })));
    expect(noReader.get(targets[4]?.id ?? '')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/truncated .*the complete output could not be read: no S3 reader is configured$/) } });
  });

  it('fails every target of an instance whose command failed, with the status and the script error', async () => {
    const ssm = new FakeSsm();
    ssm.respond = () => ({ status: 'Failed', statusDetails: 'Failed', responseCode: 2, stderr: 'bash: curl: command not found\n' });

    const out = await fetchAll(ssm);

    expect([...out.values()]).toEqual([
      { ok: false, error: expect.objectContaining({ kind: 'network', message: `SSM command Failed on ${instance(1)}: bash: curl: command not found` }) },
    ]);
  });

  it('names IAM when SendCommand is denied', async () => {
    const ssm = new FakeSsm();
    ssm.sendError = new SsmCallError('SendCommand', 'AccessDeniedException', 'not authorized');

    const out = await fetchAll(ssm);

    expect([...out.values()][0]).toMatchObject({ ok: false, error: { message: 'ssm:SendCommand was denied: check the IAM policy (README "IAM actions")' } });
  });

  it('stops waiting when the cycle is aborted', async () => {
    // Prepare: the command never finishes.
    const ssm = new FakeSsm();
    ssm.respond = () => ({ status: 'InProgress', statusDetails: 'InProgress' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);

    // Act
    const out = await fetchAll(ssm, undefined, {}, controller.signal);

    // Assess
    expect([...out.values()][0]).toMatchObject({ ok: false, error: { kind: 'aborted' } });
  });
});
