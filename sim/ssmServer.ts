/**
 * Simulated SSM endpoint (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Action>`, the protocol @aws-sdk/client-ssm
 * uses): SendCommand runs AWS-RunShellScript for real. Like the SSM Agent (amazon-ssm-agent
 * plugins/runscript), it writes the `commands` lines to `_script.sh` and runs `sh -c <file>`, so the script's
 * shebang decides the shell; the environment carries AWS_SSM_INSTANCE_ID as the agent sets it, plus SCRAPE_HOST =
 * the simulated instance's loopback address, so that 127.0.0.1 in the script reaches that instance's services.
 * Invocations are invisible for `invisibleMs` (InvocationDoesNotExist), Pending while queued, InProgress, then
 * Success / Failed (non-zero exit) / TimedOut (executionTimeout); stdout and stderr are cut as the agent cuts them.
 * GetParameters serves Parameter Store values put with `SsmControl.putParameter` (the Mackerel API key as a
 * SecureString, as @middy/ssm reads it in the Lambda). As in SSM, a name that does not exist is no error: it comes
 * back under `InvalidParameters`; a parameter the policy denies (`SsmControl.denyParameter`) fails the whole call
 * with AccessDeniedException.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsControl } from './awsControl';
import { AwsJsonError as SsmError, awsJsonHandler, type JsonInput as Input } from './awsJson';
import { SIM_ACCOUNT, SIM_REGION } from './ecsShapes';
import { listenHttp, type RunningServer } from './httpServer';

/** SendCommand InstanceIds: 1 to 50. TimeoutSeconds: 30 to 2,592,000. executionTimeout: 1 to 172,800. */
const MAX_INSTANCES = 50;
const STDOUT_MAX = 24_000;
const STDERR_MAX = 8_000;
/** amazon-ssm-agent pluginutil.ReadPrefix: output of at least the limit keeps limit − 20 bytes, then this. */
const TRUNCATED_SUFFIX = '--output truncated--';

/** GetParameters Names: 1 to 10 (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html). */
const MAX_PARAMETER_NAMES = 10;

/** `arn:aws:ssm:<region>:<account>:parameter/`: a parameter's ARN is this plus its name without the leading slash. */
const PARAMETER_ARN_PREFIX = `arn:aws:ssm:${SIM_REGION}:${SIM_ACCOUNT}:parameter/`;

/** The simulated caller: the collector function's role session. */
const SIM_CALLER_ARN = `arn:aws:sts::${SIM_ACCOUNT}:assumed-role/collector/fn`;

