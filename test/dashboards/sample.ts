import type { ServiceDashboardInput } from '../../src/dashboards/build';
import { GOSTATS_GRAPHS } from '../../src/parse';

/** Host ids of two container instances, as Mackerel issues them (11 characters). */
export const HOSTS = [
  { hostId: '3Wxyz9AbCdE', hostName: 'ecs-node-a' },
  { hostId: '4Hjk2LmNoPq', hostName: 'ecs-node-b' },
];

/** The `api` service of the seed: gostats runtime and memory graphs, slot keys, service metrics on. */
export const SAMPLE_INPUT: ServiceDashboardInput = {
  cluster: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod',
  service: 'api',
  mackerelService: 'ecs',
  hosts: HOSTS,
  graphs: GOSTATS_GRAPHS.filter((g) => g.graph === 'runtime' || g.graph === 'memory').map((g) => ({
    prefix: 'gostats',
    graph: g.graph,
    metrics: g.metrics.map((m) => m.name),
    unit: g.unit,
    displayName: g.displayName,
  })),
  taskKeys: ['api-1', 'api-2'],
};
