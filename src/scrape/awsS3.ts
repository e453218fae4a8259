import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AWS_CALL_TIMEOUT_MS, AWS_REQUEST_HANDLER_OPTIONS, withCallTimeout } from '../util/awsCall';
import type { SsmOutputStore } from './ssmPort';

let defaultClient: S3Client | undefined;

/** Knobs for tests; production uses the defaults. */
export interface S3OutputStoreOptions {
  /** Bound on one GetObject, body included; default {@link AWS_CALL_TIMEOUT_MS}. */
  readonly callTimeoutMs?: number;
}

/**
 * Reads a text object with a byte cap, so a runaway output file cannot exhaust the Lambda's memory, and a time
 * bound covering the body as well as the request (the handler's requestTimeout stops at the response headers),
 * so a stalled body cannot hold the cycle: a timeout rejects with "timed out after N ms".
 */
export function createS3OutputStore(client?: S3Client, options: S3OutputStoreOptions = {}): SsmOutputStore {
  const timeoutMs = options.callTimeoutMs ?? AWS_CALL_TIMEOUT_MS;
  return {
    getObjectText(bucket, key, maxBytes, signal) {
      const s3 = client ?? (defaultClient ??= new S3Client({ maxAttempts: 3, requestHandler: AWS_REQUEST_HANDLER_OPTIONS }));
      return withCallTimeout(timeoutMs, signal, async (callSignal) => {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: callSignal });
        if (res.ContentLength !== undefined && res.ContentLength > maxBytes) {
          throw new Error(`s3://${bucket}/${key} is ${res.ContentLength} bytes, over the ${maxBytes}-byte cap`);
        }
        const body = res.Body as AsyncIterable<Uint8Array> | undefined;
        if (!body) return '';
        const chunks: Buffer[] = [];
        let bytes = 0;
        for await (const chunk of body) {
          // Leaving the loop destroys the stream: no more of a timed-out body is read into memory.
          callSignal.throwIfAborted();
          bytes += chunk.length;
          if (bytes > maxBytes) throw new Error(`s3://${bucket}/${key} is over the ${maxBytes}-byte cap`);
          chunks.push(Buffer.from(chunk));
        }
        return Buffer.concat(chunks, bytes).toString('utf8');
      });
    },
  };
}
