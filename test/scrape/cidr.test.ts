import { DEFAULT_ALLOWED_CIDRS, isAllowedAddress, parseCidrs, type Cidr } from '../../src/scrape/cidr';

const parsed = (text: string): Cidr[] => {
  const result = parseCidrs(text);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};

describe('parseCidrs', () => {
  it('parses a comma list with spaces and blank entries', () => {
    // Act
    const result = parseCidrs(' 127.0.0.0/8, ,127.1.2.3/32 ,');

    // Assess
    expect(result.ok && result.value.map((c) => c.text)).toEqual(['127.0.0.0/8', '127.1.2.3/32']);
  });

  it('parses the RFC 1918 default', () => {
    // Act
    const result = parseCidrs(DEFAULT_ALLOWED_CIDRS);

    // Assess
    expect(result.ok && result.value).toHaveLength(3);
  });

  it('quotes every bad entry in the error', () => {
    // Act
    const result = parseCidrs('127.0.0.0/8,10.0.0/8,127.0.0.0/33,example.com');

    // Assess
    expect(!result.ok && result.error.split('; ').map((p) => p.replace(/: .*/, ''))).toEqual([
      'invalid CIDR "10.0.0/8"',
      'invalid CIDR "127.0.0.0/33"',
      'invalid CIDR "example.com"',
    ]);
    expect(!result.ok && result.error).toContain('prefix length must be 0-32');
  });

  it('rejects a network with host bits set and suggests the network', () => {
    // Act
    const result = parseCidrs('127.1.2.3/8');

    // Assess
    expect(!result.ok && result.error).toBe('invalid CIDR "127.1.2.3/8": host bits are set (did you mean 127.0.0.0/8?)');
  });

  it.each(['', ' , '])('rejects a list with no CIDR (%j)', (text) => {
    // Act
    const result = parseCidrs(text);

    // Assess
    expect(!result.ok && result.error).toMatch(/^no CIDR given/);
  });

  it.each(['127.0.0.1', '127.0.0.0/08', '0127.0.0.0/8', '127.0.0.0/8/1', '::1/128', '256.0.0.0/8'])('rejects %s', (text) => {
    // Act
    const result = parseCidrs(text);

    // Assess
    expect(!result.ok && result.error).toContain(`"${text}"`);
  });
});

describe('isAllowedAddress', () => {
  const loopback = parsed('127.0.0.0/8');

  it('allows an address inside a listed CIDR and refuses one outside', () => {
    // Assess
    expect(isAllowedAddress('127.0.3.4', loopback)).toBe(true);
    expect(isAllowedAddress('128.0.0.1', loopback)).toBe(false);
  });

  it('honours prefix boundaries', () => {
    // Prepare
    const narrow = parsed('127.0.1.0/25');

    // Assess
    expect(isAllowedAddress('127.0.1.127', narrow)).toBe(true);
    expect(isAllowedAddress('127.0.1.128', narrow)).toBe(false);
  });

  it('refuses link-local (instance metadata) even when everything is allowed', () => {
    // Prepare
    const everything = parsed('0.0.0.0/0,169.254.0.0/16');

    // Assess
    expect(isAllowedAddress('169.254.169.254', everything)).toBe(false);
    expect(isAllowedAddress('169.254.0.1', everything)).toBe(false);
    expect(isAllowedAddress('169.253.255.255', everything)).toBe(true);
  });

  it.each(['localhost', '127.1', '0177.0.0.1', '127.0.0.1 ', '::ffff:127.0.0.1', ''])('refuses %j, which is not a plain IPv4 address', (ip) => {
    // Assess
    expect(isAllowedAddress(ip, parsed('0.0.0.0/0'))).toBe(false);
  });
});
