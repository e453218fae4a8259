/**
 * Reads the framed output of agent-script/scrape.sh (format in the script's header) back into one result per
 * target. Pure. Output cut at the 24,000-character limit is expected: every frame whose payload line arrived whole
 * is still used, and the BEGIN line (always first) says how many characters the complete output needed. The
 * END line closes the output: whatever follows it (frames included) is not the script's and is only counted,
 * so that a frame appended after END can never replace a target's real one.
 */
import { gunzipSync } from 'node:zlib';
import { err, ok, type Result } from '../result';
import { ScrapeError } from './errors';
import type { ScrapeBody } from './httpScraper';

const MARK = '@@MECS1';

/** One target's frame as the script printed it. */
export interface Frame {
  readonly index: number;
  readonly status: 'ok' | 'error';
  readonly curlExit: number;
  readonly httpStatus: number;
  readonly bytes: number;
  /** ok: base64 of the gzipped body; error: the reason. */
  readonly payload: string;
}

/** What one instance's output held. */
export interface ParsedOutput {
  readonly frames: ReadonlyMap<number, Frame>;
  /** The END line arrived: nothing was cut. */
  readonly complete: boolean;
  /** Characters the complete output takes, from the BEGIN line (undefined without one). */
  readonly neededChars?: number;
  /** The script could scrape nothing (`@@MECS1 FATAL <reason>`). */
  readonly fatal?: string;
  /** Non-empty lines after the END line, ignored: the script prints nothing there (see {@link afterEndProblem}). */
  readonly linesAfterEnd: number;
}

const INT = /^(0|[1-9][0-9]{0,11})$/;

/**
 * Parses the script's stdout. Unterminated last lines (a cut) and unknown lines are ignored; so is everything
 * after the first END line, counted in `linesAfterEnd`. A repeated frame index keeps its first frame.
 */
export function parseFramedOutput(stdout: string): ParsedOutput {
  const lines = stdout.split('\n');
  lines.pop(); // the text after the last newline: empty, or a line that was cut
  const frames = new Map<number, Frame>();
  let complete = false;
  let neededChars: number | undefined;
  let fatal: string | undefined;
  let i = 0;
  for (; i < lines.length && !complete; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith(`${MARK} `)) continue;
    const [, first = '', ...rest] = line.split(' ');
    if (first === 'FATAL') fatal = rest.join(' ');
    else if (first === 'END') complete = true;
    else if (first === 'BEGIN' && rest.length === 2 && rest.every((r) => INT.test(r))) {
      neededChars = line.length + 1 + Number(rest[1]) + `${MARK} END ${rest[0]}\n`.length;
    } else {
      const [status, curlExit = '', httpStatus = '', bytes = ''] = rest;
      const payload = lines[i + 1];
      if (rest.length !== 4 || (status !== 'ok' && status !== 'error') || payload === undefined) continue;
      if (![first, curlExit, httpStatus, bytes].every((n) => INT.test(n))) continue;
      i++;
      // The script prints each index once: a second frame for it is not the script's and must not win.
      if (frames.has(Number(first))) continue;
      frames.set(Number(first), {
        index: Number(first),
        status,
        curlExit: Number(curlExit),
        httpStatus: Number(httpStatus),
        bytes: Number(bytes),
        payload,
      });
    }
  }
  const linesAfterEnd = lines.slice(i).filter((l) => l.trim() !== '').length;
  return { frames, complete, neededChars, fatal, linesAfterEnd };
}

/** What to report about an output with lines after END (undefined when it has none). */
export function afterEndProblem(parsed: Pick<ParsedOutput, 'linesAfterEnd'>, instanceId: string): string | undefined {
  if (parsed.linesAfterEnd === 0) return undefined;
  return `${parsed.linesAfterEnd} line(s) after the END frame of the SSM output on ${instanceId} ignored (not printed by the scrape script)`;
}

/** What a frame needs to become a result: the limits the script was given and where it ran (for reasons). */
export interface FrameContext {
  readonly targetId: string;
  readonly port: number;
  readonly instanceId: string;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly durationMs: number;
}

/** curl exit codes with a meaning of their own (curl(1) "EXIT CODES"). */
const CURL_COULDNT_CONNECT = 7;
const CURL_OPERATION_TIMEDOUT = 28;
const CURL_FILESIZE_EXCEEDED = 63;

/** Turns a frame into the same result a direct scrape gives, with the same reason texts. */
export function frameToResult(frame: Frame, ctx: FrameContext): Result<ScrapeBody, ScrapeError> {
  const fail = (kind: ScrapeError['kind'], message: string, status?: number) =>
    err(new ScrapeError(ctx.targetId, kind, message, status === undefined ? undefined : { status }));
  const tooLarge = `body larger than ${ctx.maxBodyBytes} bytes`;
  if (frame.status === 'error') {
    if (frame.bytes > ctx.maxBodyBytes || frame.curlExit === CURL_FILESIZE_EXCEEDED) return fail('too-large', tooLarge);
    if (frame.curlExit === CURL_COULDNT_CONNECT) return fail('refused', `connection refused (127.0.0.1:${ctx.port} on ${ctx.instanceId})`);
    if (frame.curlExit === CURL_OPERATION_TIMEDOUT) return fail('timeout', `timed out after ${ctx.timeoutMs} ms`);
    if (frame.curlExit === 0 && frame.httpStatus !== 0) return fail('http-status', `HTTP ${frame.httpStatus}`, frame.httpStatus);
    return fail('network', `${frame.payload.slice(0, 200)} (on ${ctx.instanceId})`);
  }
  if (frame.bytes > ctx.maxBodyBytes) return fail('too-large', tooLarge);
  let body: Buffer;
  try {
    // The cap applies to the decompressed size, so a small frame cannot inflate into a huge body.
    body = gunzipSync(Buffer.from(frame.payload, 'base64'), { maxOutputLength: ctx.maxBodyBytes + 1 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return fail('too-large', tooLarge);
    return fail('network', `corrupt frame in the SSM output (on ${ctx.instanceId}): ${(e as Error).message}`);
  }
  if (body.length > ctx.maxBodyBytes) return fail('too-large', tooLarge);
  if (body.length !== frame.bytes) {
    return fail('network', `corrupt frame in the SSM output (on ${ctx.instanceId}): ${body.length} bytes, ${frame.bytes} announced`);
  }
  return ok({ body: body.toString('utf8'), bytes: body.length, status: frame.httpStatus, durationMs: ctx.durationMs });
}
