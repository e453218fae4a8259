import type { Target } from '../src/types';
import type { SimTask } from './specs';

/**
 * The Target the collector's discovery resolves for a simulated task in ssm mode: the instance's loopback and the
 * host port (awsvpc keeps its ENI address, which ssm mode refuses). For tests and benchmarks that drive the ssm
 * fetcher directly, without a discovery pass.
 */
export function ssmTargetOf(t: SimTask): Target {
  return {
    id: `${t.cluster}/${t.id}/${t.container}:${t.containerPort}`,
    cluster: t.cluster,
    service: t.service,
    family: t.family,
    revision: t.revision,
    taskId: t.id,
    taskArn: t.arn,
    containerName: t.container,
    launchType: t.launchType,
    networkMode: t.networkMode,
    ec2InstanceId: t.instanceId,
    address: t.networkMode === 'awsvpc' ? t.address : '127.0.0.1',
    port: t.hostPort,
    containerPort: t.containerPort,
    path: t.path,
    format: t.kind === 'gostats' || t.kind === 'plugin' ? t.kind : 'prometheus',
    prefix: t.family,
  };
}
