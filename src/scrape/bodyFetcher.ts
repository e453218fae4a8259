import type { Result } from '../result';
import type { Target } from '../types';
import { mapLimit } from '../util/mapLimit';
import type { ScrapeError } from './errors';
import type { ScrapeBody, Scraper } from './httpScraper';

/**
 * How the pipeline gets the bytes of every target: directly over HTTP (this file) or through SSM Run Command
 * (planned). Each result is handed to `onResult` as soon as it arrives, so a body is parsed and released
 * while other targets are still being fetched: memory stays bounded by the concurrency, not the target count.
 */
export interface BodyFetcher {
  /** Fetches every target once. Never rejects for a target's failure: that is an error Result. */
  fetchEach(
    targets: readonly Target[],
    onResult: (target: Target, result: Result<ScrapeBody, ScrapeError>) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Releases sockets or clients. */
  close(): void;
}

/** Direct mode: HTTP GET from inside the VPC with bounded concurrency. */
export function createDirectFetcher(scraper: Scraper, concurrency: number): BodyFetcher {
  return {
    async fetchEach(targets, onResult, signal) {
      await mapLimit(targets, concurrency, async (t) => onResult(t, await scraper.scrape(t, signal)));
    },
    close: () => scraper.close(),
  };
}
