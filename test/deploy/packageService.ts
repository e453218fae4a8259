/**
 * Runs the real `serverless package` (osls, offline, fake credentials as .ci/run does) on this repo's
 * serverless.yml with a chosen environment, and reads the CloudFormation template it writes. Each run uses
 * its own service directory (symlinks to the repo, serverless.yml copied: osls wants a real file), so runs
 * can go in parallel and never touch the work tree's `.esbuild/` or `.serverless/`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
const OSLS_BIN = path.join(REPO_ROOT, 'node_modules/osls/bin/serverless.js');
/** Left out of the service directory: build output of other runs, and the repository itself. */
const NOT_LINKED = new Set(['.git', '.serverless', '.esbuild', 'serverless.yml']);
const PACKAGE_TIMEOUT_MS = 80_000;

/** The parts of a CloudFormation template the deploy tests read. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>>;
}

/** The outcome of one `serverless package`: exit code, stdout+stderr, and the template when it succeeded. */
export interface Packaged {
  readonly code: number | null;
  readonly output: string;
  readonly template?: CfnTemplate;
}

/** Packages the service with exactly `env` (plus PATH and the fake credentials); nothing else leaks in. */
export async function packageService(env: Readonly<Record<string, string>>): Promise<Packaged> {
  const work = mkdtempSync(path.join(tmpdir(), 'deploy-test-'));
  const service = path.join(work, 'service');
  const out = path.join(work, 'out');
  try {
    linkService(service);
    const { code, output } = await run(service, out, {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
      AWS_ACCESS_KEY_ID: 'AKIAPACKAGEONLY',
      AWS_SECRET_ACCESS_KEY: 'package-only',
      AWS_REGION: 'us-east-1',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      ...env,
    });
    if (code !== 0) return { code, output };
    const template = JSON.parse(readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
    return { code, output, template };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function linkService(dir: string): void {
  mkdirSync(dir);
  for (const entry of readdirSync(REPO_ROOT)) {
    if (!NOT_LINKED.has(entry)) symlinkSync(path.join(REPO_ROOT, entry), path.join(dir, entry));
  }
  copyFileSync(path.join(REPO_ROOT, 'serverless.yml'), path.join(dir, 'serverless.yml'));
}

function run(cwd: string, out: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OSLS_BIN, 'package', '--stage', 'ci', '--package', out], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), PACKAGE_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Every Lambda function of the template, by logical id. */
export function lambdaFunctions(template: CfnTemplate): Map<string, Record<string, unknown>> {
  const fns = new Map<string, Record<string, unknown>>();
  for (const [id, r] of Object.entries(template.Resources)) if (r.Type === 'AWS::Lambda::Function') fns.set(id, r.Properties ?? {});
  return fns;
}

/** A function's environment variables (empty when it has none). */
export function environmentOf(fn: Record<string, unknown>): Record<string, unknown> {
  const env = fn.Environment as { Variables?: Record<string, unknown> } | undefined;
  return env?.Variables ?? {};
}

/** The properties of every CloudWatch alarm in the template. */
export function alarmsOf(template: CfnTemplate): Record<string, unknown>[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => r.Properties ?? {});
}

/** The IAM statements of every role in the template. */
export function iamStatements(template: CfnTemplate): { Action: unknown; Resource: unknown }[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Role')
    .flatMap((r) => (r.Properties?.Policies as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }[] | undefined) ?? [])
    .flatMap((p) => p.PolicyDocument.Statement);
}

/**
 * Evaluates the intrinsics an ARN is built with (Ref of a pseudo parameter, Fn::Join, Fn::Sub without a
 * variable map) as CloudFormation would in a stack with the given pseudo parameters.
 */
export function evaluate(node: unknown, pseudo: Readonly<Record<string, string>>): string {
  const lookup = (name: string): string => {
    const v = pseudo[name];
    if (v === undefined) throw new Error(`no value for ${name}`);
    return v;
  };
  if (typeof node === 'string') return node;
  if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.Ref === 'string') return lookup(o.Ref);
    if (typeof o['Fn::Sub'] === 'string') return o['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_m, name: string) => lookup(name));
    const join = o['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return (join[1] as unknown[]).map((part) => evaluate(part, pseudo)).join(join[0]);
    }
  }
  throw new Error(`cannot evaluate ${JSON.stringify(node)}`);
}
