/**
 * How many targets fit in one invocation's inline output (GetCommandInvocation's 24,000 characters) before
 * SSM_OUTPUT_BUCKET is needed: one simulated instance per kind of generated body, with more targets than can fit,
 * scraped through the real ssm fetcher and agent-script/scrape.sh. The targets whose frames arrived whole are the
 * measured fit; the script's BEGIN line says how many characters the whole output needed.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { generatedScenario, ssmTargetOf, startSimulation, type SampleKind } from '../sim';
import { createAwsSsmPort } from '../src/scrape/awsSsm';
import { createSsmFetcher } from '../src/scrape/ssmFetcher';
import { parseFramedOutput } from '../src/scrape/ssmFraming';
import { INVOCATION_STDOUT_MAX_CHARS, OUTPUT_TRUNCATED_SUFFIX, type SsmPort } from '../src/scrape/ssmPort';
import { renderRows } from './table';

/** The fit of one kind of body. */
export interface FitResult {
  readonly kind: SampleKind;
  /** Targets sent to the instance. */
  readonly targets: number;
  /** Mean body size before compression. */
  readonly meanBodyBytes: number;
  /** Characters the complete output needed per target (BEGIN line's total / targets): header line + gzip+base64 body. */
  readonly charsPerTarget: number;
  /** Targets whose frames arrived whole in the inline output. */
  readonly fitInline: number;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Scrapes `perInstance` targets of each kind on one instance per kind and reports what fit. */
export async function measureFit(kinds: readonly SampleKind[], perInstance: number): Promise<FitResult[]> {
  const sim = await startSimulation(
    generatedScenario(perInstance * kinds.length, { cluster: 'fit', tasksPerInstance: perInstance, tasksPerService: perInstance, kinds }),
  );
  // As in the simulator's env: the SDK's Node 20 end-of-support notice is noise in the table.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new SSMClient({
    region: sim.env.AWS_REGION,
    endpoint: sim.env.AWS_ENDPOINT_URL_SSM,
    credentials: { accessKeyId: sim.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: sim.env.AWS_SECRET_ACCESS_KEY ?? '' },
  });
  try {
    const real = createAwsSsmPort(client);
    const stdoutOf = new Map<string, string>();
    const port: SsmPort = {
      sendCommand: (req, signal) => real.sendCommand(req, signal),
      getCommandInvocation: async (commandId, instanceId, signal) => {
        const inv = await real.getCommandInvocation(commandId, instanceId, signal);
        stdoutOf.set(instanceId, inv.stdout);
        return inv;
      },
    };
    const fetcher = createSsmFetcher({ ssm: port, timeoutMs: 5000, maxBodyBytes: MAX_BODY_BYTES, pollIntervalMs: 100, maxPollIntervalMs: 500 });
    const tasks = sim.tasks();
    const okBytes = new Map<string, number[]>();
    await fetcher.fetchEach(tasks.map(ssmTargetOf), (target, result) => {
      if (result.ok) okBytes.set(target.ec2InstanceId ?? '', [...(okBytes.get(target.ec2InstanceId ?? '') ?? []), result.value.bytes]);
    });
    return kinds.map((kind, i) => {
      const instanceId = sim.instances()[i]?.instanceId ?? '';
      const bytes = okBytes.get(instanceId) ?? [];
      const needed = parseFramedOutput(stdoutOf.get(instanceId) ?? '').neededChars ?? NaN;
      const targets = tasks.filter((t) => t.instanceId === instanceId).length;
      return {
        kind,
        targets,
        meanBodyBytes: bytes.reduce((a, b) => a + b, 0) / Math.max(1, bytes.length),
        charsPerTarget: needed / targets,
        fitInline: bytes.length,
      };
    });
  } finally {
    client.destroy();
    await sim.stop();
  }
}

/** The fit table, with the count the per-target size predicts next to the measured one. */
export function fitTable(results: readonly FitResult[]): string {
  const usable = INVOCATION_STDOUT_MAX_CHARS - OUTPUT_TRUNCATED_SUFFIX.length;
  return renderRows([
    ['body kind', 'targets sent', 'body bytes (mean)', 'output chars/target', 'fit inline (measured)', `${usable.toLocaleString('en-US')} / chars per target`],
    ...results.map((r) => [
      r.kind,
      String(r.targets),
      r.meanBodyBytes.toFixed(0),
      r.charsPerTarget.toFixed(1),
      String(r.fitInline),
      Math.floor(usable / r.charsPerTarget).toString(),
    ]),
  ]);
}
