/**
 * Ec2Port on @aws-sdk/client-ec2 v3. DescribeInstances is sent with an `instance-id` filter and paginated,
 * because unfiltered/unpaginated calls draw on a smaller throttling bucket (reference/ecs-api.md §3), and a
 * filter, unlike `InstanceIds`, does not fail the whole call when one id no longer exists. Each page is bounded
 * in time (sendBounded) and the pages in number (followPages). Region and endpoint come from the SDK
 * (AWS_REGION, AWS_ENDPOINT_URL_EC2); this module never reads process.env.
 */
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { AWS_CALL_TIMEOUT_MS, AWS_REQUEST_HANDLER_OPTIONS } from '../util/awsCall';
import { followPages } from '../util/pages';
import { DiscoveryError, sendBounded } from './errors';
import type { Ec2Instance } from './model';
import { DESCRIBE_INSTANCES_MAX_PAGES, DESCRIBE_INSTANCES_PAGE_SIZE, EC2_INSTANCE_ID_FILTER_MAX, type Ec2Port } from './ports';

/** Standard retry mode, 3 attempts: jittered back-off on RequestLimitExceeded and 5xx (reference §3). */
const SDK_MAX_ATTEMPTS = 3;

let defaultClient: EC2Client | undefined;

/** The module's one EC2Client, built on first use and reused by every warm invocation. */
function getDefaultClient(): EC2Client {
  defaultClient ??= new EC2Client({ maxAttempts: SDK_MAX_ATTEMPTS, retryMode: 'standard', requestHandler: AWS_REQUEST_HANDLER_OPTIONS });
  return defaultClient;
}

/** Maps one SDK instance; one without InstanceId cannot be matched to a container instance and is dropped. */
export function mapEc2Instance(i: Instance): Ec2Instance | undefined {
  if (!i.InstanceId) return undefined;
  return { instanceId: i.InstanceId, ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}) };
}

/** Knobs for tests; production uses the defaults. */
export interface AwsEc2PortOptions {
  /** Bound on one `send()`, retries included; default {@link AWS_CALL_TIMEOUT_MS}. */
  readonly callTimeoutMs?: number;
}

/** Builds the EC2 port; pass a client to override the module-scope default. */
export function createAwsEc2Port(client: EC2Client = getDefaultClient(), options: AwsEc2PortOptions = {}): Ec2Port {
  const timeoutMs = options.callTimeoutMs ?? AWS_CALL_TIMEOUT_MS;
  return {
    async describeInstances(ids, signal) {
      if (ids.length === 0) return { items: [], issues: [] };
      if (ids.length > EC2_INSTANCE_ID_FILTER_MAX) {
        throw new DiscoveryError(undefined, 'DescribeInstances', `${ids.length} ids in one call; at most ${EC2_INSTANCE_ID_FILTER_MAX}`);
      }
      const found: Ec2Instance[] = [];
      const outcome = await followPages('DescribeInstances', DESCRIBE_INSTANCES_MAX_PAGES, async (NextToken) => {
        const command = new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: [...ids] }], MaxResults: DESCRIBE_INSTANCES_PAGE_SIZE, NextToken });
        const page = await sendBounded('DescribeInstances', undefined, timeoutMs, signal, (s) => client.send(command, { abortSignal: s }));
        for (const r of page.Reservations ?? []) {
          for (const i of r.Instances ?? []) {
            const mapped = mapEc2Instance(i);
            if (mapped) found.push(mapped);
          }
        }
        return page.NextToken;
      });
      return { items: found, issues: outcome.complete ? [] : [{ target: 'DescribeInstances', reason: outcome.reason, stage: 'discovery', kind: 'incomplete' }] };
    },
  };
}
