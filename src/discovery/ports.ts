/**
 * Narrow ports over the only ECS and EC2 calls discovery makes (IAM: ecs:ListTasks, ecs:DescribeTasks,
 * ecs:DescribeTaskDefinition, ecs:DescribeContainerInstances, ec2:DescribeInstances). The fetcher depends on
 * these, never on the SDK; awsEcs.ts / awsEc2.ts implement them. Adapters throw only `CollectorError`s
 * (see errors.ts): `CriticalError` subclasses for AccessDenied / unknown cluster, `DiscoveryError` otherwise,
 * a call that timed out included. Every call is bounded in time (src/util/awsCall.ts) and every listing in
 * pages (src/util/pages.ts).
 */
import type { Issue } from '../types';
import type { ContainerInstance, Ec2Instance, EcsTask, TaskDefinition } from './model';

/** ListTasks `maxResults` ceiling. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html */
export const LIST_TASKS_PAGE_SIZE = 100;
/** DescribeTasks `tasks` ceiling. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html */
export const DESCRIBE_TASKS_MAX = 100;
/**
 * DescribeContainerInstances `containerInstances` ceiling.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeContainerInstances.html
 */
export const DESCRIBE_CONTAINER_INSTANCES_MAX = 100;
/**
 * Instance ids per DescribeInstances call, sent as an `instance-id` filter: filtered calls draw on the normal
 * bucket, unfiltered ones on a smaller one (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html).
 * 200 values per filter is the commonly cited EC2 ceiling (not found in the API reference: kept conservative).
 */
export const EC2_INSTANCE_ID_FILTER_MAX = 200;
/** DescribeInstances `MaxResults` ceiling (5–1000) when paginating a filtered call. */
export const DESCRIBE_INSTANCES_PAGE_SIZE = 1000;
/**
 * ListTasks pages read per cluster before the listing stops with an issue: 1,000 pages of
 * {@link LIST_TASKS_PAGE_SIZE} are 100,000 tasks, far past any cluster one collector can scrape in a minute, and
 * at the 20/s cluster-read rate (reference §3) already 50 s, a whole cycle.
 */
export const LIST_TASKS_MAX_PAGES = 1_000;
/**
 * DescribeInstances pages read per call: at most {@link EC2_INSTANCE_ID_FILTER_MAX} ids fit in one page of
 * {@link DESCRIBE_INSTANCES_PAGE_SIZE}; EC2 may still split them, so allow a few short pages.
 */
export const DESCRIBE_INSTANCES_MAX_PAGES = 10;

/** A listing and, when it was cut short (a repeated token, the page cap, a failed later page), why. */
export interface Listed<T> {
  readonly items: T[];
  readonly issues: Issue[];
}

/** The ECS calls discovery uses. */
export interface EcsPort {
  /**
   * ARNs of the cluster's tasks with desiredStatus RUNNING, all pages (recently stopped tasks may appear). A
   * listing cut short keeps the pages read and says why in `issues`; a failed first page throws.
   */
  listTaskArns(cluster: string, signal?: AbortSignal): Promise<Listed<string>>;
  /** At most {@link DESCRIBE_TASKS_MAX} ARNs; tags included. */
  describeTasks(cluster: string, arns: readonly string[], signal?: AbortSignal): Promise<{ tasks: EcsTask[]; failures: Issue[] }>;
  /** One task definition by ARN. */
  describeTaskDefinition(arn: string, signal?: AbortSignal): Promise<TaskDefinition>;
  /** At most {@link DESCRIBE_CONTAINER_INSTANCES_MAX} ARNs. */
  describeContainerInstances(
    cluster: string,
    arns: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ instances: ContainerInstance[]; failures: Issue[] }>;
}

/** The EC2 call discovery uses (direct scrape mode only). */
export interface Ec2Port {
  /**
   * At most {@link EC2_INSTANCE_ID_FILTER_MAX} ids; ids EC2 does not return are simply absent. A listing cut
   * short keeps the pages read and says why in `issues`.
   */
  describeInstances(ids: readonly string[], signal?: AbortSignal): Promise<Listed<Ec2Instance>>;
}
