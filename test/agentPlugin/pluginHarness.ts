import { execFileSync, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The plugin under test, run with real bash. */
export const PLUGIN = path.resolve(__dirname, '../../agent-script/mackerel-plugin-ecs-tasks');
/** The stand-in docker CLI (bash): `docker ps --filter label=… --format …` and `docker port ID PORT/tcp`. */
const DOCKER_STANDIN = path.resolve(__dirname, 'fixtures/docker');
/** Absolute, so a run with a PATH that lacks bash (the "no docker" case) still starts. */
const BASH = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();

/** One container as the stand-in docker knows it. */
export interface FakeContainer {
  /** 64 hex characters; `docker ps` prints the first 12, as the real CLI does. */
  readonly id: string;
  /** `{{.Names}}`, e.g. `ecs-api-3-web-a8f0c2d4e6b8c0d2e401`. */
  readonly names: string;
  /** `{{.Networks}}`: `bridge`, `host`, or '' (awsvpc containers share the pause container's namespace). */
  readonly networks: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `docker port` output per `<port>/tcp`, one entry per line, e.g. ['0.0.0.0:32768', '[::]:32768']. */
  readonly ports?: Readonly<Record<string, readonly string[]>>;
}

/** What one plugin run printed. */
export interface PluginRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temp dir holding a `docker` stand-in on PATH, its containers, and the plugin's state dir. */
export interface PluginSandbox {
  readonly root: string;
  readonly stateDir: string;
  /** Runs the plugin (async: the loopback servers live in this process and must keep answering). */
  run(env?: Readonly<Record<string, string>>): Promise<PluginRun>;
  /** The argument lines the stand-in docker was called with, in order. */
  dockerCalls(): Promise<string[]>;
  /**
   * Moves every counter baseline in the state files `seconds` into the past; returns the new times. With `only`,
   * just the baselines whose key it accepts (a series with its own timestamps keeps the exporter's time).
   */
  ageState(seconds: number, only?: (key: string) => boolean): Promise<number[]>;
  cleanup(): Promise<void>;
}

async function writeContainer(root: string, n: number, c: FakeContainer): Promise<void> {
  const dir = path.join(root, 'containers', String(n).padStart(2, '0'));
  await mkdir(path.join(dir, 'ports'), { recursive: true });
  await writeFile(path.join(dir, 'id'), `${c.id}\n`);
  await writeFile(path.join(dir, 'names'), `${c.names}\n`);
  await writeFile(path.join(dir, 'networks'), `${c.networks}\n`);
  await writeFile(path.join(dir, 'labels'), Object.entries(c.labels).map(([k, v]) => `${k}=${v}\n`).join(''));
  for (const [spec, lines] of Object.entries(c.ports ?? {})) {
    await writeFile(path.join(dir, 'ports', spec.replace('/', '_')), lines.map((l) => `${l}\n`).join(''));
  }
}

/** Sets up a sandbox for these containers. */
export async function createSandbox(containers: readonly FakeContainer[]): Promise<PluginSandbox> {
  const root = await mkdtemp(path.join(tmpdir(), 'ecs-tasks-plugin-'));
  const bin = path.join(root, 'bin');
  const stateDir = path.join(root, 'state');
  await mkdir(bin);
  await mkdir(stateDir);
  await copyFile(DOCKER_STANDIN, path.join(bin, 'docker'));
  await chmod(path.join(bin, 'docker'), 0o755);
  await writeFile(path.join(root, 'calls.log'), '');
  for (const [n, c] of containers.entries()) await writeContainer(root, n + 1, c);

  const stateFiles = async (): Promise<string[]> =>
    (await readdir(stateDir)).filter((f) => f.endsWith('.state')).map((f) => path.join(stateDir, f));

  return {
    root,
    stateDir,
    run: (env = {}) =>
      runPlugin({
        // Only what the plugin needs: no inherited METRIC_KEY, META flag or proxy settings.
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        FAKE_DOCKER_DIR: root,
        MACKEREL_PLUGIN_WORKDIR: stateDir,
        TMPDIR: root,
        ...env,
      }),
    dockerCalls: async () => (await readFile(path.join(root, 'calls.log'), 'utf8')).split('\n').filter((l) => l !== ''),
    ageState: async (seconds, only = () => true) => {
      const times: number[] = [];
      for (const file of await stateFiles()) {
        const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
        const aged = lines.map((l) => {
          const [key = '', value = '', time = ''] = l.split(' ');
          if (!only(key)) return `${l}\n`;
          const t = Number(time) - seconds;
          times.push(t);
          return `${key} ${value} ${t}\n`;
        });
        await writeFile(file, aged.join(''));
      }
      return times;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Spawns the plugin with exactly this environment. */
export function runPlugin(env: Readonly<Record<string, string>>): Promise<PluginRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(BASH, [PLUGIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One plugin text line. */
export interface PluginLine {
  readonly name: string;
  readonly value: number;
  readonly epoch: number;
}

/** Parses `<name>\t<value>\t<epoch>` lines; throws on anything else so format slips fail loudly. */
export function pluginLines(stdout: string): PluginLine[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const fields = l.split('\t');
      const [name = '', value = '', epoch = ''] = fields;
      if (fields.length !== 3 || !/^\d+$/.test(epoch) || value === '' || Number.isNaN(Number(value))) {
        throw new Error(`not a plugin text line: ${JSON.stringify(l)}`);
      }
      return { name, value: Number(value), epoch: Number(epoch) };
    });
}

/** name → value. */
export function valuesByName(lines: readonly PluginLine[]): Record<string, number> {
  return Object.fromEntries(lines.map((l) => [l.name, l.value]));
}
