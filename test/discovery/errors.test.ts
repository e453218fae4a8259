import { ClientException, ClusterNotFoundException } from '@aws-sdk/client-ecs';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { CriticalError } from '../../src/errors';
import { AccessDeniedError, ClusterNotFoundError, DiscoveryError, toDiscoveryError } from '../../src/discovery/errors';

const ec2Error = (name: string) => new EC2ServiceException({ name, $fault: 'client', $metadata: {}, message: `${name} message` });

describe('toDiscoveryError', () => {
  it('makes AccessDenied, UnauthorizedOperation and AuthFailure critical AccessDeniedErrors', () => {
    for (const name of ['AccessDeniedException', 'UnauthorizedOperation', 'AuthFailure']) {
      const e = toDiscoveryError(ec2Error(name), 'prod', 'DescribeInstances');
      expect(e).toBeInstanceOf(AccessDeniedError);
      expect(e).toBeInstanceOf(CriticalError);
      expect(e.message).toBe('DescribeInstances was denied (cluster prod): check the IAM policy');
    }
  });

  it('makes ClusterNotFoundException a critical ClusterNotFoundError naming the cluster', () => {
    const e = toDiscoveryError(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }), 'prod', 'ListTasks');
    expect(e).toBeInstanceOf(ClusterNotFoundError);
    expect(e.message).toBe('cluster prod not found (ListTasks): check ECS_CLUSTERS and AWS_REGION');
  });

  it('keeps other failures non-critical, with the SDK error as cause', () => {
    const cause = new ClientException({ message: 'Unable to describe task definition.', $metadata: {} });
    const e = toDiscoveryError(cause, undefined, 'DescribeTaskDefinition');
    expect(e).toBeInstanceOf(DiscoveryError);
    expect(e).not.toBeInstanceOf(CriticalError);
    expect(e.message).toBe('DescribeTaskDefinition failed: Unable to describe task definition.');
    expect(e.cause).toBe(cause);
  });
});
