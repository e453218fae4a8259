import { ECSServiceException } from '@aws-sdk/client-ecs';
import { DiscoveryError } from '../../src/discovery/errors';
import { countByKey, errorKind } from '../../src/issues/kind';
import { MackerelError } from '../../src/mackerel/errors';
import { CallTimeoutError } from '../../src/util/awsCall';

const sdk = (name: string, status?: number) =>
  new ECSServiceException({ name, $fault: 'client', $metadata: status === undefined ? {} : { httpStatusCode: status }, message: name });
const withCode = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe('errorKind', () => {
  it.each([
    ['ThrottlingException', 'throttled'],
    ['RequestLimitExceeded', 'throttled'],
    ['AccessDeniedException', 'denied'],
    ['UnauthorizedOperation', 'denied'],
    ['ClusterNotFoundException', 'not-found'],
  ])('says %s is %s', (name, kind) => {
    expect(errorKind(sdk(name))).toBe(kind);
  });

  it('follows the cause chain of a wrapped SDK error to its root', () => {
    // Prepare
    const wrapped = new DiscoveryError('prod', 'ListTasks', 'fetch failed', { cause: new Error('fetch failed', { cause: withCode('ECONNREFUSED') }) });

    // Act / Assess
    expect(errorKind(wrapped)).toBe('refused');
  });

  it('reads the first error of an AggregateError, as Node reports a refused connection to a name with two addresses', () => {
    expect(errorKind(new Error('fetch failed', { cause: new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]) }))).toBe('refused');
  });

  it('tells timeouts, transport errors and HTTP status classes apart', () => {
    expect(errorKind(new CallTimeoutError(50))).toBe('timeout');
    expect(errorKind(withCode('ETIMEDOUT'))).toBe('timeout');
    expect(errorKind(withCode('ECONNRESET'))).toBe('network');
    expect(errorKind(new MackerelError('HTTP 503', { status: 503, path: '/api/v0/tsdb', attempts: 3 }))).toBe('5xx');
    expect(errorKind(new MackerelError('HTTP 400', { status: 400, path: '/api/v0/tsdb', attempts: 1 }))).toBe('4xx');
    expect(errorKind(new MackerelError('HTTP 429', { status: 429, path: '/api/v0/tsdb', attempts: 3 }))).toBe('throttled');
    expect(errorKind(sdk('InternalFailure', 500))).toBe('5xx');
  });

  it('reads the code from the message of an error the SDK re-wrapped without it', () => {
    expect(errorKind(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:40163'))).toBe('refused');
  });

  it('says error for what it cannot place, and for values that are not errors', () => {
    expect(errorKind(new Error('something else'))).toBe('error');
    expect(errorKind('a string')).toBe('error');
    expect(errorKind(undefined)).toBe('error');
  });
});

describe('countByKey', () => {
  it('counts issues by stage/kind with sorted keys, so many targets with two causes read as two lines', () => {
    // Prepare
    const issues = [
      ...Array.from({ length: 9998 }, (_, i) => ({ target: `t${i}`, reason: 'timed out', stage: 'scrape', kind: 'timeout' })),
      { target: 'a', reason: 'refused', stage: 'scrape', kind: 'refused' },
      { target: 'b', reason: 'Rate exceeded', stage: 'discovery', kind: 'throttled' },
    ];

    // Act
    const counts = countByKey(issues);

    // Assess
    expect(counts).toEqual({ 'discovery/throttled': 1, 'scrape/refused': 1, 'scrape/timeout': 9998 });
    expect(Object.keys(counts)).toEqual(['discovery/throttled', 'scrape/refused', 'scrape/timeout']);
  });
});
