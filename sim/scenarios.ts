/**
 * Ready-made simulations: the end-to-end cluster and generated clusters for the benchmark.
 *
 * Standard scenario, cluster `prod` (region us-east-1, account 111122223333). Ports are never fixed (host
 * and awsvpc ports are OS-picked too), so parallel jest workers can each run it. Instances:
 *   #0 127.0.1.1, #1 127.0.1.2: have a Mackerel host (customIdentifier `<instance-id>.ec2.amazonaws.com`)
 *   #2 127.0.1.3: NO Mackerel host (its metrics cannot be posted: "unknown host")
 *
 * | family / service        | mode   | inst | endpoint        | labels (container port)                         | expect        |
 * |-------------------------|--------|------|-----------------|-------------------------------------------------|---------------|
 * | api / service:api  ×2   | bridge | #0   | gostats         | mackerel.metrics.port=8080, format=gostats       | 2 targets, 2 different dynamic host ports; path /api/stats; bindings duplicated for "::"; unlabelled envoy sidecar |
 * | web / service:web       | bridge | #1   | prometheus      | ECS_PROMETHEUS_EXPORTER_PORT=9100, ECS_PROMETHEUS_METRICS_PATH=/internal/metrics | target, format prometheus |
 * | worker / service:worker | host   | #1   | plugin text     | port={OS-picked}, format=plugin, path=/plugin/metrics, prefix=worker | target on the container port |
 * | queue / service:queue   | awsvpc | #0   | prometheus      | mackerel.metrics.port={OS-picked} (format default) | target 127.0.4.23:<container port> |
 * | frontend / service:frontend | bridge | #1 | plain page    | none                                             | ignored (not a target) |
 * | batch / family:batch    | bridge | #0   | gostats         | none (standalone task)                           | target only via a TARGET_RULES rule (family ^batch$, port 8080, gostats) |
 * | legacy / service:legacy | bridge | #1   | refuses         | mackerel.metrics.port=9100, format=prometheus    | scrape fails: connection refused |
 * | stuck / service:stuck   | bridge | #1   | hangs           | mackerel.metrics.port=8080, format=gostats       | scrape fails: timeout |
 * | garbled / service:garbled | bridge | #1 | truncated JSON  | mackerel.metrics.port=8080, format=gostats       | scrape ok, parse fails |
 * | orphan / service:orphan | bridge | #2   | gostats         | mackerel.metrics.port=8080, format=gostats       | scraped, but no Mackerel host |
 * | edge / service:edge     | awsvpc FARGATE | – | prometheus | mackerel.metrics.port={OS-picked}, format=prometheus, prefix=edge | target 127.0.4.24:<container port>, no EC2 instance |
 *
 * 12 RUNNING tasks; 10 labelled targets (+1 with the batch rule); 5 healthy targets with a Mackerel host.
 */
import type { ClusterSpec, SampleKind, SimNetworkMode, SimulationOptions, TaskSpec } from './specs';

