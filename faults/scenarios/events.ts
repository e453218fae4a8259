/**
 * ECS Task State Change events through the refresh Lambda (src/lambda/refreshEvent.ts): malformed and
 * duplicate events change nothing; a STOPPED that arrives before its RUNNING leaves a tombstone so the late
 * RUNNING does not resurrect the task; a binding with `hostPort: 70000` never enters the inventory; an event
 * from another account whose cluster has the same name is ignored when ECS_CLUSTERS holds the ARN.
 */
import { duplicateEvent, type SimTaskEvent } from '../../sim';
import { INVENTORY_NAMESPACE, parseInventory } from '../../src/inventory/model';
import { check, type Check, type Scenario } from '../types';
import { runSession, type Session } from '../lib/session';
import { standardSpec } from '../lib/world';

const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:111122223333:cluster/prod';

function inventoryTaskArns(s: Session, hostId: string): { arns: string[]; ports: number[] } {
  const raw = s.world.sim.receiver.metadata(hostId, INVENTORY_NAMESPACE);
  if (raw === undefined) return { arns: [], ports: [] };
  const inv = parseInventory(raw);
  if (!inv.ok) return { arns: [], ports: [] };
  return { arns: inv.value.tasks.map((t) => t.taskArn), ports: inv.value.tasks.flatMap((t) => t.containers.map((c) => c.hostPort ?? c.containerPort)) };
}

const eventOf = (s: Session, arn: string, status: string): SimTaskEvent => {
  const e = s.world.sim.events().find((x) => x.detail.taskArn === arn && x.detail.lastStatus === status);
  if (!e) throw new Error(`no ${status} event for ${arn}`);
  return e;
};

export const scenario: Scenario = {
  name: 'malformed, duplicate, reordered and foreign events',
  run: () =>
    runSession('events: malformed/dup/order/70000/account', { fakeTime: true, env: { ECS_CLUSTERS: CLUSTER_ARN } }, async (s) => {
      await s.cycle();
      const checks: Check[] = [];
      for (const bad of [null, [], 'x', { source: 'aws.ecs' }, { source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { taskArn: 1 } }]) {
        const r = await s.lambda.refresh(bad);
        checks.push(check(`malformed event ${JSON.stringify(bad)} is ignored`, r.summary?.action === 'ignored', r.error ? String(r.error) : r.summary?.action));
      }
      // A task that starts and stops; its events arrive STOPPED first, then RUNNING, then RUNNING again (duplicate).
      const api = standardSpec('api');
      const task = await s.world.sim.startTask('prod', { ...api, sidecar: false });
      await s.world.sim.stopTask(task.arn);
      const hostId = s.world.hostIdOf(task);
      const running = eventOf(s, task.arn, 'RUNNING');
      await s.lambda.refresh(eventOf(s, task.arn, 'STOPPED'));
      await s.lambda.refresh(running);
      const dup = await s.lambda.refresh(duplicateEvent(running));
      checks.push(check('a late RUNNING does not resurrect a STOPPED task', !inventoryTaskArns(s, hostId).arns.includes(task.arn)));
      checks.push(check('a duplicate event changes nothing', dup.summary?.action !== 'scraped', dup.summary?.action));
      // hostPort 70000 on a fresh task's RUNNING event.
      const t2 = await s.world.sim.startTask('prod', { ...api, sidecar: false });
      const e2 = structuredClone(eventOf(s, t2.arn, 'RUNNING')) as SimTaskEvent & { detail: { containers: { networkBindings?: { hostPort: number }[] }[] } };
      for (const c of e2.detail.containers) for (const b of c.networkBindings ?? []) b.hostPort = 70000;
      await s.lambda.refresh(e2);
      checks.push(check('hostPort 70000 never enters the inventory', !inventoryTaskArns(s, hostId).ports.includes(70000)));
      // The same cluster name in another account.
      const t3 = await s.world.sim.startTask('prod', { ...api, sidecar: false });
      const foreign = structuredClone(eventOf(s, t3.arn, 'RUNNING'));
      const other = (arn: string): string => arn.replace('111122223333', '999988887777');
      const forged = { ...foreign, account: '999988887777', detail: { ...foreign.detail, clusterArn: other(foreign.detail.clusterArn), taskArn: other(foreign.detail.taskArn) } };
      const r3 = await s.lambda.refresh(forged);
      checks.push(check('an event from another account is ignored (ECS_CLUSTERS holds the ARN)', r3.summary?.action === 'ignored', r3.summary?.action ?? String(r3.error)));
      return { checks, noCounts: true };
    }),
};
