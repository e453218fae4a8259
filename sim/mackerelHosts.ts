/**
 * Mackerel hosts as mackerel-agent registers them on EC2 (reference mackerel-api.md §4): customIdentifier
 * `<instance-id>.ec2.amazonaws.com` and `meta.cloud` with provider `ec2` and the instance id.
 */
import { createHash } from 'node:crypto';

/** Host statuses the API knows. */
export type HostStatus = 'working' | 'standby' | 'maintenance' | 'poweroff';
const STATUSES: readonly string[] = ['working', 'standby', 'maintenance', 'poweroff'];
/** `GET /api/v0/hosts` lists only these unless `status` is given (documented default). */
const DEFAULT_STATUSES: readonly string[] = ['working', 'standby'];

/** A host in the API's JSON shape (the fields the collector may read). */
export interface MackerelHost {
  readonly id: string;
  readonly name: string;
  readonly customIdentifier: string;
  readonly size: 'standard';
  status: HostStatus;
  isRetired: boolean;
  readonly createdAt: number;
  readonly roles: Record<string, string[]>;
  readonly interfaces: readonly { name: string; ipAddress: string; ipv4Addresses: string[] }[];
  readonly meta: {
    readonly 'agent-name': string;
    readonly cloud: { readonly provider: 'ec2'; readonly metadata: Readonly<Record<string, string>> };
  };
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** An 11-character base58 host id, stable for an instance id (like `3Wxyz9AbCdE`). */
export function hostIdFor(instanceId: string): string {
  const digest = createHash('sha256').update(instanceId).digest();
  let id = '';
  for (let i = 0; i < 11; i++) id += BASE58[(digest[i] ?? 0) % BASE58.length];
  return id;
}

/** The customIdentifier mackerel-agent sets on EC2. */
export const customIdentifierFor = (instanceId: string): string => `${instanceId}.ec2.amazonaws.com`;

/** The receiver's host table. */
export class HostStore {
  private readonly byId = new Map<string, MackerelHost>();

  /** Registers (or returns) the host of an EC2 instance. */
  add(instanceId: string, address: string): MackerelHost {
    const id = hostIdFor(instanceId);
    const known = this.byId.get(id);
    if (known) return known;
    const host: MackerelHost = {
      id,
      name: `ip-${address.replace(/\./g, '-')}.ec2.internal`,
      customIdentifier: customIdentifierFor(instanceId),
      size: 'standard',
      status: 'working',
      isRetired: false,
      createdAt: 1767225600,
      roles: {},
      interfaces: [{ name: 'eth0', ipAddress: address, ipv4Addresses: [address] }],
      meta: {
        'agent-name': 'mackerel-agent/0.84.0 (Revision sim)',
        cloud: {
          provider: 'ec2',
          metadata: { 'instance-id': instanceId, 'local-ipv4': address, 'instance-type': 'm5.large' },
        },
      },
    };
    this.byId.set(id, host);
    return host;
  }

  byHostId(id: string): MackerelHost | undefined {
    return this.byId.get(id);
  }

  byInstance(instanceId: string): MackerelHost | undefined {
    return this.byId.get(hostIdFor(instanceId));
  }

  /** `hosts-by-custom-identifier`: non-retired hosts only. */
  byCustomIdentifier(identifier: string, caseInsensitive: boolean): MackerelHost | undefined {
    const want = caseInsensitive ? identifier.toLowerCase() : identifier;
    for (const h of this.byId.values()) {
      const have = caseInsensitive ? h.customIdentifier.toLowerCase() : h.customIdentifier;
      if (!h.isRetired && have === want) return h;
    }
    return undefined;
  }

  /** `GET /api/v0/hosts` filtering; returns an error message for an unknown status value. */
  list(query: URLSearchParams): MackerelHost[] | string {
    const statuses = query.getAll('status');
    const bad = statuses.find((s) => !STATUSES.includes(s));
    if (bad !== undefined) return `invalid status: ${bad}`;
    const wanted = statuses.length > 0 ? statuses : DEFAULT_STATUSES;
    const custom = query.get('customIdentifier');
    const name = query.get('name');
    const service = query.get('service');
    const roles = query.getAll('role');
    if (roles.length > 0 && !service) return 'role requires service';
    return [...this.byId.values()].filter(
      (h) =>
        !h.isRetired &&
        wanted.includes(h.status) &&
        (custom === null || h.customIdentifier === custom) &&
        (name === null || h.name === name) &&
        (service === null || (h.roles[service] !== undefined && (roles.length === 0 || roles.some((r) => h.roles[service]?.includes(r))))),
    );
  }

  all(): MackerelHost[] {
    return [...this.byId.values()];
  }
}