/** A parameter's ARN: the ARN as given, or the prefix plus the name without its leading slash. */
function parameterArn(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn : PARAMETER_ARN_PREFIX + nameOrArn.replace(/^\//, '');
}

/** The parameter the deploy names by default (serverless.yml); `npx tsx sim/main.ts` puts the receiver's key there. */
export const SIM_API_KEY_PARAMETER = '/mackerel-ecs-collector/api-key';

/** Parameter Store types. */
export type SsmParameterType = 'String' | 'StringList' | 'SecureString';

interface StoredParameter {
  readonly type: SsmParameterType;
  readonly value: string;
  readonly version: number;
  readonly lastModified: Date;
}

/** How an instance's SSM Agent behaves: `unmanaged` → InvalidInstanceId on SendCommand; `offline` → Undeliverable. */
export type SsmAgentState = 'online' | 'offline' | 'unmanaged';

/** Call counts and error injection (AwsControl) plus the agent's behaviour and timings. */
export class SsmControl extends AwsControl {
  /** How long a new invocation is invisible to GetCommandInvocation. */
  invisibleMs = 100;
  /** Scripts running at once across all instances; the rest wait as Pending (one machine plays every instance). */
  maxRunning = 32;
  private readonly agents = new Map<string, SsmAgentState>();
  private readonly parameters = new Map<string, StoredParameter>();
  private readonly deniedParameters = new Set<string>();

  constructor(latencyMs = 0) {
    super('ssm', latencyMs);
  }

  setAgent(instanceId: string, state: SsmAgentState): void {
    this.agents.set(instanceId, state);
  }

  agent(instanceId: string): SsmAgentState {
    return this.agents.get(instanceId) ?? 'online';
  }

  /** Creates or overwrites a Parameter Store parameter (as PutParameter with Overwrite: each put is a new version). */
  putParameter(name: string, value: string, type: SsmParameterType = 'SecureString'): void {
    const version = (this.parameters.get(name)?.version ?? 0) + 1;
    this.parameters.set(name, { type, value, version, lastModified: new Date() });
  }

  /**
   * Makes the caller's IAM policy deny `ssm:GetParameters` on this parameter (by name or ARN; it need not exist:
   * IAM is evaluated before the lookup). As in SSM, the whole call then fails with AccessDeniedException naming
   * the parameter's ARN, whatever else it asked for.
   */
  denyParameter(nameOrArn: string): void {
    this.deniedParameters.add(parameterArn(nameOrArn));
  }

  /** Whether the simulated policy denies reading this parameter. */
  isDenied(nameOrArn: string): boolean {
    return this.deniedParameters.has(parameterArn(nameOrArn));
  }

  /**
   * A stored parameter by its name or its ARN (whose resource part drops the name's leading slash, so both
   * spellings are tried). Selectors (`name:version`, `name:label`) are not simulated: they find nothing.
   */
  parameter(nameOrArn: string): (StoredParameter & { readonly name: string }) | undefined {
    const candidates = nameOrArn.startsWith(PARAMETER_ARN_PREFIX)
      ? [`/${nameOrArn.slice(PARAMETER_ARN_PREFIX.length)}`, nameOrArn.slice(PARAMETER_ARN_PREFIX.length)]
      : [nameOrArn];
    for (const name of candidates) {
      const stored = this.parameters.get(name);
      if (stored) return { ...stored, name };
    }
    return undefined;
  }
}


interface Invocation {
  readonly commandId: string;
  readonly instanceId: string;
  readonly address: string;
  readonly commands: readonly string[];
  readonly executionTimeoutS: number;
  readonly visibleAt: number;
  status: string;
  details: string;
  responseCode: number;
  started?: Date;
  ended?: Date;
  stdout: string;
  stderr: string;
  child?: ChildProcess;
}


/**
 * Starts the SSM endpoint on 127.0.0.1. `addressOf` maps an instance id to its loopback address (undefined:
 * unknown to the simulation → InvalidInstanceId). `close()` kills every script still running.
 */
export async function startSsmServer(addressOf: (instanceId: string) => string | undefined, control: SsmControl): Promise<RunningServer> {
  const invocations = new Map<string, Invocation>();
  const queue: Invocation[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let running = 0;
  let closed = false;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const startNext = (): void => {
    while (!closed && running < control.maxRunning && queue.length > 0) {
      const inv = queue.shift();
      if (inv) void run(inv);
    }
  };
  const run = async (inv: Invocation): Promise<void> => {
    running++;
    inv.status = inv.details = 'InProgress';
    inv.started = new Date();
    const dir = await mkdtemp(join(tmpdir(), 'sim-ssm-'));
    const script = join(dir, '_script.sh');
    await writeFile(script, inv.commands.join('\n') + '\n');
    await chmod(script, 0o700);
    if (closed) return void (await rm(dir, { recursive: true, force: true }));
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_SSM_INSTANCE_ID: inv.instanceId, AWS_SSM_REGION_NAME: SIM_REGION, SCRAPE_HOST: inv.address };
    const child = spawn('sh', ['-c', script], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    inv.child = child;
    const out = capture(child.stdout, STDOUT_MAX);
    const errOut = capture(child.stderr, STDERR_MAX);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, inv.executionTimeoutS * 1000);
    const exit = await new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('close', (code) => resolve(code));
    });
    clearTimeout(timer);
    inv.stdout = out.text();
    inv.stderr = errOut.text();
    inv.ended = new Date();
    inv.child = undefined;
    if (timedOut) [inv.status, inv.details, inv.responseCode] = ['TimedOut', 'Execution Timed Out', exit ?? -1];
    else if (exit === 0) [inv.status, inv.details, inv.responseCode] = ['Success', 'Success', 0];
    else [inv.status, inv.details, inv.responseCode] = ['Failed', 'Failed', exit ?? -1];
    await rm(dir, { recursive: true, force: true });
    running--;
    startNext();
  };

  const sendCommand = (input: Input): string => {
    if (input.DocumentName !== 'AWS-RunShellScript') throw new SsmError('InvalidDocument', `Document ${String(input.DocumentName)} does not exist.`);
    const ids = input.InstanceIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_INSTANCES || !ids.every((i): i is string => typeof i === 'string')) {
      throw new SsmError('ValidationException', `InstanceIds must hold 1 to ${MAX_INSTANCES} instance ids.`);
    }
    const timeout = input.TimeoutSeconds;
    if (timeout !== undefined && (typeof timeout !== 'number' || timeout < 30 || timeout > 2_592_000)) {
      throw new SsmError('ValidationException', 'TimeoutSeconds must be between 30 and 2592000.');
    }
    const params = (input.Parameters ?? {}) as Input;
    const commands = params.commands;
    if (!Array.isArray(commands) || commands.length === 0 || !commands.every((c): c is string => typeof c === 'string')) {
      throw new SsmError('InvalidParameters', 'Parameter "commands" is required and must be a list of strings.');
    }
    const execParam = params.executionTimeout ?? ['3600'];
    const execS = Array.isArray(execParam) && typeof execParam[0] === 'string' && /^[1-9][0-9]{0,5}$/.test(execParam[0]) ? Number(execParam[0]) : NaN;
    if (!(execS <= 172_800)) throw new SsmError('InvalidParameters', 'Parameter "executionTimeout" must be 1 to 172800 seconds.');
    const bad = ids.filter((id) => addressOf(id) === undefined || control.agent(id) === 'unmanaged');
    if (bad.length > 0) throw new SsmError('InvalidInstanceId', `Instances [[${bad.join(', ')}]] not in a valid state for account 111122223333`);

    const commandId = randomUUID();
    const visibleAt = Date.now() + control.invisibleMs;
    for (const instanceId of ids) {
      const inv: Invocation = { commandId, instanceId, address: addressOf(instanceId) ?? '', commands, executionTimeoutS: execS, visibleAt, status: 'Pending', details: 'Pending', responseCode: -1, stdout: '', stderr: '' };
      invocations.set(`${commandId}/${instanceId}`, inv);
      later(control.invisibleMs, () => {
        if (control.agent(instanceId) === 'offline') [inv.status, inv.details] = ['Failed', 'Undeliverable'];
        else {
          queue.push(inv);
          startNext();
        }
      });
    }
    const bucket = typeof input.OutputS3BucketName === 'string' ? input.OutputS3BucketName : '';
    return JSON.stringify({
      Command: { CommandId: commandId, DocumentName: 'AWS-RunShellScript', InstanceIds: ids, Parameters: params, Status: 'Pending', StatusDetails: 'Pending', RequestedDateTime: Date.now() / 1000, TimeoutSeconds: timeout ?? 3600, OutputS3BucketName: bucket, Comment: input.Comment ?? '', TargetCount: ids.length, CompletedCount: 0, ErrorCount: 0 },
    });
  };

  const getCommandInvocation = (input: Input): string => {
    const inv = invocations.get(`${String(input.CommandId)}/${String(input.InstanceId)}`);
    if (!inv || Date.now() < inv.visibleAt) throw new SsmError('InvocationDoesNotExist', '');
    if (input.PluginName !== undefined && input.PluginName !== 'aws:runShellScript') throw new SsmError('InvalidPluginName', 'Invalid plugin name.');
    return JSON.stringify({
      CommandId: inv.commandId,
      InstanceId: inv.instanceId,
      DocumentName: 'AWS-RunShellScript',
      DocumentVersion: '1',
      PluginName: 'aws:runShellScript',
      ResponseCode: inv.responseCode,
      ExecutionStartDateTime: inv.started?.toISOString() ?? '',
      ExecutionEndDateTime: inv.ended?.toISOString() ?? '',
      ExecutionElapsedTime: inv.started && inv.ended ? `PT${(inv.ended.getTime() - inv.started.getTime()) / 1000}S` : '',
      Status: inv.status,
      StatusDetails: inv.details,
      StandardOutputContent: inv.stdout,
      StandardOutputUrl: '',
      StandardErrorContent: inv.stderr,
      StandardErrorUrl: '',
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    });
  };

  const getParameters = (input: Input): string => {
    const names = input.Names;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n): n is string => typeof n === 'string' && n.length > 0)) {
      throw new SsmError('ValidationException', "1 validation error detected: Value null at 'names' failed to satisfy constraint: Member must not be null");
    }
    if (names.length > MAX_PARAMETER_NAMES) {
      throw new SsmError('ValidationException', `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PARAMETER_NAMES}`);
    }
    const denied = names.find((n) => control.isDenied(n));
    if (denied !== undefined) {
      // The message of an identity-based policy that does not allow the action on the resource (IAM's wording).
      throw new SsmError('AccessDeniedException', `User: ${SIM_CALLER_ARN} is not authorized to perform: ssm:GetParameters on resource: ${parameterArn(denied)} because no identity-based policy allows the ssm:GetParameters action`);
    }
    const decrypt = input.WithDecryption === true;
    const found = [...new Set(names)].map((n) => ({ asked: n, p: control.parameter(n) }));
    return JSON.stringify({
      // "The results for GetParameters requests are listed in alphabetical order" (API reference).
      Parameters: found
        .flatMap(({ p }) => (p ? [p] : []))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((p) => ({
          Name: p.name,
          Type: p.type,
          // Without WithDecryption a SecureString comes back as its KMS ciphertext (base64), never the value.
          Value: p.type === 'SecureString' && !decrypt ? ciphertextOf(p.name, p.version) : p.value,
          Version: p.version,
          LastModifiedDate: p.lastModified.getTime() / 1000,
          ARN: PARAMETER_ARN_PREFIX + p.name.replace(/^\//, ''),
          DataType: 'text',
        })),
      InvalidParameters: found.filter(({ p }) => !p).map(({ asked }) => asked),
    });
  };

  const actions: Record<string, (input: Input) => string> = { SendCommand: sendCommand, GetCommandInvocation: getCommandInvocation, GetParameters: getParameters };
  const server = await listenHttp(
    awsJsonHandler({ targetPrefix: 'AmazonSSM.', actions, serverErrorCode: 'InternalServerError', notAnObjectMessage: 'Expected an object.' }, control),
  );
  return {
    ...server,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      for (const inv of invocations.values()) if (inv.child) killGroup(inv.child);
      await server.close();
    },
  };
}

/** An opaque stand-in for KMS ciphertext: stable per parameter version, and derived from nothing secret. */
function ciphertextOf(name: string, version: number): string {
  return Buffer.concat([Buffer.from('sim-kms-ciphertext'), createHash('sha256').update(`${name}:${version}`).digest()]).toString('base64');
}

/** Keeps what the agent would return of a stream: all of it below `max` bytes, else max − 20 bytes + the suffix. */
function capture(stream: NodeJS.ReadableStream, max: number): { text(): string } {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  stream.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (kept < max) {
      const part = chunk.subarray(0, max - kept);
      chunks.push(part);
      kept += part.length;
    }
  });
  return {
    text: () => {
      const all = Buffer.concat(chunks);
      return total < max ? all.toString('utf8') : all.subarray(0, max - TRUNCATED_SUFFIX.length).toString('utf8') + TRUNCATED_SUFFIX;
    },
  };
}

/** Kills the script and the curls it started (spawned detached: its own process group). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