const gostatsLabels = { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.format': 'gostats' };

/** The end-to-end cluster described in this file's header. */
export function standardScenario(): SimulationOptions {
  const api: TaskSpec = {
    family: 'api',
    service: 'api',
    networkMode: 'bridge',
    instance: 0,
    kind: 'gostats',
    containerPort: 8080,
    labels: gostatsLabels,
    duplicateBinding: true,
    sidecar: true,
    tags: { team: 'core' },
  };
  const prod: ClusterSpec = {
    name: 'prod',
    instances: [{ address: '127.0.1.1' }, { address: '127.0.1.2' }, { address: '127.0.1.3', mackerelHost: false }],
    tasks: [
      api,
      api,
      {
        family: 'web',
        service: 'web',
        networkMode: 'bridge',
        instance: 1,
        kind: 'prometheus',
        containerPort: 9100,
        path: '/internal/metrics',
        labels: { ECS_PROMETHEUS_EXPORTER_PORT: '{port}', ECS_PROMETHEUS_METRICS_PATH: '/internal/metrics' },
      },
      {
        family: 'worker',
        service: 'worker',
        networkMode: 'host',
        instance: 1,
        kind: 'plugin',
        path: '/plugin/metrics',
        labels: {
          'mackerel.metrics.port': '{port}',
          'mackerel.metrics.format': 'plugin',
          'mackerel.metrics.path': '/plugin/metrics',
          'mackerel.metrics.prefix': 'worker',
        },
      },
      {
        family: 'queue',
        service: 'queue',
        networkMode: 'awsvpc',
        instance: 0,
        eniAddress: '127.0.4.23',
        kind: 'prometheus',
        labels: { 'mackerel.metrics.port': '{port}' },
      },
      { family: 'frontend', service: 'frontend', networkMode: 'bridge', instance: 1, kind: 'plain', containerPort: 80 },
      { family: 'batch', networkMode: 'bridge', instance: 0, kind: 'gostats', containerPort: 8080 },
      {
        family: 'legacy',
        service: 'legacy',
        networkMode: 'bridge',
        instance: 1,
        kind: 'refuse',
        containerPort: 9100,
        labels: { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.format': 'prometheus' },
      },
      { family: 'stuck', service: 'stuck', networkMode: 'bridge', instance: 1, kind: 'hang', containerPort: 8080, labels: gostatsLabels },
      { family: 'garbled', service: 'garbled', networkMode: 'bridge', instance: 1, kind: 'malformed', containerPort: 8080, labels: gostatsLabels },
      { family: 'orphan', service: 'orphan', networkMode: 'bridge', instance: 2, kind: 'gostats', containerPort: 8080, labels: gostatsLabels },
      {
        family: 'edge',
        service: 'edge',
        networkMode: 'awsvpc',
        launchType: 'FARGATE',
        eniAddress: '127.0.4.24',
        kind: 'prometheus',
        labels: { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.format': 'prometheus', 'mackerel.metrics.prefix': 'edge' },
      },
    ],
  };
  return { clusters: [prod] };
}

/** Options of `generatedScenario`. */
export interface GeneratedScenarioOptions {
  /** Cluster name (default `bench`). */
  readonly cluster?: string;
  /** Tasks per instance (default 10). */
  readonly tasksPerInstance?: number;
  /** Tasks per ECS service (default 50); services take the endpoint kinds in turn. */
  readonly tasksPerService?: number;
  /** Endpoint kinds, one per service in turn (default gostats, prometheus, plugin). */
  readonly kinds?: readonly SampleKind[];
  /** Network modes, one per service in turn (default bridge only; awsvpc ENIs: see nextEniAddress). */
  readonly networkModes?: readonly SimNetworkMode[];
  /** Every n-th instance has no Mackerel host (default 0 = all have one). */
  readonly instanceWithoutHostEvery?: number;
  readonly awsLatencyMs?: number;
  readonly targetLatencyMs?: number;
}

/** Loopback address number `n` inside 127.<second>.0.0/16, skipping .0 and .255 last octets. */
function loopback(second: number, n: number): string {
  return `127.${second}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/**
 * ENI addresses of generated awsvpc tasks, which bind the fixed port 8080: a block per process
 * (127.10–209.x.y by pid) and a counter across calls, so that simulations in parallel jest workers or
 * in one process do not bind the same address and port.
 */
const ENI_BLOCK = 10 + (process.pid % 200);
let eniCounter = 0;
const nextEniAddress = (): string => loopback(ENI_BLOCK, eniCounter++ % 64_000);

/**
 * N labelled tasks, `tasksPerInstance` per instance on 127.1.x.y (1,000 instances for 10,000 tasks). Each
 * task with a live endpoint holds one listening socket: see fdLimit.ts for the open-files budget.
 */
export function generatedScenario(tasks: number, opts: GeneratedScenarioOptions = {}): SimulationOptions {
  const perInstance = opts.tasksPerInstance ?? 10;
  const perService = opts.tasksPerService ?? 50;
  const kinds = opts.kinds ?? ['gostats', 'prometheus', 'plugin'];
  const modes = opts.networkModes ?? ['bridge'];
  const instanceCount = Math.ceil(tasks / perInstance);
  const every = opts.instanceWithoutHostEvery ?? 0;
  const instances = Array.from({ length: instanceCount }, (_, i) => ({
    address: loopback(1, i),
    mackerelHost: !(every > 0 && (i + 1) % every === 0),
  }));
  const specs: TaskSpec[] = Array.from({ length: tasks }, (_, i) => {
    const svc = Math.floor(i / perService);
    const kind = kinds[svc % kinds.length] ?? 'gostats';
    const networkMode = modes[svc % modes.length] ?? 'bridge';
    const name = `svc-${String(svc).padStart(4, '0')}`;
    const format = kind === 'gostats' || kind === 'plugin' ? kind : 'prometheus';
    return {
      family: name,
      service: name,
      networkMode,
      instance: Math.floor(i / perInstance),
      kind,
      // Host mode gets an OS-picked port; bridge and awsvpc serve 8080 (one task definition per service).
      containerPort: 8080,
      ...(networkMode === 'awsvpc' ? { eniAddress: nextEniAddress() } : {}),
      labels: { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.format': format },
    };
  });
  return {
    clusters: [{ name: opts.cluster ?? 'bench', instances, tasks: specs }],
    awsLatencyMs: opts.awsLatencyMs,
    targetLatencyMs: opts.targetLatencyMs,
  };
}
