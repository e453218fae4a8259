/**
 * What the collector sends to the instances in ssm mode: which targets may go (validated here, never sent
 * otherwise), how they are grouped into SendCommand calls, and the command lines themselves. The targets travel
 * as base64 data in a variable assignment, so nothing a task definition says ever reaches the shell as code.
 */
import type { Target } from '../types';
import { SEND_COMMAND_MAX_INSTANCES } from './ssmPort';
import { SCRAPE_SCRIPT_LINES } from './ssmScript';

/**
 * Paths the script accepts (agent-script/scrape.sh checks the same pattern): RFC 3986 path and query characters,
 * no space, quote, backtick, backslash, brackets or braces (curl would glob those).
 */
export const SSM_PATH_PATTERN = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/;
/** Longer paths are refused: nothing legitimate needs more, and every byte is repeated per command. */
export const SSM_PATH_MAX_CHARS = 1024;
/**
 * Target data per SendCommand, in base64 characters. The API documents no size limit for `commands`; this keeps
 * each request far below any (about 700 targets a call), and a batch over it is split.
 */
export const SSM_DATA_MAX_CHARS = 32_000;
/** Targets the script fetches at once (`PARALLEL` in agent-script/scrape.sh; a test keeps the two equal). */
export const SCRIPT_PARALLEL = 8;
/** EC2 instance ids (8 or 17 hex digits) and hybrid managed nodes (`mi-`). */
const INSTANCE_ID_PATTERN = /^(i|mi)-[0-9a-f]{8,17}$/;
/** Upper bounds of the script's own checks of MECS_TIMEOUT_MS and MECS_MAX_BYTES (7 and 10 digits). */
const SCRIPT_MAX_TIMEOUT_MS = 9_999_999;
const SCRIPT_MAX_BYTES = 9_999_999_999;

/** A target on its way to the script: `index` is its line number within its instance. */
export interface SsmEntry {
  readonly target: Target;
  readonly index: number;
}

/** The targets of one instance. */
export interface InstanceWork {
  readonly instanceId: string;
  readonly entries: readonly SsmEntry[];
}

/** Why a target cannot be scraped through SSM, or undefined when it can. */
export function ssmTargetRefusal(t: Pick<Target, 'ec2InstanceId' | 'networkMode' | 'port' | 'path'>): string | undefined {
  if (t.ec2InstanceId === undefined || t.ec2InstanceId === '') {
    return 'no EC2 instance (Fargate): SSM Run Command cannot reach it; scrape it with SCRAPE_MODE=direct';
  }
  if (!INSTANCE_ID_PATTERN.test(t.ec2InstanceId)) return `invalid EC2 instance id ${JSON.stringify(t.ec2InstanceId.slice(0, 40))}`;
  if (t.networkMode === 'awsvpc') {
    return "awsvpc task: its ENI is not on the instance's loopback; scrape it with SCRAPE_MODE=direct";
  }
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) return `invalid port ${t.port}`;
  if (t.path.length > SSM_PATH_MAX_CHARS || !SSM_PATH_PATTERN.test(t.path)) {
    return `path ${JSON.stringify(t.path.slice(0, 80))} has characters the SSM script does not accept`;
  }
  return undefined;
}

/** Splits targets into per-instance work (first-seen order) and refusals. */
export function groupByInstance(targets: readonly Target[]): {
  work: InstanceWork[];
  refused: { target: Target; reason: string }[];
} {
  const byInstance = new Map<string, SsmEntry[]>();
  const refused: { target: Target; reason: string }[] = [];
  for (const target of targets) {
    const reason = ssmTargetRefusal(target);
    if (reason !== undefined || target.ec2InstanceId === undefined) {
      refused.push({ target, reason: reason ?? 'no EC2 instance' });
      continue;
    }
    let entries = byInstance.get(target.ec2InstanceId);
    if (!entries) byInstance.set(target.ec2InstanceId, (entries = []));
    entries.push({ target, index: entries.length });
  }
  return { work: [...byInstance].map(([instanceId, entries]) => ({ instanceId, entries })), refused };
}

function dataLines(batch: readonly InstanceWork[]): string {
  return batch.flatMap((w) => w.entries.map((e) => `${w.instanceId} ${e.index} ${e.target.port} ${e.target.path}\n`)).join('');
}

/** Base64 of the target lines of a batch: `<instance-id> <index> <port> <path>` per target. */
export function encodeTargetData(batch: readonly InstanceWork[]): string {
  return Buffer.from(dataLines(batch), 'utf8').toString('base64');
}

/** Groups instances into SendCommand batches: at most 50 instances and SSM_DATA_MAX_CHARS of data each. */
export function planBatches(work: readonly InstanceWork[]): InstanceWork[][] {
  const batches: InstanceWork[][] = [];
  let current: InstanceWork[] = [];
  let chars = 0;
  for (const w of work) {
    const size = Math.ceil(Buffer.byteLength(dataLines([w])) / 3) * 4;
    if (current.length > 0 && (current.length >= SEND_COMMAND_MAX_INSTANCES || chars + size > SSM_DATA_MAX_CHARS)) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(w);
    chars += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The AWS-RunShellScript `commands`: the script's shebang, three assignments built only from base64 characters
 * and digits, then the rest of the script. The SSM Agent writes these lines to a file and runs it.
 */
export function buildScriptCommands(data: string, limits: { timeoutMs: number; maxBodyBytes: number }): string[] {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new Error('target data must be base64');
  const [shebang, ...rest] = SCRAPE_SCRIPT_LINES;
  if (shebang === undefined || !shebang.startsWith('#!')) throw new Error('the embedded scrape script has no shebang');
  const timeoutMs = clampInt(limits.timeoutMs, SCRIPT_MAX_TIMEOUT_MS);
  const maxBytes = clampInt(limits.maxBodyBytes, SCRIPT_MAX_BYTES);
  return [shebang, `MECS_TARGETS=${data}`, `MECS_TIMEOUT_MS=${timeoutMs}`, `MECS_MAX_BYTES=${maxBytes}`, ...rest];
}

function clampInt(n: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(1, Math.floor(n))) : max;
}
