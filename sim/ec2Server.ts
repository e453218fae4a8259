/**
 * Simulated EC2 endpoint for DescribeInstances in the ec2Query protocol @aws-sdk/client-ec2 uses
 * (`AwsEc2QueryProtocol`): form-encoded `POST /` with `Action`, `Version`, `InstanceId.N` and/or
 * `Filter.N.Name` + `Filter.N.Value.M`; XML responses in the 2016-11-15 namespace; errors as
 * `<Response><Errors><Error><Code>…` with HTTP 4xx.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsControl, hasSigV4, requestId } from './awsControl';
import type { SimInstance, SimWorld } from './cluster';
import { SIM_ACCOUNT, SIM_REGION } from './ecsShapes';
import { delay, listenHttp, readBody, type RunningServer } from './httpServer';

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
/** Real EC2 instance ids: `i-` + 8 (old) or 17 hex characters. */
const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
/** DescribeInstances `MaxResults` range (5–1000); it cannot be combined with instance ids. */
const MIN_RESULTS = 5;
const MAX_RESULTS = 1000;

class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Starts the EC2 endpoint on 127.0.0.1 with an OS-chosen port. */
export function startEc2Server(world: SimWorld, control: AwsControl): Promise<RunningServer> {
  const items = new Map<string, string>();
  const itemXml = (inst: SimInstance): string => {
    let xml = items.get(inst.instanceId);
    if (xml === undefined) items.set(inst.instanceId, (xml = instanceXml(inst)));
    return xml;
  };
  return listenHttp((req, res) => void handle(world, control, itemXml, req, res));
}

async function handle(
  world: SimWorld,
  control: AwsControl,
  itemXml: (inst: SimInstance) => string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const id = requestId();
  let status = 200;
  let body: string;
  try {
    const params = new URLSearchParams(await readBody(req));
    const action = params.get('Action') ?? 'unknown';
    control.count(action);
    await delay(control.latencyMs);
    if (!hasSigV4(req)) throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
    if (action !== 'DescribeInstances') throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    const injected = control.takeError(action);
    if (injected) throw new Ec2Error(injected.code, injected.message, injected.status);
    body = describeInstances(world, params, itemXml, id);
  } catch (e) {
    const error = e instanceof Ec2Error ? e : new Ec2Error('InternalError', String(e), 500);
    status = error.status;
    body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>' +
      `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
      `</Error></Errors><RequestID>${id}</RequestID></Response>`;
  }
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Collects `Prefix.1`, `Prefix.2`, … in order. */
function indexed(params: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) out.push(params.get(`${prefix}.${i}`) ?? '');
  return out;
}

function describeInstances(
  world: SimWorld,
  params: URLSearchParams,
  itemXml: (inst: SimInstance) => string,
  id: string,
): string {
  const ids = indexed(params, 'InstanceId');
  const malformed = ids.find((x) => !INSTANCE_ID.test(x));
  if (malformed !== undefined) throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
  const maxRaw = params.get('MaxResults');
  if (maxRaw !== null && ids.length > 0) {
    throw new Ec2Error('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  let selected: SimInstance[];
  if (ids.length > 0) {
    const missing = ids.filter((x) => !world.ec2Instance(x));
    if (missing.length > 0) {
      const message =
        missing.length === 1
          ? `The instance ID '${missing[0]}' does not exist`
          : `The instance IDs '${missing.join(', ')}' do not exist`;
      throw new Ec2Error('InvalidInstanceID.NotFound', message);
    }
    selected = [...new Set(ids)].flatMap((x) => world.ec2Instance(x) ?? []);
  } else {
    selected = world.allEc2Instances();
  }
  selected = applyFilters(selected, params);
  let nextToken: string | undefined;
  if (maxRaw !== null) {
    const max = Number(maxRaw);
    if (!Number.isInteger(max) || max < MIN_RESULTS || max > MAX_RESULTS) {
      throw new Ec2Error('InvalidParameterValue', `Value ( ${maxRaw} ) for parameter maxResults is invalid.`);
    }
    const offset = Number(params.get('NextToken') ?? '0') || 0;
    if (offset + max < selected.length) nextToken = String(offset + max);
    selected = selected.slice(offset, offset + max);
  }
  // One reservation per instance: how Auto Scaling launches container instances.
  const reservations = selected
    .map((inst) => `<item><reservationId>r-${inst.instanceId.slice(2)}</reservationId><ownerId>${SIM_ACCOUNT}</ownerId><groupSet/><instancesSet>${itemXml(inst)}</instancesSet></item>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="${XMLNS}"><requestId>${id}</requestId>` +
    `<reservationSet>${reservations}</reservationSet>` +
    (nextToken ? `<nextToken>${nextToken}</nextToken>` : '') +
    '</DescribeInstancesResponse>'
  );
}

function applyFilters(instances: SimInstance[], params: URLSearchParams): SimInstance[] {
  let out = instances;
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    const name = params.get(`Filter.${i}.Name`) ?? '';
    const values = new Set(indexed(params, `Filter.${i}.Value`));
    const pick = FILTERS[name];
    if (!pick) throw new Ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
    out = out.filter((inst) => values.has(pick(inst)));
  }
  return out;
}

const FILTERS: Record<string, (inst: SimInstance) => string> = {
  'instance-id': (inst) => inst.instanceId,
  'private-ip-address': (inst) => inst.address,
  'instance-state-name': () => 'running',
};

function instanceXml(inst: SimInstance): string {
  const dns = `ip-${inst.address.replace(/\./g, '-')}.ec2.internal`;
  return (
    `<item><instanceId>${inst.instanceId}</instanceId><imageId>ami-0123456789abcdef0</imageId>` +
    '<instanceState><code>16</code><name>running</name></instanceState>' +
    `<privateDnsName>${dns}</privateDnsName><dnsName/><instanceType>m5.large</instanceType>` +
    '<launchTime>2026-01-01T00:00:00.000Z</launchTime>' +
    `<placement><availabilityZone>${SIM_REGION}a</availabilityZone><tenancy>default</tenancy></placement>` +
    '<subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId>' +
    `<privateIpAddress>${inst.address}</privateIpAddress>` +
    `<tagSet><item><key>aws:ecs:clusterName</key><value>${escapeXml(inst.cluster)}</value></item></tagSet>` +
    '</item>'
  );
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
