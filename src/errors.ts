/**
 * Base of every error the collector raises on purpose. Subclasses set `name` and carry context fields,
 * never a secret (the API key, SSM values, auth headers).
 */
export class CollectorError extends Error {
  override readonly name: string = 'CollectorError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** An error that must stop the whole cycle: invalid config, AccessDenied, unknown cluster, Mackerel 401/403. */
export class CriticalError extends CollectorError {
  override readonly name: string = 'CriticalError';
}

/** Invalid configuration; `problems` lists one line per bad variable. */
export class ConfigError extends CriticalError {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Returns a one-line description of any thrown value, following the `cause` chain. */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    // By shape, not instanceof: errors from Node internals (undici's "fetch failed") can come from another realm.
    if (typeof cur === 'object' && typeof (cur as { message?: unknown }).message === 'string') {
      const e = cur as { message: string; name?: unknown; cause?: unknown };
      parts.push(e.message || String(e.name ?? 'Error'));
      cur = e.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(': ');
}
