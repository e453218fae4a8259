import type { Result } from '../result';
import type { Target } from '../types';
import { mapLimit } from '../util/mapLimit';
import { createByteBudget } from './byteBudget';
import type { ScrapeError } from './errors';
import type { ScrapeBody, Scraper } from './httpScraper';

/**
 * Receives one target's result. Whatever it returns is awaited (the pipeline parses there and returns the
 * parse's promise) before the body counts as dropped, so its bytes stay reserved until the parse is done.
 * `unknown` rather than `void | Promise<void>` so that plain callbacks such as `(t, r) => map.set(t.id, r)` fit.
 */
export type OnResult = (target: Target, result: Result<ScrapeBody, ScrapeError>) => unknown;

/**
 * How the pipeline gets the bytes of every target: directly over HTTP (this file) or through SSM Run Command
 * (ssmFetcher.ts). Each result is handed to `onResult` as soon as it arrives, so a body is parsed and released
 * while other targets are still being fetched: memory stays bounded by the concurrency and, in direct mode,
 * by MAX_INFLIGHT_BYTES, not by the target count.
 */
export interface BodyFetcher {
  /** Fetches every target once. Never rejects for a target's failure: that is an error Result. */
  fetchEach(targets: readonly Target[], onResult: OnResult, signal?: AbortSignal): Promise<void>;
  /** Releases sockets or clients. */
  close(): void;
}

/** Options of {@link createDirectFetcher} besides the concurrency. */
export interface DirectFetcherOptions {
  /** MAX_INFLIGHT_BYTES: body bytes all scrapes together may hold until parsed; default unbounded. */
  readonly maxInflightBytes?: number;
}

/**
 * Direct mode: HTTP GET from inside the VPC with bounded concurrency. One byte budget per fetcher (that is,
 * per warm container) is shared by every scrape: each body holds its bytes from the first chunk until
 * `onResult` (the parse) has finished with it.
 */
export function createDirectFetcher(scraper: Scraper, concurrency: number, opts: DirectFetcherOptions = {}): BodyFetcher {
  const budget = opts.maxInflightBytes === undefined ? undefined : createByteBudget(opts.maxInflightBytes);
  return {
    async fetchEach(targets, onResult, signal) {
      await mapLimit(targets, concurrency, async (t) => {
        const lease = budget?.open();
        try {
          await onResult(t, await scraper.scrape(t, signal, lease));
        } finally {
          lease?.release();
        }
      });
    },
    close: () => scraper.close(),
  };
}
