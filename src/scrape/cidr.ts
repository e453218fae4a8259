import { err, ok, type Result } from '../result';

/** An IPv4 network, kept as 32-bit unsigned numbers for cheap membership tests. */
export interface Cidr {
  /** The entry as written, for messages. */
  readonly text: string;
  readonly network: number;
  readonly mask: number;
}

/** RFC 1918 private ranges: the default `ALLOWED_CIDRS`. Parsed only; nothing here is ever contacted. */
export const DEFAULT_ALLOWED_CIDRS = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16';

/**
 * IPv4 link-local (RFC 3927). It holds the EC2 instance metadata service (169.254.169.254) and the ECS task
 * metadata endpoint (169.254.170.2), which hand out credentials: refused whatever ALLOWED_CIDRS says.
 */
const LINK_LOCAL: Cidr = { text: '169.254.0.0/16', network: 0xa9fe0000, mask: 0xffff0000 };

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/**
 * Parses a dotted-quad IPv4 address strictly (four decimal octets, no leading zeros), returning it as an
 * unsigned 32-bit number. Anything else (IPv6, hostnames, `0x7f.1`, `010.0.0.1`) gives undefined, so
 * nothing that a resolver or `inet_aton` would read differently can slip past the CIDR check.
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function parseOne(entry: string): Result<Cidr, string> {
  const [ip, prefixText, extra] = entry.split('/');
  const address = ip === undefined ? undefined : parseIpv4(ip);
  if (address === undefined || prefixText === undefined || extra !== undefined || !/^(0|[1-9][0-9]?)$/.test(prefixText)) {
    return err(`invalid CIDR "${entry}": expected an IPv4 network like 10.0.0.0/8`);
  }
  const prefix = Number(prefixText);
  if (prefix > 32) return err(`invalid CIDR "${entry}": prefix length must be 0-32`);
  const mask = maskOf(prefix);
  const network = (address & mask) >>> 0;
  if (network !== address) {
    // A set host bit usually means a typo in the prefix length; AWS rejects such blocks too.
    return err(`invalid CIDR "${entry}": host bits are set (did you mean ${formatIpv4(network)}/${prefix}?)`);
  }
  return ok({ text: entry, network, mask });
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/**
 * Parses a comma-separated list of IPv4 CIDRs (`ALLOWED_CIDRS`). Blank entries are ignored; every bad entry
 * is quoted in the error, joined with "; ".
 */
export function parseCidrs(text: string): Result<Cidr[], string> {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) return err('no CIDR given: expected a comma-separated list like 10.0.0.0/8,172.16.0.0/12');
  const cidrs: Cidr[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const parsed = parseOne(entry);
    if (parsed.ok) cidrs.push(parsed.value);
    else problems.push(parsed.error);
  }
  return problems.length > 0 ? err(problems.join('; ')) : ok(cidrs);
}

function contains(cidr: Cidr, address: number): boolean {
  return ((address & cidr.mask) >>> 0) === cidr.network;
}

/**
 * Says why `ip` must not be scraped, or undefined when it may be: not a plain IPv4 address, link-local
 * (instance metadata; always refused), or outside every allowed CIDR.
 */
export function addressRefusal(ip: string, allowed: readonly Cidr[]): string | undefined {
  const address = parseIpv4(ip);
  if (address === undefined) return `address "${ip}" is not an IPv4 address`;
  if (contains(LINK_LOCAL, address)) return `address ${ip} is link-local (instance metadata), never scraped`;
  if (!allowed.some((cidr) => contains(cidr, address))) return `address ${ip} is outside ALLOWED_CIDRS`;
  return undefined;
}

/** True when `ip` is a plain IPv4 address inside one of `allowed` and not link-local (169.254.0.0/16). */
export function isAllowedAddress(ip: string, allowed: readonly Cidr[]): boolean {
  return addressRefusal(ip, allowed) === undefined;
}
