import { CriticalError } from '../errors';

/**
 * The Mackerel API key could not be read from SSM Parameter Store (MACKEREL_API_KEY_PARAMETER): names the
 * parameter and the AWS error, so the failed invocation says what to fix (the name, the Region, the IAM
 * policy, the KMS key) instead of middy's bare "Failed to resolve internal values". Never carries the value.
 */
export class ApiKeyReadError extends CriticalError {
  override readonly name = 'ApiKeyReadError';
  constructor(
    readonly parameter: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`cannot read the Mackerel API key from SSM parameter ${JSON.stringify(parameter)} (MACKEREL_API_KEY_PARAMETER): ${reason}`, options);
  }
}
