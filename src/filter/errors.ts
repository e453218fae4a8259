import { CollectorError } from '../errors';

/**
 * A target's include/exclude pattern cannot be compiled. Discovery refuses such a container with the label
 * quoted, so this only meets a target built elsewhere; the target is reported as a parse failure, never thrown.
 */
export class FilterError extends CollectorError {
  override readonly name = 'FilterError';
  constructor(
    readonly targetId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`metric filter: ${reason}`, options);
  }
}
