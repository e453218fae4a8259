/** Tasks whose metrics endpoint is a hostile server (sim/hostileTargets.ts), and a scenario family over them. */
import type { TaskSpec } from '../../sim';
import { startHostileTarget, type HostileBehaviour, type HostileTarget } from '../../sim/hostileTargets';
import { check, type Check, type Scenario } from '../types';
import { nothingLost, runSession, summariesLogged } from './session';
import { smallCluster } from './world';

/** An awsvpc task on instance #0 whose ENI is the hostile server (the simulator opens nothing for `refuse`). */
export function hostileTask(t: HostileTarget, family: string, labels: Readonly<Record<string, string>> = {}): TaskSpec {
  return {
    family,
    service: family,
    networkMode: 'awsvpc',
    instance: 0,
    eniAddress: t.address,
    containerPort: t.port,
    kind: 'refuse',
    labels: { 'mackerel.metrics.port': '{port}', 'mackerel.metrics.format': 'prometheus', ...labels },
  };
}

/** Options of {@link hostileTargetScenario}. */
export interface HostileOptions {
  readonly behaviour: () => HostileBehaviour;
  /** The failure reason expected for the hostile target (matched against the summary's failed/skipped). */
  readonly reason: RegExp;
  readonly labels?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  /** Upper bound of a cycle's wall time. */
  readonly maxCycleMs?: number;
}

/**
 * Two cycles with the healthy small cluster plus one hostile target at 127.0.7.1: the healthy values all
 * arrive, the hostile target is reported with `reason`, the cycle stays bounded.
 */
export function hostileTargetScenario(name: string, o: HostileOptions): Scenario {
  return {
    name,
    run: async () => {
      const target = await startHostileTarget('127.0.7.1', o.behaviour());
      try {
        return await runSession(name, { fakeTime: true, clusters: [smallCluster([hostileTask(target, 'hostile', o.labels)])], env: o.env ?? {} }, async (s) => {
          await s.cycle();
          const inv = await s.cycle();
          const issues = [...(inv.summary?.failed ?? []), ...(inv.summary?.skipped ?? [])].filter((i) => /hostile/.test(i.target));
          const text = issues.map((i) => i.reason).join('; ');
          const checks: Check[] = [
            check('the hostile target is reported with its reason', o.reason.test(text), text.slice(0, 160) || 'not reported'),
            check(`each cycle ends within ${o.maxCycleMs ?? 5000} ms`, s.invocations.every((i) => i.wallMs <= (o.maxCycleMs ?? 5000))),
            ...nothingLost(s.world, s.invocations),
            summariesLogged(s.invocations),
          ];
          return { checks };
        });
      } finally {
        await target.close();
      }
    },
  };
}
