/**
 * A pagination loop that always ends. The SDK paginators follow `nextToken` for as long as the service returns
 * one, and stop on a repeat only when it is the same token twice in a row (and only if asked); a service, proxy
 * or simulator that cycles through tokens keeps a cycle listing until its deadline. Here a listing stops when any
 * token comes back a second time, or after a page cap, and says why, so the caller keeps what it has read.
 */

/** How a listing ended: `complete`, or why it was cut short (for an Issue). */
export type PagesOutcome = { readonly complete: true; readonly pages: number } | { readonly complete: false; readonly pages: number; readonly reason: string };

/**
 * Calls `readPage` with `undefined`, then with each returned token, until it returns no token (or an empty one),
 * returns a token it returned before, or `maxPages` pages have been read. `readPage` keeps the items itself;
 * whatever it throws propagates (pages read so far stay with the caller).
 */
export async function followPages(
  action: string,
  maxPages: number,
  readPage: (nextToken: string | undefined) => Promise<string | undefined>,
): Promise<PagesOutcome> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 1; ; pages++) {
    token = await readPage(token);
    if (token === undefined || token === '') return { complete: true, pages };
    if (seen.has(token)) {
      return { complete: false, pages, reason: `${action} returned a repeated nextToken after ${pages} pages; listing stopped` };
    }
    if (pages >= maxPages) {
      return { complete: false, pages, reason: `${action} still had more after ${pages} pages (the cap); listing stopped` };
    }
    seen.add(token);
  }
}
