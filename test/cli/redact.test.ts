/**
 * Redaction (src/log.ts): a registered secret never reaches the output, and a short or common one does not eat
 * the ordinary words of every message. Each test loads the module afresh: registered secrets live for the process.
 */
type LogModule = typeof import('../../src/log');

function freshLog(): LogModule {
  let mod: LogModule | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh registry needs require
    mod = require('../../src/log') as LogModule;
  });
  if (!mod) throw new Error('src/log did not load');
  return mod;
}

describe('a secret shorter than 8 characters (a key of "test")', () => {
  it('leaves the words that merely contain it alone', () => {
    // Prepare
    const { registerSecret, redact } = freshLog();
    registerSecret('test');

    // Act
    const out = redact('the latest contest: testing attestation, tests passed');

    // Assess
    expect(out).toBe('the latest contest: testing attestation, tests passed');
  });

  it('is still redacted wherever it stands as a value of its own', () => {
    // Prepare
    const { registerSecret, redact } = freshLog();
    registerSecret('test');

    // Act
    const out = redact('X-Api-Key: test; {"apiKey":"test"} url?key=test&x=1 test');

    // Assess
    expect(out).toBe('X-Api-Key: ***; {"apiKey":"***"} url?key=***&x=1 ***');
  });

  it('is redacted even below 4 characters (such a key used to be logged as is)', () => {
    // Prepare
    const { registerSecret, redact } = freshLog();
    registerSecret('k9');

    // Act
    const out = redact('HTTP 401 for key k9 (k99 is another value)');

    // Assess
    expect(out).toBe('HTTP 401 for key *** (k99 is another value)');
  });
});

describe('a secret of 8 characters or more', () => {
  it('is redacted wherever it appears, inside other text too', () => {
    // Prepare
    const { registerSecret, redact } = freshLog();
    const key = 'e2e-mkr-key-7f3a9c1d5b2e4f60a8';
    registerSecret(key);

    // Act
    const out = redact(`key=${key}; prefix${key}suffix; ${key}`);

    // Assess
    expect(out).toBe('key=***; prefix***suffix; ***');
  });

  it('does not reach a log line, even when JSON escapes it', () => {
    // Prepare
    const { registerSecret, createLogger } = freshLog();
    const key = 'quote"and\\backslash-9f3c';
    registerSecret(key);
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });

    // Act
    logger.error('post failed', { reason: `Mackerel echoed ${key}`, attempts: 3 });

    // Assess
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).not.toContain(JSON.stringify(key).slice(1, -1));
    expect(line).not.toContain('backslash-9f3c');
    expect(JSON.parse(line)).toMatchObject({ message: 'post failed', reason: 'Mackerel echoed ***', attempts: 3 });
  });
});

it('logs an ordinary message untouched when the registered key is a common word', () => {
  // Prepare
  const { registerSecret, createLogger } = freshLog();
  registerSecret('test');
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l) });

  // Act
  logger.warn('target failed', { targetId: 'prod/abc/latest-api:8080', reason: 'contest timed out' });

  // Assess
  expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ targetId: 'prod/abc/latest-api:8080', reason: 'contest timed out' });
});
