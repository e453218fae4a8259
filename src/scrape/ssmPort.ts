/**
 * The SSM Run Command calls ssm mode makes, behind a narrow port (adapter: awsSsm.ts), and the limits of the API
 * they obey. Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/ (API_SendCommand,
 * API_GetCommandInvocation) and reference/ecs-api.md §5.
 */

/** SendCommand `InstanceIds`: at most 50 per call. */
export const SEND_COMMAND_MAX_INSTANCES = 50;
/** GetCommandInvocation returns only the first 24,000 characters of stdout (the rest needs an S3 bucket). */
export const INVOCATION_STDOUT_MAX_CHARS = 24_000;
/** …and the first 8,000 of stderr. */
export const INVOCATION_STDERR_MAX_CHARS = 8_000;
/**
 * The SSM Agent ends cut output with this marker (amazon-ssm-agent `pluginutil.ReadPrefix`: the first
 * 24,000 − 20 bytes, then the suffix). The parser does not need it (a missing END frame says the same); tests do.
 */
export const OUTPUT_TRUNCATED_SUFFIX = '--output truncated--';
/** SendCommand `TimeoutSeconds` (time to deliver the command to an instance): 30 is the API's minimum. */
export const DELIVERY_TIMEOUT_S = 30;
/** AWS-RunShellScript `executionTimeout`: the document allows 1 to 172,800 seconds. */
export const EXECUTION_TIMEOUT_MAX_S = 172_800;
/** The one document ssm mode runs. */
export const RUN_SHELL_SCRIPT_DOCUMENT = 'AWS-RunShellScript';

/** Invocation statuses (API `CommandInvocationStatus`). `StatusDetails` adds e.g. "Undeliverable", "Execution Timed Out". */
export type InvocationStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';

/** Statuses after which an invocation never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set<InvocationStatus>(['Success', 'Cancelled', 'TimedOut', 'Failed']);

/** One SendCommand, as the fetcher builds it. */
export interface SendCommandRequest {
  readonly instanceIds: readonly string[];
  /** AWS-RunShellScript `commands`: the lines of the script file the agent writes and runs. */
  readonly commands: readonly string[];
  /** AWS-RunShellScript `executionTimeout`, seconds. */
  readonly executionTimeoutS: number;
  /** SendCommand `TimeoutSeconds`. */
  readonly deliveryTimeoutS: number;
  /** At most 100 characters. */
  readonly comment: string;
  /** SendCommand `OutputS3BucketName`: the agent also uploads the complete stdout there. */
  readonly outputS3Bucket?: string;
  readonly outputS3KeyPrefix?: string;
}

/** One instance's invocation of a command, normalised (the SDK makes every field optional). */
export interface CommandInvocation {
  /** An {@link InvocationStatus}, or whatever new value AWS returns (kept as text, treated as not final). */
  readonly status: string;
  readonly statusDetails: string;
  /** The script's exit code; -1 while it has not run. */
  readonly responseCode: number;
  /** At most {@link INVOCATION_STDOUT_MAX_CHARS}. */
  readonly stdout: string;
  readonly stderr: string;
  /** `StandardOutputUrl`: the S3 object with the complete stdout, when an output bucket was given. */
  readonly stdoutUrl?: string;
}

/**
 * The SSM calls of ssm mode. Methods throw {@link SsmCallError} (ssmErrors.ts) with the AWS error code, so the
 * fetcher can tell `InvocationDoesNotExist` (retry) and `InvalidInstanceId` (split the batch) from the rest.
 */
export interface SsmPort {
  /** Returns the CommandId. */
  sendCommand(request: SendCommandRequest, signal?: AbortSignal): Promise<string>;
  getCommandInvocation(commandId: string, instanceId: string, signal?: AbortSignal): Promise<CommandInvocation>;
}

/**
 * Reads the complete command output the SSM Agent uploaded to S3 (SSM_OUTPUT_BUCKET). No adapter yet: it needs
 * @aws-sdk/client-s3 (GetObject) as a dependency, and the Lambda role needs s3:GetObject on the bucket.
 */
export interface SsmOutputStore {
  /** The object's text; rejects when it is larger than `maxBytes`. */
  getObjectText(bucket: string, key: string, maxBytes: number, signal?: AbortSignal): Promise<string>;
}
