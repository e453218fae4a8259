/**
 * SsmPort on @aws-sdk/client-ssm v3. Thin: one SDK call per method, every field normalised, every error an
 * SsmCallError carrying the AWS code. Region and endpoint come from the SDK's own configuration (AWS_REGION,
 * AWS_ENDPOINT_URL_SSM), which is how the simulator redirects it; this module never reads process.env.
 */
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AWS_CALL_TIMEOUT_MS, AWS_REQUEST_HANDLER_OPTIONS, withCallTimeout } from '../util/awsCall';
import { SsmCallError, toSsmCallError } from './ssmErrors';
import { RUN_SHELL_SCRIPT_DOCUMENT, type CommandInvocation, type SsmPort } from './ssmPort';

/** Standard retry mode, 3 attempts: jittered back-off on ThrottlingException and 5xx (reference §3). */
const SDK_MAX_ATTEMPTS = 3;
/** The plugin of AWS-RunShellScript; naming it makes GetCommandInvocation unambiguous. */
const PLUGIN_NAME = 'aws:runShellScript';

let defaultClient: SSMClient | undefined;

/** The module's one SSMClient, built on first use and reused by every warm invocation. */
function getDefaultClient(): SSMClient {
  defaultClient ??= new SSMClient({ maxAttempts: SDK_MAX_ATTEMPTS, retryMode: 'standard', requestHandler: AWS_REQUEST_HANDLER_OPTIONS });
  return defaultClient;
}

/** Knobs for tests; production uses the defaults. */
export interface AwsSsmPortOptions {
  /** Bound on one `send()`, retries included; default {@link AWS_CALL_TIMEOUT_MS}. */
  readonly callTimeoutMs?: number;
}

/**
 * Builds the SSM port; pass a client to override the module-scope default (tests, other Regions). Each call is
 * bounded by withCallTimeout: a timeout is an SsmCallError with code `CallTimeoutError`, an ordinary failure.
 */
export function createAwsSsmPort(client: SSMClient = getDefaultClient(), options: AwsSsmPortOptions = {}): SsmPort {
  const timeoutMs = options.callTimeoutMs ?? AWS_CALL_TIMEOUT_MS;
  return {
    async sendCommand(request, signal) {
      let commandId: string | undefined;
      try {
        const command = new SendCommandCommand({
          DocumentName: RUN_SHELL_SCRIPT_DOCUMENT,
          InstanceIds: [...request.instanceIds],
          TimeoutSeconds: request.deliveryTimeoutS,
          Comment: request.comment.slice(0, 100),
          Parameters: { commands: [...request.commands], executionTimeout: [String(request.executionTimeoutS)] },
          OutputS3BucketName: request.outputS3Bucket,
          OutputS3KeyPrefix: request.outputS3KeyPrefix,
        });
        const out = await withCallTimeout(timeoutMs, signal, (s) => client.send(command, { abortSignal: s }));
        commandId = out.Command?.CommandId;
      } catch (e) {
        throw toSsmCallError(e, 'SendCommand');
      }
      if (!commandId) throw new SsmCallError('SendCommand', 'MissingCommandId', 'the response has no CommandId');
      return commandId;
    },

    async getCommandInvocation(commandId, instanceId, signal) {
      try {
        const command = new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId, PluginName: PLUGIN_NAME });
        const out = await withCallTimeout(timeoutMs, signal, (s) => client.send(command, { abortSignal: s }));
        const invocation: CommandInvocation = {
          status: out.Status ?? 'Pending',
          statusDetails: out.StatusDetails ?? '',
          responseCode: out.ResponseCode ?? -1,
          stdout: out.StandardOutputContent ?? '',
          stderr: out.StandardErrorContent ?? '',
          stdoutUrl: out.StandardOutputUrl || undefined,
        };
        return invocation;
      } catch (e) {
        throw toSsmCallError(e, 'GetCommandInvocation');
      }
    },
  };
}
