import type { LoopbackServer } from '../scrape/loopbackServer';
import { createSandbox, type FakeContainer, type PluginSandbox } from './pluginHarness';
import { promService, startGostats, startProm, type GostatsService } from './services';

const ACCOUNT_ARN = 'arn:aws:ecs:us-east-1:123456789012';

/** Labels the ECS agent puts on every container it starts (amazon-ecs-agent; no service label exists). */
export function ecsLabels(family: string, taskId: string, container: string): Record<string, string> {
  return {
    'com.amazonaws.ecs.cluster': `${ACCOUNT_ARN}:cluster/prod`,
    'com.amazonaws.ecs.container-name': container,
    'com.amazonaws.ecs.task-arn': `${ACCOUNT_ARN}:task/prod/${taskId}`,
    'com.amazonaws.ecs.task-definition-family': family,
    'com.amazonaws.ecs.task-definition-version': '3',
  };
}

/** Task ids of the standard fleet (current long ARN format: 32 hex characters). */
export const TASK = {
  api1: '3f2a9c1e0b4d4e5f8a6b7c8d9e0f1a2b',
  api2: '9b8c7d6e5f4a4b3c2d1e0f9a8b7c6d5e',
  worker: '77aa0000111122223333444455556666',
  batch: '0c0c0c0c111122223333444455556666',
} as const;

/** A docker container id: 64 hex characters from a short seed. */
export function containerId(seed: string): string {
  return seed.padEnd(64, '0');
}

/**
 * The brief's instance: two gostats tasks of service `api` (bridge, dynamic host ports; the first with the
 * two-line `docker port` output of IPv6-enabled daemons, the second with one line), one Prometheus task in
 * host network mode, and an unlabelled container that the label filter must leave out.
 */
export interface Fleet {
  readonly sandbox: PluginSandbox;
  readonly api1: GostatsService;
  readonly api2: GostatsService;
  readonly prom: ReturnType<typeof promService>;
  readonly promServer: LoopbackServer;
  /** The unlabelled container's endpoint: must never be scraped. */
  readonly unlabelled: GostatsService;
  readonly containers: readonly FakeContainer[];
  close(): Promise<void>;
}

export async function startFleet(): Promise<Fleet> {
  const api1 = await startGostats();
  const api2 = await startGostats({ goroutine_num: 7, memory_alloc: 1048576 });
  const prom = promService();
  const promServer = await startProm(prom.registry);
  const unlabelled = await startGostats();
  const containers: FakeContainer[] = [
    {
      id: containerId('a1a1a1a1a1a1'),
      names: 'ecs-api-3-web-e4b0a8c9d2f1b6a7c801',
      networks: 'bridge',
      labels: { ...ecsLabels('api', TASK.api1, 'web'), 'mackerel.metrics.port': '8080', 'mackerel.metrics.format': 'gostats' },
      ports: { '8080/tcp': [`0.0.0.0:${api1.server.port}`, `[::]:${api1.server.port}`] },
    },
    {
      id: containerId('b2b2b2b2b2b2'),
      names: 'ecs-api-3-web-f6c2b0d4e8a1c3e5f701',
      networks: 'bridge',
      labels: { ...ecsLabels('api', TASK.api2, 'web'), 'mackerel.metrics.port': '8080', 'mackerel.metrics.format': 'gostats' },
      ports: { '8080/tcp': [`0.0.0.0:${api2.server.port}`] },
    },
    {
      id: containerId('c3c3c3c3c3c3'),
      names: 'ecs-worker-1-app-9a8b7c6d5e4f3a2b1c01',
      networks: 'host',
      // Host network mode: the container port is the port on the instance (a free loopback port here).
      labels: { ...ecsLabels('worker', TASK.worker, 'app'), 'mackerel.metrics.port': String(promServer.port) },
    },
    {
      id: containerId('d4d4d4d4d4d4'),
      names: 'ecs-batch-2-job-1b2c3d4e5f6a7b8c9d01',
      networks: 'bridge',
      labels: ecsLabels('batch', TASK.batch, 'job'),
      ports: { '8080/tcp': [`0.0.0.0:${unlabelled.server.port}`] },
    },
  ];
  const sandbox = await createSandbox(containers);
  return {
    sandbox,
    api1,
    api2,
    prom,
    promServer,
    unlabelled,
    containers,
    close: async () => {
      await Promise.all([api1.server.close(), api2.server.close(), promServer.close(), unlabelled.server.close()]);
      await sandbox.cleanup();
    },
  };
}
