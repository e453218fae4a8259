import type { ObservedTask } from '../../src/inventory/model';

/** A 32-hex task id whose first 8 characters tell tasks apart. */
export const taskIdOf = (n: number): string => `${n.toString(16).padStart(8, '0')}9c1e4b7d2a6f8e0b3c5d7f90`;

/** An observed task of service `api` (or `service`), one gostats endpoint on a dynamic host port. */
export function observed(n: number, over: Partial<ObservedTask> = {}): ObservedTask {
  const taskId = taskIdOf(n);
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/${taskId}`,
    taskId,
    cluster: 'prod',
    service: 'api',
    family: 'api-td',
    revision: 7,
    containers: [{ name: 'app', containerPort: 8080, hostPort: 32768 + n, format: 'gostats', prefix: 'gostats' }],
    ...over,
  };
}

export const arnOf = (n: number): string => observed(n).taskArn;

/** Minutes after a fixed start (2026-01-01T00:00:00Z). */
export const at = (minutes: number): Date => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);
