// HTTP side of the hub downloader: requests with a response timeout (until the headers arrive) and
// an idle timeout on the body, redirects followed by hand so the token never leaves the endpoint,
// and the typed errors for HTTP statuses. Node-only (uses the global fetch).

import { HubError } from './errors.js';

/** What the HTTP layer needs from `resolveCheckpoint`'s options. */
export interface HubHttp {
  fetch: typeof fetch;
  token: string | undefined;
  endpointOrigin: string;
  /** Ms from sending a request to its response headers (connect included). */
  timeoutMs: number;
  /** Ms the body may go without a byte. */
  readTimeoutMs: number;
}

/**
 * Aborts one request when a phase (the headers, the next body chunk) takes longer than its bound;
 * `expired` says which phase, so the error can name the timeout rather than a bare abort.
 */
export class Watchdog {
  readonly controller = new AbortController();
  expired: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  arm(ms: number, phase: string): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.expired = phase;
      this.controller.abort();
    }, ms);
  }

  disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A followed request: the final response and the LFS headers seen on the way. */
export interface Followed {
  response: Response;
  linkedSize: string | undefined;
  linkedEtag: string | undefined;
}

/**
 * Fetches `url`, following redirects by hand: the Authorization header goes only to the
 * endpoint's origin (the hub redirects LFS files to a CDN). Also returns the LFS headers seen on
 * the way (`x-linked-size`, `x-linked-etag` sit on the hub's redirect response). Each hop must
 * answer within `http.timeoutMs`; the body is left to the caller, still under `watchdog`.
 */
export async function fetchFollowing(
  http: HubHttp,
  url: string,
  init: { method: 'HEAD' | 'GET'; headers?: Record<string, string> },
  watchdog: Watchdog,
): Promise<Followed> {
  const maxRedirects = 10;
  let current = url;
  let linkedSize: string | undefined;
  let linkedEtag: string | undefined;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity', ...init.headers };
    if (http.token && new URL(current).origin === http.endpointOrigin)
      headers.authorization = `Bearer ${http.token}`;
    let response: Response;
    watchdog.arm(http.timeoutMs, 'response');
    try {
      response = await http.fetch(current, {
        method: init.method,
        headers,
        redirect: 'manual',
        signal: watchdog.controller.signal,
      });
    } catch (cause) {
      if (watchdog.expired !== undefined) {
        throw new HubError(
          `resolveCheckpoint: ${init.method} ${current} got no response within ${http.timeoutMs} ms (options.timeoutMs)`,
          'timeout',
          url,
          undefined,
          { cause },
        );
      }
      throw new HubError(
        `resolveCheckpoint: ${init.method} ${current} failed: ${String(cause)}. Check the network and the endpoint.`,
        'network',
        url,
        undefined,
        { cause },
      );
    } finally {
      watchdog.disarm();
    }
    linkedSize ??= response.headers.get('x-linked-size') ?? undefined;
    linkedEtag ??= response.headers.get('x-linked-etag') ?? undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel().catch(() => {});
      current = new URL(location, current).toString();
      continue;
    }
    return { response, linkedSize, linkedEtag };
  }
  throw new HubError(
    `resolveCheckpoint: ${url} redirected more than ${maxRedirects} times`,
    'too-many-redirects',
    url,
  );
}

/** The typed error for an unexpected HTTP status. */
export function statusError(url: string, status: number, file: string): HubError {
  if (status === 404) {
    return new HubError(
      `resolveCheckpoint: ${file} is required but ${url} answered HTTP 404. Check the repo id, revision and file list.`,
      'not-found',
      url,
      status,
    );
  }
  if (status === 401 || status === 403) {
    return new HubError(
      `resolveCheckpoint: ${url} answered HTTP ${status}. The repo is gated or private: set HF_TOKEN (or options.token) to a token with access.`,
      'unauthorized',
      url,
      status,
    );
  }
  return new HubError(`resolveCheckpoint: expected HTTP 200 for ${url}, got ${status}`, 'http', url, status);
}
