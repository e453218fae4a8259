/** The CLI as a child process (`node bin/mackerel-ecs-collector.cjs …`), killed after `killAfterMs`. */
import { spawn } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

/** How a CLI run ended. `killed`: it was still running at the time limit. */
export interface CliRun {
  readonly code: number | null;
  readonly killed: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
}

/** Runs the CLI with process.env + `env`; asynchronous, since the simulator serves from this process. */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>>, killAfterMs: number): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/mackerel-ecs-collector.cjs'), ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-200_000)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-200_000)));
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, killed, stdout, stderr, wallMs: Date.now() - started });
    });
  });
}
