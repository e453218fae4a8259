/**
 * Decides whether one container definition serves metrics and where, from its docker labels and TARGET_RULES.
 *
 * Precedence: the `mackerel.metrics.*` labels, then the peer convention `ECS_PROMETHEUS_EXPORTER_PORT` /
 * `ECS_PROMETHEUS_METRICS_PATH` (CloudWatch agent, OTel ecs_observer; always Prometheus), then the first
 * matching rule. The source that supplies the port supplies the endpoint; `mackerel.metrics.format|path|prefix`
 * and the name filters `mackerel.metrics.include|exclude|max-names`, when present, override its fields (labels
 * win over rules field by field). A bad value (a pattern that does not compile included) makes the container a
 * reported skip, quoting the label and its value; other containers are unaffected.
 */
import type { Result } from '../result';
import type { MetricFormat } from '../types';
import {
  checkFilterPattern,
  checkFormat,
  checkPath,
  checkPrefix,
  completeEndpoint,
  parseMaxNamesText,
  parsePortText,
  type EndpointFields,
  type MetricsEndpoint,
} from './endpoint';
import type { ContainerDefinitionInfo } from './model';
import { ruleMatches, type TargetRule } from './rules';

/** Opt-in label: the container port that serves metrics. */
export const LABEL_PORT = 'mackerel.metrics.port';
/** `gostats` | `prometheus` | `plugin`; default `prometheus`. */
export const LABEL_FORMAT = 'mackerel.metrics.format';
/** HTTP path; default `/api/stats` for gostats, `/metrics` otherwise. */
export const LABEL_PATH = 'mackerel.metrics.path';
/** First node after `custom.`; default the format name. */
export const LABEL_PREFIX = 'mackerel.metrics.prefix';
/** RE2 pattern; only names whose whole `<graph>.<metric>` part it matches are posted. */
export const LABEL_INCLUDE = 'mackerel.metrics.include';
/** RE2 pattern; names whose whole `<graph>.<metric>` part it matches are not posted (applied after include). */
export const LABEL_EXCLUDE = 'mackerel.metrics.exclude';
/** 1-10000: this target's own MAX_NAMES_PER_TARGET. */
export const LABEL_MAX_NAMES = 'mackerel.metrics.max-names';
/** Peer convention: container port of a Prometheus exporter (reference/ecs-api.md §6). */
export const PROMETHEUS_PORT_LABEL = 'ECS_PROMETHEUS_EXPORTER_PORT';
/** Peer convention: its path, default `/metrics`. */
export const PROMETHEUS_PATH_LABEL = 'ECS_PROMETHEUS_METRICS_PATH';

/** The container ECS adds to awsvpc tasks on EC2 to hold the network namespace; never a target. */
export const PAUSE_CONTAINER_NAME = '~internal~ecs~pause';

/** What a container definition asks for. */
export type EndpointDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'endpoint'; readonly endpoint: MetricsEndpoint; readonly source: 'label' | 'convention' | 'rule' }
  | { readonly kind: 'invalid'; readonly reason: string; readonly port?: number };

const OVERRIDE_LABELS = [LABEL_FORMAT, LABEL_PATH, LABEL_PREFIX, LABEL_INCLUDE, LABEL_EXCLUDE, LABEL_MAX_NAMES] as const;

/** True when the container carries any label this module reads, or a rule names it. */
export function isCandidateContainer(family: string, def: ContainerDefinitionInfo, rules: readonly TargetRule[]): boolean {
  if (def.name === PAUSE_CONTAINER_NAME) return false;
  const labels = def.dockerLabels;
  if (LABEL_PORT in labels || PROMETHEUS_PORT_LABEL in labels || OVERRIDE_LABELS.some((l) => l in labels)) return true;
  return rules.some((r) => ruleMatches(r, family, def.name));
}

