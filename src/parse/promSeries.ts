import type { GraphUnit } from '../types';
import { DROP } from './drops';
import { UNLABELLED_METRIC } from './seriesName';
import type { GraphMeta, NameCollision } from './types';

interface GraphState {
  readonly unit: GraphUnit;
  /** Metric node → the identity of the series that took it (`<sample name><canonical labels>`). */
  readonly nodes: Map<string, string>;
  labelled: boolean;
}

/** Why a series is not kept, as a DROP reason, or `kept`. */
export type Admission = 'kept' | (typeof DROP)[keyof typeof DROP];

/**
 * The series a Prometheus body has produced so far, per graph: tells a repeated series from a different series
 * that maps to a name already taken (a collision, reported by name), and bounds series per graph and per target.
 * The first series to take a name keeps it, so a name never depends on the series that come after it.
 */
export class SeriesBook {
  private readonly graphs = new Map<string, GraphState>();
  private readonly collided = new Map<string, { graph: string; metric: string; count: number }>();
  private series = 0;

  constructor(
    private readonly maxPerFamily: number,
    private readonly maxPerTarget: number,
  ) {}

  /** Records `<graph>.<node>` for the series `identity`, or says why it is dropped. */
  admit(graph: string, unit: GraphUnit, node: string, identity: string): Admission {
    let g = this.graphs.get(graph);
    const owner = g?.nodes.get(node);
    if (owner !== undefined) {
      if (owner === identity) return DROP.duplicate;
      const name = `${graph}.${node}`;
      const seen = this.collided.get(name);
      if (seen !== undefined) seen.count++;
      else this.collided.set(name, { graph, metric: node, count: 1 });
      return DROP.collision;
    }
    if ((g?.nodes.size ?? 0) >= this.maxPerFamily) return DROP.familyLimit;
    if (this.series >= this.maxPerTarget) return DROP.targetLimit;
    if (g === undefined) {
      g = { unit, nodes: new Map(), labelled: false };
      this.graphs.set(graph, g);
    }
    g.nodes.set(node, identity);
    if (node !== UNLABELLED_METRIC) g.labelled = true;
    this.series++;
    return 'kept';
  }

  /** One graph per family with a unit from its name; a `*` metric for label series. */
  graphMetas(): GraphMeta[] {
    return [...this.graphs].map(([graph, g]) => ({
      graph,
      displayName: graph,
      unit: g.unit,
      // `%1` is the label series the `*` matched (graphDefs adds the task key in front).
      metrics: [g.labelled ? { name: '*', displayName: '%1' } : { name: UNLABELLED_METRIC, displayName: '' }],
    }));
  }

  /** Names that a second, different series mapped to, in first-seen order. */
  collisions(): NameCollision[] {
    return [...this.collided].map(([name, c]) => ({ name, ...c }));
  }
}
