import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SsmOutputStore } from './ssmPort';

let defaultClient: S3Client | undefined;

/** Reads a text object with a byte cap, so a runaway output file cannot exhaust the Lambda's memory. */
export function createS3OutputStore(client?: S3Client): SsmOutputStore {
  return {
    async getObjectText(bucket, key, maxBytes, signal) {
      const s3 = client ?? (defaultClient ??= new S3Client({ maxAttempts: 3 }));
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      if (res.ContentLength !== undefined && res.ContentLength > maxBytes) {
        throw new Error(`s3://${bucket}/${key} is ${res.ContentLength} bytes, over the ${maxBytes}-byte cap`);
      }
      const body = res.Body as AsyncIterable<Uint8Array> | undefined;
      if (!body) return '';
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of body) {
        bytes += chunk.length;
        if (bytes > maxBytes) throw new Error(`s3://${bucket}/${key} is over the ${maxBytes}-byte cap`);
        chunks.push(Buffer.from(chunk));
      }
      return Buffer.concat(chunks, bytes).toString('utf8');
    },
  };
}
