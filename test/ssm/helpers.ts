/** Shared helpers of the ssm tests: run the sent command lines as the SSM Agent does, and build targets. */
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { INVOCATION_STDOUT_MAX_CHARS, OUTPUT_TRUNCATED_SUFFIX } from '../../src/scrape/ssmPort';
import type { Target } from '../../src/types';

/** What a run of the script printed. */
export interface ScriptRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * Writes `commands` to `_script.sh` and runs `sh -c <file>` as amazon-ssm-agent's runscript plugin does, with the
 * environment the agent gives (AWS_SSM_INSTANCE_ID) plus `env`.
 */
export async function runAsAgent(commands: readonly string[], env: Record<string, string>): Promise<ScriptRun> {
  const dir = await mkdtemp(join(tmpdir(), 'ssm-test-'));
  try {
    const file = join(dir, '_script.sh');
    await writeFile(file, commands.join('\n') + '\n');
    await chmod(file, 0o700);
    return await new Promise<ScriptRun>((resolve, reject) => {
      const child = spawn('sh', ['-c', file], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => errs.push(c));
      child.once('error', reject);
      child.once('close', (code) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), code }));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** True when the `shellcheck` binary is on PATH. */
export function hasShellcheck(): boolean {
  return spawnSync('shellcheck', ['--version']).status === 0;
}

/** An EC2 bridge target on `instanceId` (address 127.0.0.1, as discovery resolves it in ssm mode). */
export function ssmTarget(instanceId: string | undefined, port: number, path: string, name = `t${port}`): Target {
  return {
    id: `prod/${name}/app:8080`,
    cluster: 'prod',
    service: 'app',
    family: 'app',
    revision: 1,
    taskId: '0123456789abcdef0123456789abcdef',
    taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef',
    containerName: 'app',
    launchType: instanceId === undefined ? 'FARGATE' : 'EC2',
    networkMode: instanceId === undefined ? 'awsvpc' : 'bridge',
    ec2InstanceId: instanceId,
    address: '127.0.0.1',
    port,
    containerPort: 8080,
    path,
    format: 'prometheus',
    prefix: 'app',
  };
}

/** Script output holding `bodies` as ok frames (index = position), in the format agent-script/scrape.sh prints. */
export function framedOutput(bodies: readonly string[]): string {
  const frames = bodies
    .map((b, i) => `@@MECS1 ${i} ok 0 200 ${Buffer.byteLength(b)}\n${gzipSync(Buffer.from(b)).toString('base64')}\n`)
    .join('');
  return `@@MECS1 BEGIN ${bodies.length} ${frames.length}\n${frames}@@MECS1 END ${bodies.length}\n`;
}

/** Cuts output the way the SSM Agent does for GetCommandInvocation (amazon-ssm-agent pluginutil.ReadPrefix). */
export function cutLikeAgent(stdout: string, max = INVOCATION_STDOUT_MAX_CHARS): string {
  return stdout.length < max ? stdout : stdout.slice(0, max - OUTPUT_TRUNCATED_SUFFIX.length) + OUTPUT_TRUNCATED_SUFFIX;
}
