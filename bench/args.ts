/**
 * Command-line options of `npm run bench -- [options]`. Unknown flags are an error (a typo must not silently
 * run the default 10,000-task benchmark).
 */

/** Where the simulator runs relative to the collector. */
export type SimPlacement = 'separate' | 'same';

/** SCRAPE_MODE of the measured cycles: `ssm` runs bench/ssmBench.ts. */
export type BenchMode = 'direct' | 'ssm';

/** Everything one benchmark run is parameterised by. */
export interface BenchOptions {
  /** Task counts, one child process each. */
  readonly sizes: readonly number[];
  /** SCRAPE_CONCURRENCY values; every size runs once per value. */
  readonly concurrencies: readonly number[];
  readonly tasksPerInstance: number;
  /** Simulated latency of every ECS/EC2 call. */
  readonly awsLatencyMs: number;
  /** Simulated latency of every target response. */
  readonly targetLatencyMs: number;
  /** Latency added in front of every Mackerel API request (latency proxy; 0 = none). */
  readonly mackerelLatencyMs: number;
  /** `separate`: simulator in the bench's main process, collector alone in the child (default). */
  readonly sim: SimPlacement;
  /** A child still running after this long is killed and the size reported as failed. */
  readonly maxSecondsPerRun: number;
  /** Write the raw results as JSON to this file as well. */
  readonly jsonFile?: string;
  /** Directory for a V8 CPU profile of each child (`node --cpu-prof`). */
  readonly cpuProfDir?: string;
  readonly mode: BenchMode;
  /** ssm mode: the simulator's SsmControl.maxRunning (bash scripts at once); undefined = its default, 32. */
  readonly ssmMaxRunning?: number;
  /** ssm mode: skip the targets-per-invocation measurement. */
  readonly ssmSkipFit?: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  sizes: [100, 1_000, 10_000],
  concurrencies: [256], // the collector's default SCRAPE_CONCURRENCY
  tasksPerInstance: 10,
  awsLatencyMs: 20,
  targetLatencyMs: 5,
  mackerelLatencyMs: 0,
  sim: 'separate',
  maxSecondsPerRun: 300,
  mode: 'direct',
};

/** ssm mode's sizes when --sizes is not given: 100 instances × 10 targets. */
const SSM_DEFAULT_SIZES = [1_000];

export const USAGE = `usage: npm run bench -- [options]
  --sizes 100,1000,10000      task counts (one child process each)
  --concurrency 256[,64]      SCRAPE_CONCURRENCY (each value runs every size; default 256)
  --tasks-per-instance 10     tasks per simulated EC2 instance
  --aws-latency 20            ms added to every simulated ECS/EC2 call
  --target-latency 5          ms added to every simulated metrics response
  --mackerel-latency 0        ms added to every Mackerel API request (a delaying proxy)
  --sim separate|same         simulator in the bench process (default) or in the collector's child
  --max-seconds 300           kill a run that takes longer
  --json FILE                 also write the raw results as JSON
  --cpu-prof DIR              write a V8 CPU profile of each child into DIR
  --mode direct|ssm           SCRAPE_MODE of the cycles (ssm: default size 1000, simulator separate only)
  --ssm-max-running N         ssm: scripts the simulated SSM runs at once (default: the simulator's 32)
  --ssm-skip-fit true         ssm: skip the targets-per-invocation measurement`;

function intList(flag: string, value: string, min: number, max: number): number[] {
  const out = value.split(',').map((s) => s.trim().replace(/_/g, ''));
  if (out.some((s) => !/^\d+$/.test(s) || Number(s) < min || Number(s) > max)) {
    throw new Error(`${flag}: expected comma-separated integers from ${min} to ${max}, got "${value}"`);
  }
  return out.map(Number);
}

/** Parses argv (without node and the script); throws an Error naming the bad flag. */
export function parseArgs(argv: readonly string[]): BenchOptions | 'help' {
  let o: BenchOptions = DEFAULT_OPTIONS;
  let sizesGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag}: missing value`);
    const one = (min: number, max: number): number => intList(flag, value, min, max)[0] ?? min;
    switch (flag) {
      case '--sizes':
        o = { ...o, sizes: intList(flag, value, 1, 100_000) };
        sizesGiven = true;
        break;
      case '--concurrency':
        o = { ...o, concurrencies: intList(flag, value, 1, 1024) };
        break;
      case '--tasks-per-instance':
        o = { ...o, tasksPerInstance: one(1, 1000) };
        break;
      case '--aws-latency':
        o = { ...o, awsLatencyMs: one(0, 10_000) };
        break;
      case '--target-latency':
        o = { ...o, targetLatencyMs: one(0, 10_000) };
        break;
      case '--mackerel-latency':
        o = { ...o, mackerelLatencyMs: one(0, 10_000) };
        break;
      case '--max-seconds':
        o = { ...o, maxSecondsPerRun: one(1, 3600) };
        break;
      case '--sim':
        if (value !== 'separate' && value !== 'same') throw new Error(`--sim: expected separate or same, got "${value}"`);
        o = { ...o, sim: value };
        break;
      case '--json':
        o = { ...o, jsonFile: value };
        break;
      case '--cpu-prof':
        o = { ...o, cpuProfDir: value };
        break;
      case '--mode':
        if (value !== 'direct' && value !== 'ssm') throw new Error(`--mode: expected direct or ssm, got "${value}"`);
        o = { ...o, mode: value };
        break;
      case '--ssm-max-running':
        o = { ...o, ssmMaxRunning: one(1, 10_000) };
        break;
      case '--ssm-skip-fit':
        if (value !== 'true' && value !== 'false') throw new Error(`--ssm-skip-fit: expected true or false, got "${value}"`);
        o = { ...o, ssmSkipFit: value === 'true' };
        break;
      default:
        throw new Error(`unknown option "${arg}"\n${USAGE}`);
    }
  }
  if (o.mode === 'ssm') {
    // The recording proxy and the fit measurement need the simulator in this process.
    if (o.sim === 'same') throw new Error('--mode ssm: only --sim separate is supported');
    if (o.cpuProfDir !== undefined) throw new Error('--mode ssm: --cpu-prof is not supported');
    if (!sizesGiven) o = { ...o, sizes: SSM_DEFAULT_SIZES };
  }
  return o;
}
