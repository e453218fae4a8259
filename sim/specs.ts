/**
 * What a simulated cluster is made of: plain data that scenarios build and `startSimulation` turns into
 * listening sample services, ECS/EC2 records and Mackerel hosts.
 */

/**
 * What a task's metrics endpoint does.
 * - `gostats`: golang-stats-api-handler JSON (counters rise, goroutines vary).
 * - `prometheus`: prom-client text exposition (counter with labels, gauge, histogram).
 * - `plugin`: mackerel plugin text, `name\tvalue\tepoch` lines.
 * - `refuse`: the host port had a listener that was closed: connections are refused.
 * - `hang`: accepts the connection and the request, never answers.
 * - `malformed`: 200 with truncated JSON. `html`: 200 with an HTML page (a proxy's error page, say).
 * - `http500`: 500 with a short text body. `oversized`: 200 streaming a Prometheus body of several MiB.
 * - `plain`: a non-metrics endpoint (a sidecar's admin page), used for unlabelled containers.
 * - `quirky`: Prometheus text as real exporters write it at the edges: non-ASCII label values, a label value
 *   Prometheus reads with an unknown escape, one unreadable line, and two series whose names collide.
 */
export type SampleKind =
  | 'gostats'
  | 'prometheus'
  | 'plugin'
  | 'refuse'
  | 'hang'
  | 'malformed'
  | 'html'
  | 'http500'
  | 'oversized'
  | 'plain'
  | 'quirky';

/** ECS network modes the simulator models. */
export type SimNetworkMode = 'bridge' | 'host' | 'awsvpc';

/** One EC2 container instance. */
export interface InstanceSpec {
  /** Private IPv4 address, loopback (e.g. `127.0.1.1`). The task servers of bridge/host tasks bind it. */
  readonly address: string;
  /** EC2 instance id; generated (`i-0…`, 17 hex characters) when absent. */
  readonly instanceId?: string;
  /** Whether mackerel-agent registered a host for this instance (default true). */
  readonly mackerelHost?: boolean;
}

/** One running task with one metrics container (and optionally an unlabelled sidecar). */
export interface TaskSpec {
  readonly family: string;
  /** ECS service; the task's group is `service:<service>`, else `family:<family>` (a standalone task). */
  readonly service?: string;
  readonly networkMode: SimNetworkMode;
  /** Default `EC2`. `FARGATE` requires `awsvpc` and no instance. */
  readonly launchType?: 'EC2' | 'FARGATE';
  /** Index into the cluster's `instances` (EC2 launch type only). */
  readonly instance?: number;
  /** Container name (default: the family). */
  readonly container?: string;
  readonly kind: SampleKind;
  /**
   * Container port. Bridge: default 8080, the host port is dynamic. Host: ignored, the OS picks a free port
   * that becomes the container port (= host port). Awsvpc: the port bound on the ENI address; when absent
   * the OS picks it (what scenarios do, so parallel simulations cannot collide on a fixed port).
   */
  readonly containerPort?: number;
  /** HTTP path the endpoint answers on (default `/api/stats` for gostats, `/metrics` otherwise). */
  readonly path?: string;
  /** Docker labels of the metrics container; the text `{port}` in a value is replaced by the container port. */
  readonly labels?: Readonly<Record<string, string>>;
  /** ENI address for `awsvpc` (e.g. `127.0.4.23`); required there. */
  readonly eniAddress?: string;
  /** Adds a second binding with `bindIP: "::"` and the same host port (seen on dual-stack hosts). */
  readonly duplicateBinding?: boolean;
  /** Adds an unlabelled `envoy` sidecar container with its own port binding. */
  readonly sidecar?: boolean;
  /** ECS resource tags returned with `include: ["TAGS"]`. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** One ECS cluster. */
export interface ClusterSpec {
  readonly name: string;
  readonly instances: readonly InstanceSpec[];
  readonly tasks: readonly TaskSpec[];
}

/** Everything `startSimulation` needs. */
export interface SimulationOptions {
  readonly clusters: readonly ClusterSpec[];
  /** Latency added to every ECS and EC2 call (ms). */
  readonly awsLatencyMs?: number;
  /** Latency added to every sample-service response (ms). */
  readonly targetLatencyMs?: number;
  /**
   * Keep sample-service connections alive after a response (default false: `Connection: close`, see
   * SampleServerPool for why).
   */
  readonly targetKeepAlive?: boolean;
  /** Mackerel API key the receiver accepts (default `sim-api-key`). */
  readonly apiKey?: string;
}

/** A task as started: what tests and the benchmark need to know about it. */
export interface SimTask {
  readonly arn: string;
  /** 32 hex characters, the last segment of the ARN. */
  readonly id: string;
  readonly cluster: string;
  readonly family: string;
  readonly revision: number;
  readonly taskDefinitionArn: string;
  readonly service?: string;
  readonly group: string;
  readonly networkMode: SimNetworkMode;
  readonly launchType: 'EC2' | 'FARGATE';
  /** EC2 instance id; absent on Fargate. */
  readonly instanceId?: string;
  readonly containerInstanceArn?: string;
  readonly container: string;
  readonly kind: SampleKind;
  /** Address the endpoint is reached at: the instance IP (bridge/host) or the ENI IP (awsvpc). */
  readonly address: string;
  readonly containerPort: number;
  /** Port to scrape: the dynamic host port (bridge), = container port (host, awsvpc). */
  readonly hostPort: number;
  readonly path: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `RUNNING`, or `STOPPED` after `stopTask`. */
  readonly lastStatus: 'RUNNING' | 'STOPPED';
}
