/**
 * EcsPort on @aws-sdk/client-ecs v3. Thin: one SDK call per method, mapping in ecsMapping.ts, errors through
 * toDiscoveryError. Region and endpoint come from the SDK's own configuration (AWS_REGION,
 * AWS_ENDPOINT_URL_ECS), which is how tests and the simulator redirect it; this module never reads process.env.
 */
import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import type { Issue } from '../types';
import { DiscoveryError, toDiscoveryError } from './errors';
import { mapContainerInstance, mapFailure, mapTask, mapTaskDefinition } from './ecsMapping';
import type { ContainerInstance, EcsTask } from './model';
import { DESCRIBE_CONTAINER_INSTANCES_MAX, DESCRIBE_TASKS_MAX, LIST_TASKS_PAGE_SIZE, type EcsPort } from './ports';

/** Standard retry mode, 3 attempts: jittered back-off on ThrottlingException and 5xx (reference §3). */
const SDK_MAX_ATTEMPTS = 3;

let defaultClient: ECSClient | undefined;

/** The module's one ECSClient, built on first use and reused by every warm invocation. */
function getDefaultClient(): ECSClient {
  defaultClient ??= new ECSClient({ maxAttempts: SDK_MAX_ATTEMPTS, retryMode: 'standard' });
  return defaultClient;
}

/** Sends one command, turning whatever it throws into a CollectorError (see errors.ts). */
async function sendMapped<T>(send: () => Promise<T>, cluster: string | undefined, action: string): Promise<T> {
  try {
    return await send();
  } catch (e) {
    throw toDiscoveryError(e, cluster, action);
  }
}

function assertBatch(action: string, cluster: string, n: number, max: number): void {
  if (n > max) throw new DiscoveryError(cluster, action, `${n} ARNs in one call; the API takes at most ${max}`);
}

/** Builds the ECS port; pass a client to override the module-scope default (tests, other Regions). */
export function createAwsEcsPort(client: ECSClient = getDefaultClient()): EcsPort {
  return {
    async listTaskArns(cluster, signal) {
      const arns: string[] = [];
      try {
        const pages = paginateListTasks(
          { client, pageSize: LIST_TASKS_PAGE_SIZE },
          { cluster, desiredStatus: 'RUNNING' },
          { abortSignal: signal },
        );
        for await (const page of pages) arns.push(...(page.taskArns ?? []));
      } catch (e) {
        throw toDiscoveryError(e, cluster, 'ListTasks');
      }
      return arns;
    },

    async describeTasks(cluster, arns, signal) {
      assertBatch('DescribeTasks', cluster, arns.length, DESCRIBE_TASKS_MAX);
      const out = await sendMapped(
        () => client.send(new DescribeTasksCommand({ cluster, tasks: [...arns], include: ['TAGS'] }), { abortSignal: signal }),
        cluster,
        'DescribeTasks',
      );
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
      const out = await sendMapped(
        () => client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), { abortSignal: signal }),
        undefined,
        'DescribeTaskDefinition',
      );
      const mapped = mapTaskDefinition(out.taskDefinition);
      if (!mapped.ok) throw new DiscoveryError(undefined, 'DescribeTaskDefinition', mapped.error);
      return mapped.value;
    },

    async describeContainerInstances(cluster, arns, signal) {
      assertBatch('DescribeContainerInstances', cluster, arns.length, DESCRIBE_CONTAINER_INSTANCES_MAX);
      const out = await sendMapped(
        () => client.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [...arns] }), { abortSignal: signal }),
        cluster,
        'DescribeContainerInstances',
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
