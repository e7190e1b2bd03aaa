// A fake Hugging Face hub for tests: node:http on 127.0.0.1 (random port) serving files in the
// hub's `/<owner>/<name>/resolve/<revision>/<file>` layout, with LFS-style redirects to a second
// "CDN" server (x-linked-size / x-linked-etag on the redirect), Range support, and fault modes: a
// request never answered, a body that stalls or ends early without Content-Length, a slow body.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the servers saw. */
export interface SeenRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

/**
 * A misbehaviour for the next `times` requests (`method`, default GET) of a file: `hang` accepts and
 * never answers; `stall` sends `after` bytes of the body, then nothing (the socket stays open);
 * `end-early` sends no Content-Length and ends the body cleanly after `after` bytes.
 */
export interface Fault {
  kind: 'hang' | 'stall' | 'end-early';
  method?: 'HEAD' | 'GET';
  after?: number;
  times: number;
}

/** Files of one repo revision and the faults to inject. */
export interface FakeRepo {
  /** `owner/name` */
  id: string;
  revision?: string;
  files: Map<string, Uint8Array>;
  /** Files served as LFS: the hub redirects to the CDN. */
  lfs?: Set<string>;
  /** Cut the next GET of this file after this many bytes (then serve normally). */
  interruptOnce?: Map<string, number>;
  /** Report this size for a file (x-linked-size for LFS files, Content-Length on HEAD otherwise). */
  reportedSize?: Map<string, number>;
  /** Report this sha256 instead of the real one. */
  reportedSha256?: Map<string, string>;
  /** Faults by file (for LFS files they happen at the CDN). */
  faults?: Map<string, Fault>;
  /** Send the body of these files in 16 kB pieces, this many ms apart. */
  slow?: Map<string, number>;
}

function takeFault(repo: FakeRepo, file: string, method: string | undefined): Fault | undefined {
  const fault = repo.faults?.get(file);
  if (fault === undefined || fault.times <= 0 || (fault.method ?? 'GET') !== method) return undefined;
  fault.times--;
  return fault;
}

function sendSlowly(res: ServerResponse, body: Uint8Array, everyMs: number) {
  let at = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    const end = Math.min(at + 16_384, body.byteLength);
    res.write(body.subarray(at, end));
    at = end;
    if (at === body.byteLength) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

export interface FakeHub {
  endpoint: string;
  cdn: string;
  requests: SeenRequest[];
  repos: FakeRepo[];
  close(): Promise<void>;
}

function serveBytes(
  req: IncomingMessage,
  res: ServerResponse,
  bytes: Uint8Array,
  repo: FakeRepo,
  file: string,
  headSize?: number,
) {
  const fault = takeFault(repo, file, req.method);
  if (fault?.kind === 'hang') return; // accepted, never answered; the socket stays open
  res.setHeader('accept-ranges', 'bytes');
  if (req.method === 'HEAD') {
    res.writeHead(200, { 'content-length': String(headSize ?? bytes.byteLength) });
    res.end();
    return;
  }
  let start = 0;
  let end = bytes.byteLength - 1;
  const headers: Record<string, string> = {};
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    start = Number(range[1]);
    if (range[2]) end = Math.min(Number(range[2]), end);
    if (start >= bytes.byteLength) {
      res.writeHead(416, { 'content-range': `bytes */${bytes.byteLength}` });
      res.end();
      return;
    }
    headers['content-range'] = `bytes ${start}-${end}/${bytes.byteLength}`;
  }
  if (fault?.kind !== 'end-early') headers['content-length'] = String(end - start + 1);
  res.writeHead(range ? 206 : 200, headers);
  const body = bytes.subarray(start, end + 1);
  if (fault !== undefined) {
    res.write(body.subarray(0, fault.after ?? 0));
    if (fault.kind === 'end-early') res.end();
    return;
  }
  const cut = repo.interruptOnce?.get(file);
  if (cut !== undefined) {
    repo.interruptOnce!.delete(file);
    res.write(body.subarray(0, cut), () => {
      setTimeout(() => res.socket?.destroy(), 20);
    });
    return;
  }
  const everyMs = repo.slow?.get(file);
  if (everyMs !== undefined) sendSlowly(res, body, everyMs);
  else res.end(body);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

/** Starts the fake hub and CDN. */
export async function startFakeHub(repos: FakeRepo[]): Promise<FakeHub> {
  const requests: SeenRequest[] = [];
  const find = (path: string): { repo: FakeRepo; file: string } | undefined => {
    for (const repo of repos) {
      const prefix = `/${repo.id}/resolve/${encodeURIComponent(repo.revision ?? 'main')}/`;
      if (path.startsWith(prefix)) return { repo, file: decodeURIComponent(path.slice(prefix.length)) };
    }
    return undefined;
  };
  const record = (server: 'hub' | 'cdn', req: IncomingMessage) =>
    requests.push({
      server,
      method: req.method ?? '',
      path: req.url ?? '',
      range: req.headers.range,
      authorization: req.headers.authorization,
    });

  let cdnBase = '';
  const cdn = createServer((req, res) => {
    record('cdn', req);
    const found = find((req.url ?? '').replace(/^\/cdn/, ''));
    const bytes = found?.repo.files.get(found.file);
    if (!found || !bytes) {
      res.writeHead(404).end();
      return;
    }
    serveBytes(req, res, bytes, found.repo, found.file);
  });
  const hub = createServer((req, res) => {
    record('hub', req);
    const found = find(req.url ?? '');
    const bytes = found?.repo.files.get(found.file);
    if (!found || !bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
      return;
    }
    const { repo, file } = found;
    if (repo.lfs?.has(file)) {
      const sha = repo.reportedSha256?.get(file) ?? createHash('sha256').update(bytes).digest('hex');
      res.writeHead(302, {
        location: `${cdnBase}/cdn${req.url}`,
        'x-linked-size': String(repo.reportedSize?.get(file) ?? bytes.byteLength),
        'x-linked-etag': `"${sha}"`,
      });
      res.end();
      return;
    }
    serveBytes(req, res, bytes, repo, file, repo.reportedSize?.get(file));
  });
  const endpoint = await listen(hub);
  cdnBase = await listen(cdn);
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    endpoint,
    cdn: cdnBase,
    requests,
    repos,
    close: async () => void (await Promise.all([close(hub), close(cdn)])),
  };
}
