// A small static file handler for node:http and Vite's connect middleware: GET and HEAD with
// single byte-range requests (`urlStore` reads safetensors weights with Range, tensor by tensor).
// Used by the e2e test's server and by `vite dev`/`vite preview` to serve model folders.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** Maps a URL path under a mount point to a file inside `root`; undefined when it escapes `root`. */
export function resolveInside(root: string, relativeUrlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relativeUrlPath);
  } catch {
    return undefined;
  }
  const path = normalize(join(root, decoded));
  const rootWithSep = root.endsWith(sep) ? root : root + sep;
  return path === root || path.startsWith(rootWithSep) ? path : undefined;
}

/**
 * Serves `file` for `req`: 200 for a full GET/HEAD, 206 for `Range: bytes=a-b`, 416 for an
 * unsatisfiable range. Resolves to false (nothing sent) when the file does not exist.
 */
export async function serveFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<boolean> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    size = info.size;
  } catch {
    return false;
  }
  res.setHeader('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
  res.setHeader('accept-ranges', 'bytes');
  res.setHeader('cache-control', 'no-store');
  let start = 0;
  let end = size - 1;
  const range = req.headers.range;
  if (range) {
    const match = /^bytes=(\d*)-(\d*)$/.exec(range);
    const first = match?.[1] ?? '';
    const last = match?.[2] ?? '';
    if (first === '' && last !== '') {
      start = Math.max(0, size - Number(last));
    } else {
      start = Number(first);
      if (last !== '') end = Math.min(Number(last), size - 1);
    }
    if (!match || (first === '' && last === '') || start > end || start >= size) {
      res.statusCode = 416;
      res.setHeader('content-range', `bytes */${size}`);
      res.end();
      return true;
    }
    res.statusCode = 206;
    res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
  } else {
    res.statusCode = 200;
  }
  res.setHeader('content-length', String(end - start + 1));
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return true;
  }
  createReadStream(file, { start, end }).pipe(res);
  return true;
}

/** A mount: URL prefix (`/models/`) -> folder on disk. */
export interface Mount {
  prefix: string;
  root: string;
}

/**
 * Handles a request against the mounts, longest prefix first; `/` maps to `index.html`.
 * Resolves to false when no mount holds the file.
 */
export async function serveMounts(req: IncomingMessage, res: ServerResponse, mounts: readonly Mount[]) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  const sorted = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length);
  for (const { prefix, root } of sorted) {
    if (!pathname.startsWith(prefix)) continue;
    let relative = pathname.slice(prefix.length);
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    const file = resolveInside(root, relative);
    if (file && (await serveFile(req, res, file))) return true;
  }
  return false;
}
