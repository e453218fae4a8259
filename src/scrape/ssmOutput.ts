/**
 * The output of one instance's invocation, as the fetcher uses it: inline (GetCommandInvocation, cut at 24,000
 * characters), or the complete stdout the SSM Agent uploaded to S3 when SSM_OUTPUT_BUCKET is set.
 */
import { describeError } from '../errors';
import { err, ok, type Result } from '../result';
import { parseFramedOutput, type ParsedOutput } from './ssmFraming';
import type { CommandInvocation, SsmOutputStore } from './ssmPort';

/**
 * The object key in `bucket` of a `StandardOutputUrl`, path-style (`https://s3.<region>.amazonaws.com/<bucket>/<key>`)
 * or virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`); undefined when it is neither.
 */
export function s3KeyFromOutputUrl(url: string, bucket: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(parsed.pathname).replace(/^\//, '');
  if (parsed.hostname.startsWith(`${bucket}.`)) return path || undefined;
  if (path.startsWith(`${bucket}/`)) return path.slice(bucket.length + 1) || undefined;
  return undefined;
}

/** Where to read the complete output from. */
export interface OutputSource {
  readonly bucket?: string;
  readonly store?: SsmOutputStore;
  /** Cap of the S3 read: the most a complete output of this instance's targets can take. */
  readonly maxBytes: number;
}

/** Parsed output, and why the complete output could not be read when it was needed. */
export interface InstanceOutput {
  readonly parsed: ParsedOutput;
  readonly s3Problem?: string;
}

/** Parses the inline output, and reads the complete one from S3 when the inline one was cut and a bucket is set. */
export async function readInstanceOutput(
  invocation: CommandInvocation,
  source: OutputSource,
  signal?: AbortSignal,
): Promise<InstanceOutput> {
  const inline = parseFramedOutput(invocation.stdout);
  if (inline.complete || inline.fatal !== undefined || source.bucket === undefined) return { parsed: inline };
  const full = await readFromS3(invocation, source.bucket, source, signal);
  if (!full.ok) return { parsed: inline, s3Problem: full.error };
  const parsed = parseFramedOutput(full.value);
  return parsed.complete ? { parsed } : { parsed: inline, s3Problem: 'the S3 copy of the output is incomplete too' };
}

async function readFromS3(
  invocation: CommandInvocation,
  bucket: string,
  source: OutputSource,
  signal?: AbortSignal,
): Promise<Result<string, string>> {
  if (source.store === undefined) return err('no S3 reader is configured');
  if (invocation.stdoutUrl === undefined) return err('GetCommandInvocation returned no StandardOutputUrl');
  const key = s3KeyFromOutputUrl(invocation.stdoutUrl, bucket);
  if (key === undefined) return err(`StandardOutputUrl is not in bucket ${bucket}`);
  try {
    return ok(await source.store.getObjectText(bucket, key, source.maxBytes, signal));
  } catch (e) {
    return err(`reading s3://${bucket}/${key} failed: ${describeError(e)}`);
  }
}
