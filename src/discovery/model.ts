/**
 * Normalised ECS/EC2 data the discovery stage works on. The AWS adapters map SDK objects (every field optional)
 * into these types with the fields we rely on made required, or report why they could not (see ecsMapping.ts).
 * No SDK type travels past the adapters.
 */
import type { Issue, LaunchType, NetworkMode } from '../types';

/** A port a running container is reachable on: `hostPort` on the instance forwards to `containerPort`. */
export interface NetworkBindingInfo {
  readonly containerPort: number;
  readonly hostPort: number;
}

/** One container of a described task. */
export interface EcsContainer {
  readonly name: string;
  /** Deduplicated on `hostPort`: ECS may list the same binding once for `0.0.0.0` and once for `::`. */
  readonly networkBindings: readonly NetworkBindingInfo[];
  /** awsvpc: the container's `networkInterfaces[0].privateIpv4Address` (note the lower-case `v4`). */
  readonly privateIpv4Address?: string;
}

/** One task as DescribeTasks returns it, normalised. */
export interface EcsTask {
  readonly taskArn: string;
  /** Last segment of the ARN (works for both the old `task/<id>` and the new `task/<cluster>/<id>` format). */
  readonly taskId: string;
  readonly clusterArn?: string;
  readonly taskDefinitionArn: string;
  /** Absent on Fargate. */
  readonly containerInstanceArn?: string;
  readonly lastStatus: string;
  readonly desiredStatus?: string;
  readonly launchType: LaunchType;
  /** `service:<name>` for service tasks, `family:<name>` for standalone ones. */
  readonly group?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly containers: readonly EcsContainer[];
  /** awsvpc: the ENI attachment's `privateIPv4Address` detail (note the upper-case `IPv4`). */
  readonly eniAddress?: string;
}

/** A port mapping from the task definition; `hostPort` 0 or absent means "dynamic" in bridge mode. */
export interface PortMappingInfo {
  readonly containerPort: number;
  readonly hostPort?: number;
}

/** One container definition: where the docker labels that opt a container in live. */
export interface ContainerDefinitionInfo {
  readonly name: string;
  readonly portMappings: readonly PortMappingInfo[];
  readonly dockerLabels: Readonly<Record<string, string>>;
}

/** A task definition revision. Immutable once registered, hence cached by ARN. */
export interface TaskDefinition {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  /** Absent in the API on EC2 Linux means `bridge`; the mapping fills that in. */
  readonly networkMode: NetworkMode | 'none';
  readonly containers: readonly ContainerDefinitionInfo[];
}

/** The ECS container instance record that ties a task to its EC2 instance. */
export interface ContainerInstance {
  readonly arn: string;
  readonly ec2InstanceId: string;
}

/** The EC2 facts discovery needs: the address bridge/host targets are scraped on. */
export interface Ec2Instance {
  readonly instanceId: string;
  readonly privateIp?: string;
}

/** Everything one discovery pass learned about one cluster, plus what went wrong on the way. */
export interface ClusterSnapshot {
  /** The cluster as configured (name or ARN); used in target ids. */
  readonly cluster: string;
  /** RUNNING tasks only. */
  readonly tasks: readonly EcsTask[];
  /** By task definition ARN; a task whose definition could not be described has no entry. */
  readonly taskDefinitions: ReadonlyMap<string, TaskDefinition>;
  /** By container instance ARN; only for tasks that can yield a target. */
  readonly containerInstances: ReadonlyMap<string, ContainerInstance>;
  /** By EC2 instance id; empty when DescribeInstances is not used (ssm scrape mode). */
  readonly instances: ReadonlyMap<string, Ec2Instance>;
  /** Calls or records that failed; the rest of the snapshot is still usable. */
  readonly issues: readonly Issue[];
  /**
   * Why a task definition ARN, container instance ARN or EC2 instance id has no entry above, when a call failed
   * for it (throttled, refused, timed out): the root cause its targets are failed with.
   */
  readonly lookupFailures?: ReadonlyMap<string, Issue>;
  /** ListTasks failed: nothing of this cluster was discovered this cycle. */
  readonly listFailed?: boolean;
}
