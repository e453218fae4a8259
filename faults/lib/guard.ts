/**
 * A safety net for the network rule (all traffic on 127.0.0.0/8): while installed, any outgoing TCP connection
 * from this process to a non-loopback address is refused before it is opened, and recorded. A collector that
 * followed a redirect to 169.254.169.254 or scraped a link-local ENI would show up here instead of on the wire.
 */
import net from 'node:net';

/** The guard; `attempts()` lists the refused destinations. */
export interface LoopbackGuard {
  attempts(): string[];
  remove(): void;
}

const original = net.Socket.prototype.connect;

function destination(args: unknown[]): string | undefined {
  const [first, second] = args;
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: unknown; path?: unknown };
    if (typeof o.path === 'string') return undefined; // unix socket
    return typeof o.host === 'string' ? o.host : 'localhost';
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return typeof second === 'string' ? second : 'localhost';
  return undefined;
}

const isLoopback = (host: string): boolean => host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '::ffff:127.0.0.1';

/** Installs the guard (idempotent per call: each call wraps the original connect). */
export function installLoopbackGuard(): LoopbackGuard {
  const refused: string[] = [];
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = destination(args);
    if (host !== undefined && !isLoopback(host)) {
      refused.push(host);
      process.nextTick(() => this.destroy(new Error(`fault suite: connection to ${host} refused (loopback only)`)));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  return {
    attempts: () => [...refused],
    remove: () => {
      net.Socket.prototype.connect = original;
    },
  };
}
