// Node-only: a file on disk as a ByteSource (node:fs/promises FileHandle), read in bounded
// chunks so a tensor over 2 GiB still reads, and short reads are reported as truncation.

import { type FileHandle, open } from 'node:fs/promises';
import { type ByteSource, checkReadRange } from './byte-source.js';
import { SafetensorsError } from './errors.js';

/** Largest single `read()` call: Node refuses lengths over 2 GiB - 1. */
const MAX_READ_CHUNK = 1 << 30;

/** Opens a file for random access. Close the source when done. */
export async function openFileSource(path: string): Promise<ByteSource> {
  let handle: FileHandle | undefined;
  let size: number;
  try {
    handle = await open(path, 'r');
    size = (await handle.stat()).size;
  } catch (cause) {
    await handle?.close();
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SafetensorsError(
      `openFileSource: cannot open ${path}: ${(cause as Error).message}`,
      missing ? 'missing-file' : 'io',
      path,
      undefined,
      { cause },
    );
  }
  let closed = false;
  const source: ByteSource = {
    name: path,
    size,
    async read(offset, length) {
      checkReadRange('openFileSource.read', source, offset, length);
      if (closed || handle === undefined) {
        throw new SafetensorsError(`openFileSource.read: ${path} is closed`, 'io', path);
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(
            out,
            done,
            Math.min(length - done, MAX_READ_CHUNK),
            offset + done,
          ));
        } catch (cause) {
          throw new SafetensorsError(
            `openFileSource.read: reading ${path} failed: ${(cause as Error).message}`,
            'io',
            path,
            undefined,
            {
              cause,
            },
          );
        }
        if (bytesRead === 0) {
          throw new SafetensorsError(
            `openFileSource.read: ${path} ended at ${offset + done} bytes, expected at least ${offset + length}. The file shrank or is truncated.`,
            'truncated',
            path,
          );
        }
        done += bytesRead;
      }
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle?.close();
    },
  };
  return source;
}
