/** Real AWS SDK clients pointed at a simulation, configured from the simulation's env like the collector. */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createServer, type AddressInfo } from 'node:net';
import type { Simulation } from '../../sim';

function base(sim: Simulation): { region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  return {
    region: sim.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: sim.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: sim.env.AWS_SECRET_ACCESS_KEY ?? '' },
  };
}

/** An ECSClient using the simulator's ECS endpoint. */
export const ecsClient = (sim: Simulation): ECSClient => new ECSClient({ ...base(sim), endpoint: sim.env.AWS_ENDPOINT_URL_ECS });

/** An EC2Client using the simulator's EC2 endpoint. */
export const ec2Client = (sim: Simulation): EC2Client => new EC2Client({ ...base(sim), endpoint: sim.env.AWS_ENDPOINT_URL_EC2 });

/** A loopback port that refuses connections: bound once, then closed (an unreachable endpoint that answers fast). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
