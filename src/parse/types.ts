import type { CounterStore, GraphUnit, Sample } from '../types';

/** What a parser needs besides the body. */
export interface ParseContext {
  /** Target.id: the first part of every counter-state key, so two tasks never share a baseline. */
  readonly targetId: string;
  /** Epoch seconds of this scrape; becomes Sample.time. Pass whole seconds (Mackerel takes integers). */
  readonly now: number;
  /** Baselines for per-minute diffs (gostats) and per-second rates (Prometheus counters). */
  readonly counters: CounterStore;
  /** Most series one Prometheus graph may produce (default {@link DEFAULT_MAX_SERIES_PER_FAMILY}). */
  readonly maxSeriesPerFamily?: number;
  /** Most series one target may produce (default {@link DEFAULT_MAX_SERIES_PER_TARGET}). */
  readonly maxSeriesPerTarget?: number;
}

/** Label series per Prometheus family: Mackerel bills per metric name on a host, so unbounded labels cost money. */
export const DEFAULT_MAX_SERIES_PER_FAMILY = 50;
/** Series per target; 2,000 is ten standard hosts' worth of included metrics. */
export const DEFAULT_MAX_SERIES_PER_TARGET = 2000;

/** One metric line of a graph as the parser knows it. */
export interface GraphMetaMetric {
  /** One node, or `*` for label series (any node). */
  readonly name: string;
  /**
   * Label relative to the graph, as in plugin META: `%1` means the first wildcard of the graph's own name
   * (the label series for `*`). Empty = no label of its own. src/mackerel/graphDefs.ts adds the task key.
   */
  readonly displayName: string;
  /** Stacked in the graph (plugin META `stacked`); default false. */
  readonly stacked?: boolean;
}

/** What a parser knows about one graph: enough for a Mackerel graph definition. */
export interface GraphMeta {
  /** Graph part of the metric name (may hold dots, e.g. plugin text); `*` nodes only from plugin META. */
  readonly graph: string;
  readonly displayName: string;
  readonly unit: GraphUnit;
  readonly metrics: readonly GraphMetaMetric[];
}

/** Why some values of a body were not turned into samples, and how many. */
export interface DropCount {
  readonly reason: string;
  readonly count: number;
}

/** A `<graph>.<metric>` that a second, different series mapped to (parse/seriesName.ts lists when it can). */
export interface NameCollision {
  /** `<graph>.<metric>`, as in Sample: the first series keeps it and is posted; the others are dropped. */
  readonly name: string;
  /** The graph and metric node of `name`, as in Sample. */
  readonly graph: string;
  readonly metric: string;
  /** How many other series mapped to it (each is also counted in `dropped` as `name collision`). */
  readonly count: number;
}

/** What one body yields. */
export interface ParseOutput {
  readonly samples: Sample[];
  readonly graphs: GraphMeta[];
  readonly dropped: DropCount[];
  /** Names two different series mapped to (Prometheus only; always present there, empty when none). */
  readonly collisions?: NameCollision[];
}
