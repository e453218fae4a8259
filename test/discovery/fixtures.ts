/** Loads the captured-shape ECS/EC2 responses in test/fixtures/ecs and builds snapshots from them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  DescribeContainerInstancesCommandOutput,
  DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommandOutput,
} from '@aws-sdk/client-ecs';
import type { DescribeInstancesCommandOutput } from '@aws-sdk/client-ec2';
import { mapEc2Instance } from '../../src/discovery/awsEc2';
import { mapContainerInstance, mapTask, mapTaskDefinition } from '../../src/discovery/ecsMapping';
import type { ClusterSnapshot, ContainerInstance, Ec2Instance, EcsTask, TaskDefinition } from '../../src/discovery/model';
import { parseTargetRules, type TargetRule } from '../../src/discovery/rules';

export const FIXTURE_DIR = path.join(__dirname, '..', 'fixtures', 'ecs');

/** Families with a describe-task-definition.<family>.json fixture; `ghost` deliberately has none. */
export const FIXTURE_FAMILIES = ['api', 'batch', 'billing', 'frontend', 'gostats-app', 'legacy', 'offline', 'orphan', 'worker'];

/** Parses one fixture file as the SDK output type it was captured from (dates stay strings; nothing reads them). */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, name), 'utf8')) as T;
}

export const describeTasksFixture = (): DescribeTasksCommandOutput => readFixture('describe-tasks.json');
export const taskDefinitionFixture = (family: string): DescribeTaskDefinitionCommandOutput =>
  readFixture(`describe-task-definition.${family}.json`);
export const containerInstancesFixture = (): DescribeContainerInstancesCommandOutput => readFixture('describe-container-instances.json');
export const instancesFixture = (): DescribeInstancesCommandOutput => readFixture('describe-instances.json');

/** The TARGET_RULES used with the fixture cluster. */
export function fixtureRules(): TargetRule[] {
  const parsed = parseTargetRules(readFileSync(path.join(FIXTURE_DIR, 'target-rules.json'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.error.join('\n'));
  return parsed.value;
}

function unwrap<T, E>(r: { ok: true; value: T } | { ok: false; error: E }): T {
  if (!r.ok) throw new Error(`fixture does not map: ${JSON.stringify(r.error)}`);
  return r.value;
}

/** The fixture cluster as a snapshot, built with the adapters' pure mapping (RUNNING tasks only). */
export function fixtureSnapshot(): ClusterSnapshot {
  const tasks: EcsTask[] = (describeTasksFixture().tasks ?? []).map((t) => unwrap(mapTask(t))).filter((t) => t.lastStatus === 'RUNNING');
  const taskDefinitions = new Map<string, TaskDefinition>();
  for (const family of FIXTURE_FAMILIES) {
    const td = unwrap(mapTaskDefinition(taskDefinitionFixture(family).taskDefinition));
    taskDefinitions.set(td.arn, td);
  }
  const containerInstances = new Map<string, ContainerInstance>();
  for (const ci of containerInstancesFixture().containerInstances ?? []) {
    const mapped = unwrap(mapContainerInstance(ci));
    containerInstances.set(mapped.arn, mapped);
  }
  const instances = new Map<string, Ec2Instance>();
  for (const r of instancesFixture().Reservations ?? []) {
    for (const i of r.Instances ?? []) {
      const mapped = mapEc2Instance(i);
      if (mapped) instances.set(mapped.instanceId, mapped);
    }
  }
  return { cluster: 'prod', tasks, taskDefinitions, containerInstances, instances, issues: [] };
}
