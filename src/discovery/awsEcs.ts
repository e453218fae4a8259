/**
 * EcsPort on @aws-sdk/client-ecs v3. Thin: one SDK call per method (ListTasks: per page, at most
 * LIST_TASKS_MAX_PAGES), each sent through sendBounded (call timeout, errors mapped by
 * toDiscoveryError). Region and endpoint come from the SDK's own configuration (AWS_REGION, AWS_ENDPOINT_URL_ECS),
 * which is how tests and the simulator redirect it; this module never reads process.env.
 */
import { errorKind } from '../issues/kind';
import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Failure,
} from '@aws-sdk/client-ecs';
import { CriticalError } from '../errors';
import type { Issue } from '../types';
import { AWS_CALL_TIMEOUT_MS, AWS_REQUEST_HANDLER_OPTIONS } from '../util/awsCall';
import { followPages } from '../util/pages';
import { ClusterNotFoundError, DiscoveryError, sendBounded } from './errors';
import { mapContainerInstance, mapFailure, mapTask, mapTaskDefinition } from './ecsMapping';
import type { ContainerInstance, EcsTask } from './model';
import {
  DESCRIBE_CONTAINER_INSTANCES_MAX,
  DESCRIBE_TASKS_MAX,
  LIST_TASKS_MAX_PAGES,
  LIST_TASKS_PAGE_SIZE,
  type EcsPort,
} from './ports';

/** Standard retry mode, 3 attempts: jittered back-off on ThrottlingException and 5xx (reference §3). */
const SDK_MAX_ATTEMPTS = 3;

let defaultClient: ECSClient | undefined;

/** The module's one ECSClient, built on first use and reused by every warm invocation. */
function getDefaultClient(): ECSClient {
  defaultClient ??= new ECSClient({ maxAttempts: SDK_MAX_ATTEMPTS, retryMode: 'standard', requestHandler: AWS_REQUEST_HANDLER_OPTIONS });
  return defaultClient;
}

/** Knobs for tests; production uses the defaults. */
export interface AwsEcsPortOptions {
  /** Bound on one `send()`, retries included; default {@link AWS_CALL_TIMEOUT_MS}. */
  readonly callTimeoutMs?: number;
}

function assertBatch(action: string, cluster: string, n: number, max: number): void {
  if (n > max) throw new DiscoveryError(cluster, action, `${n} ARNs in one call; the API takes at most ${max}`);
}

/**
 * DescribeTasks on a cluster that does not exist may answer with a failure for the cluster itself (its name or
 * ARN, reason MISSING) instead of throwing ClusterNotFoundException; either way the cluster is missing.
 */
function isMissingCluster(cluster: string, f: Failure): boolean {
  return f.reason === 'MISSING' && f.arn !== undefined && (f.arn === cluster || f.arn.includes(':cluster/'));
}

/** Builds the ECS port; pass a client to override the module-scope default (tests, other Regions). */
export function createAwsEcsPort(client: ECSClient = getDefaultClient(), options: AwsEcsPortOptions = {}): EcsPort {
  const timeoutMs = options.callTimeoutMs ?? AWS_CALL_TIMEOUT_MS;

  const send = <T>(action: string, cluster: string | undefined, signal: AbortSignal | undefined, call: (s: AbortSignal) => Promise<T>): Promise<T> =>
    sendBounded(action, cluster, timeoutMs, signal, call);

  return {
    async listTaskArns(cluster, signal) {
      const arns: string[] = [];
      try {
        const outcome = await followPages('ListTasks', LIST_TASKS_MAX_PAGES, async (nextToken) => {
          const page = await send('ListTasks', cluster, signal, (s) =>
            client.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', maxResults: LIST_TASKS_PAGE_SIZE, nextToken }), { abortSignal: s }),
          );
          arns.push(...(page.taskArns ?? []));
          return page.nextToken;
        });
        return { items: arns, issues: outcome.complete ? [] : [{ target: cluster, reason: outcome.reason, stage: 'discovery', kind: 'incomplete' }] };
      } catch (e) {
        // A later page that fails keeps the earlier ones: a partial listing scrapes what it found.
        if (arns.length === 0 || e instanceof CriticalError || signal?.aborted) throw e;
        const reason = e instanceof Error ? e.message : String(e);
        return { items: arns, issues: [{ target: cluster, reason: `${reason}; listing stopped after ${arns.length} tasks`, stage: 'discovery', kind: errorKind(e) }] };
      }
    },

    async describeTasks(cluster, arns, signal) {
      assertBatch('DescribeTasks', cluster, arns.length, DESCRIBE_TASKS_MAX);
      const out = await send('DescribeTasks', cluster, signal, (s) =>
        client.send(new DescribeTasksCommand({ cluster, tasks: [...arns], include: ['TAGS'] }), { abortSignal: s }),
      );
      if ((out.failures ?? []).some((f) => isMissingCluster(cluster, f))) throw new ClusterNotFoundError(cluster, 'DescribeTasks');
      const tasks: EcsTask[] = [];
      const failures: Issue[] = (out.failures ?? []).map((f) => mapFailure('DescribeTasks', f));
      for (const t of out.tasks ?? []) {
        const mapped = mapTask(t);
        if (mapped.ok) tasks.push(mapped.value);
        else failures.push(mapped.error);
      }
      return { tasks, failures };
    },

    async describeTaskDefinition(arn, signal) {
      // Task definitions are account-wide, not per cluster: the error names no cluster.
      const out = await send('DescribeTaskDefinition', undefined, signal, (s) =>
        client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal: s }),
      );
      const mapped = mapTaskDefinition(out.taskDefinition);
      if (!mapped.ok) throw new DiscoveryError(undefined, 'DescribeTaskDefinition', mapped.error);
      return mapped.value;
    },

    async describeContainerInstances(cluster, arns, signal) {
      assertBatch('DescribeContainerInstances', cluster, arns.length, DESCRIBE_CONTAINER_INSTANCES_MAX);
      const out = await send('DescribeContainerInstances', cluster, signal, (s) =>
        client.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [...arns] }), { abortSignal: s }),
      );
      const instances: ContainerInstance[] = [];
      const failures: Issue[] = (out.failures ?? []).map((f) => mapFailure('DescribeContainerInstances', f));
      for (const ci of out.containerInstances ?? []) {
        const mapped = mapContainerInstance(ci);
        if (mapped.ok) instances.push(mapped.value);
        else failures.push(mapped.error);
      }
      return { instances, failures };
    },
  };
}