function checkLabel<T>(labels: Readonly<Record<string, string>>, label: string, check: (v: string) => Result<T, string>, problems: string[]): T | undefined {
  const value = labels[label];
  if (value === undefined) return undefined;
  const checked = check(value);
  if (checked.ok) return checked.value;
  problems.push(`label ${label}=${JSON.stringify(value)} ${checked.error}`);
  return undefined;
}

interface PortSource {
  readonly port: number | undefined;
  readonly source: 'label' | 'convention' | 'rule';
  readonly base: EndpointFields;
}

function findPortSource(family: string, def: ContainerDefinitionInfo, rules: readonly TargetRule[], problems: string[]): PortSource | undefined {
  const labels = def.dockerLabels;
  if (LABEL_PORT in labels) return { port: checkLabel(labels, LABEL_PORT, parsePortText, problems), source: 'label', base: {} };
  if (PROMETHEUS_PORT_LABEL in labels) {
    const port = checkLabel(labels, PROMETHEUS_PORT_LABEL, parsePortText, problems);
    // The convention's path only counts when mackerel.metrics.path does not override it.
    const path = LABEL_PATH in labels ? undefined : checkLabel(labels, PROMETHEUS_PATH_LABEL, checkPath, problems);
    const format: MetricFormat = 'prometheus';
    return { port, source: 'convention', base: path === undefined ? { format } : { format, path } };
  }
  const rule = rules.find((r) => ruleMatches(r, family, def.name));
  if (!rule) return undefined;
  return { port: rule.port, source: 'rule', base: presentFields(rule) };
}

/** The endpoint fields that are set: empty format/path/prefix count as unset, as before the filters existed. */
function presentFields({ format, path, prefix, include, exclude, maxNames }: Partial<EndpointFields>): EndpointFields {
  return {
    ...(format ? { format } : {}),
    ...(path ? { path } : {}),
    ...(prefix ? { prefix } : {}),
    ...(include === undefined ? {} : { include }),
    ...(exclude === undefined ? {} : { exclude }),
    ...(maxNames === undefined ? {} : { maxNames }),
  };
}

/** The override labels present and valid, as endpoint fields; each bad one adds a problem. */
function overrideFields(labels: Readonly<Record<string, string>>, problems: string[]): EndpointFields {
  const format = checkLabel(labels, LABEL_FORMAT, checkFormat, problems);
  const path = checkLabel(labels, LABEL_PATH, checkPath, problems);
  const prefix = checkLabel(labels, LABEL_PREFIX, checkPrefix, problems);
  const include = checkLabel(labels, LABEL_INCLUDE, checkFilterPattern, problems);
  const exclude = checkLabel(labels, LABEL_EXCLUDE, checkFilterPattern, problems);
  const maxNames = checkLabel(labels, LABEL_MAX_NAMES, parseMaxNamesText, problems);
  return presentFields({ format, path, prefix, include, exclude, maxNames });
}

/** Reads one container definition of a task definition of `family`. */
export function decideEndpoint(family: string, def: ContainerDefinitionInfo, rules: readonly TargetRule[]): EndpointDecision {
  if (def.name === PAUSE_CONTAINER_NAME) return { kind: 'none' };
  const labels = def.dockerLabels;
  const problems: string[] = [];
  const found = findPortSource(family, def, rules, problems);
  const overrides = overrideFields(labels, problems);
  if (!found) {
    const stray = OVERRIDE_LABELS.filter((l) => l in labels).map((l) => `${l}=${JSON.stringify(labels[l])}`);
    if (stray.length === 0) return { kind: 'none' };
    problems.unshift(`label ${stray.join(', ')} is set but ${LABEL_PORT} is not (and no TARGET_RULES rule matches)`);
    return { kind: 'invalid', reason: problems.join('; ') };
  }
  const port = found.port;
  if (problems.length > 0 || port === undefined) {
    return { kind: 'invalid', reason: problems.join('; '), ...(port === undefined ? {} : { port }) };
  }
  return { kind: 'endpoint', endpoint: completeEndpoint(port, { ...found.base, ...overrides }), source: found.source };
}
