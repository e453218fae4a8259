import { MAX_KEY_LENGTH, sanitizeNode } from '../mackerel/naming';

/**
 * The `<key>` node under METRIC_KEY=slot: `<service, else family>-<slot>`, e.g. `api-2`, sanitised like the
 * task key and at most {@link MAX_KEY_LENGTH} characters (the name part is cut, the slot kept). Mackerel
 * bills per metric name on a host (reference §11), and a slot is reused by the next task of the service, so
 * the names a host accumulates stay bounded across deployments.
 */
export function slotKey(service: string | undefined, family: string, slot: number): string {
  const id = String(slot);
  const base = sanitizeNode(service || family);
  const room = Math.max(0, MAX_KEY_LENGTH - id.length - 1);
  return [base.slice(0, room), id].filter((p) => p !== '').join('-');
}
