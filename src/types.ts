/** Core data types shared by discovery, scraping, parsing, naming and posting. Plain data, no behaviour. */

/** Body formats the collector can parse. */
export type MetricFormat = 'gostats' | 'prometheus' | 'plugin';
export const METRIC_FORMATS: readonly MetricFormat[] = ['gostats', 'prometheus', 'plugin'];

/** ECS task network modes the collector resolves (`none` has no address and is never a target). */
export type NetworkMode = 'bridge' | 'host' | 'awsvpc';

/** ECS launch types. */
export type LaunchType = 'EC2' | 'FARGATE' | 'EXTERNAL';

/** How the `<key>` node of a metric name is built (see src/mackerel/naming.ts and src/inventory/keys.ts). */
export type MetricKeyMode = 'task' | 'port' | 'slot';

/** Key modes computed from the target alone; `slot` needs the host's inventory. */
export type StatelessKeyMode = Exclude<MetricKeyMode, 'slot'>;

/** One HTTP endpoint of one container of one running task: the unit that is scraped. */
export interface Target {
  /** Stable id used in logs, the summary and counter state: `<cluster>/<taskId>/<container>:<containerPort>`. */
  readonly id: string;
  readonly cluster: string;
  /** ECS service name from the task's `group` ("service:NAME"); absent for standalone tasks. */
  readonly service?: string;
  readonly family: string;
  readonly revision: number;
  /** Last segment of the task ARN (32 hex characters for current ARNs). */
  readonly taskId: string;
  readonly taskArn: string;
  readonly containerName: string;
  readonly launchType: LaunchType;
  readonly networkMode: NetworkMode;
  /** EC2 instance the task runs on; absent on Fargate. */
  readonly ec2InstanceId?: string;
  /** IP address to scrape. */
  readonly address: string;
  /** Port to scrape: the host port for bridge/host, the container port for awsvpc. */
  readonly port: number;
  /** The container port that serves metrics (the label's value). */
  readonly containerPort: number;
  /** HTTP path, starting with `/`. */
  readonly path: string;
  readonly format: MetricFormat;
  /** First node after `custom.` in metric names. */
  readonly prefix: string;
  /**
   * `mackerel.metrics.include` (or the rule's `include`): RE2 pattern the WHOLE `<graph>.<metric>` part of a
   * name must match to be posted. Source text; compiled once per distinct text (src/filter/patternCache.ts).
   */
  readonly include?: string;
  /** `mackerel.metrics.exclude` (or the rule's `exclude`): names it matches in full are not posted (after include). */
  readonly exclude?: string;
  /** `mackerel.metrics.max-names` (or the rule's `maxNames`): this target's own MAX_NAMES_PER_TARGET. */
  readonly maxNames?: number;
}

/** One parsed value. `graph` may hold dots (plugin text); `metric` is one node. */
export interface Sample {
  readonly graph: string;
  readonly metric: string;
  /** Always a finite number. */
  readonly value: number;
  /** Epoch seconds. */
  readonly time: number;
}

/** A metric value as Mackerel's `POST /api/v0/tsdb` takes it. */
export interface MetricValue {
  readonly hostId: string;
  readonly name: string;
  readonly time: number;
  readonly value: number;
}

/** Units Mackerel accepts on a graph definition. */
export type GraphUnit =
  | 'float'
  | 'integer'
  | 'percentage'
  | 'seconds'
  | 'milliseconds'
  | 'bytes'
  | 'bytes/sec'
  | 'bits/sec'
  | 'iops';

/** A graph definition as `POST /api/v0/graph-defs/create` takes it. */
export interface GraphDef {
  readonly name: string;
  readonly displayName: string;
  readonly unit: GraphUnit;
  readonly metrics: readonly { readonly name: string; readonly displayName: string; readonly isStacked: boolean }[];
}

/** The step of the cycle an {@link Issue} comes from. */
export type IssueStage =
  | 'discovery'
  | 'host'
  | 'inventory'
  | 'scrape'
  | 'parse'
  | 'post'
  | 'service'
  | 'dashboard'
  | 'check'
  | 'monitor';

/**
 * Why something was skipped or failed, as it appears in the cycle summary. `stage` and `kind` are the machine
 * form (`scrape/timeout`, `discovery/throttled`): the summary counts by them (`failedBy`, `skippedBy`), so
 * 10,000 targets with two root causes read as two lines; `reason` is the readable detail.
 */
export interface Issue {
  /** A target id, a task ARN, an instance id or a batch label. */
  readonly target: string;
  readonly reason: string;
  readonly stage: IssueStage;
  /** A short lowercase word for the root cause, e.g. `timeout`, `refused`, `throttled`, `5xx`, `label`. */
  readonly kind: string;
}

/** A point a counter was seen at: the state per-minute diffs and per-second rates need. */
export interface CounterPoint {
  readonly value: number;
  /** Epoch seconds. */
  readonly time: number;
}

/** Counter state across cycles, kept at module scope in a warm Lambda. Keys are built by the parsers. */
export interface CounterStore {
  get(key: string): CounterPoint | undefined;
  set(key: string, point: CounterPoint): void;
}
