/**
 * The simulator never throttles, real AWS does. This computes the least time a cycle's calls would need under
 * the documented token buckets (reference/ecs-api.md §3), assuming every bucket starts full (it refills within
 * a minute between scheduled cycles) and nothing else in the account draws on it: calls beyond the burst wait
 * for tokens at the sustained rate.
 */

/** A throttling bucket: the actions that share it, its burst and its refill per second. */
interface Bucket {
  readonly name: string;
  readonly actions: readonly string[];
  readonly burst: number;
  readonly perSecond: number;
}

/** reference/ecs-api.md §3. EC2 filtered DescribeInstances is "non-mutating": 100 burst, 20/s per API. */
export const AWS_BUCKETS: readonly Bucket[] = [
  {
    name: 'ECS cluster read',
    actions: ['ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:DescribeContainerInstances', 'ecs:ListContainerInstances'],
    burst: 100,
    perSecond: 20,
  },
  { name: 'ECS task definition read', actions: ['ecs:DescribeTaskDefinition'], burst: 50, perSecond: 20 },
  { name: 'EC2 DescribeInstances', actions: ['ec2:DescribeInstances'], burst: 100, perSecond: 20 },
];

/** The slowest bucket's floor in milliseconds, and which bucket it is. */
export function throttleFloor(calls: Readonly<Record<string, number>>): { ms: number; bucket: string } {
  let worst = { ms: 0, bucket: '-' };
  for (const b of AWS_BUCKETS) {
    const n = b.actions.reduce((sum, a) => sum + (calls[a] ?? 0), 0);
    const ms = (Math.max(0, n - b.burst) / b.perSecond) * 1000;
    if (ms > worst.ms) worst = { ms, bucket: `${b.name}: ${n} calls` };
  }
  return worst;
}
