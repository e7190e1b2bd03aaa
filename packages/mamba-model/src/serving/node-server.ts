// createServer: the engine's HTTP API listening on a Node socket, loopback (127.0.0.1) unless a
// host is given. `close()` stops accepting connections, then closes the engine (running requests
// finish, or are cancelled with `cancel`).

import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { MambaModelError } from '../loading/errors.js';
import type { Engine } from './engine.js';
import { createHttpApp, type HttpAppOptions } from './http.js';

export interface ServerOptions extends HttpAppOptions {
  /** Interface to listen on (default 127.0.0.1: loopback only). */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
}

export interface RunningServer {
  /** `http://host:port`, the base of the API (`${url}/v1`). */
  readonly url: string;
  readonly port: number;
  close(options?: { cancel?: boolean }): Promise<void>;
}

/** Serves `engine` over HTTP; resolves once it listens. */
export function createServer(engine: Engine, options: ServerOptions = {}): Promise<RunningServer> {
  const app = createHttpApp(engine, options);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: host, port: options.port ?? 8080 },
      (info: AddressInfo) => {
        const urlHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${urlHost}:${info.port}`,
          port: info.port,
          close: async (closeOptions = {}) => {
            const closed = new Promise<void>((done) => server.close(() => done()));
            await engine.close(closeOptions);
            if ('closeAllConnections' in server) server.closeAllConnections();
            await closed;
          },
        });
      },
    );
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new MambaModelError(
          `createServer: cannot listen on ${host}:${options.port ?? 8080}: ${cause.code ?? cause.message}` +
            (cause.code === 'EADDRINUSE' ? ' (the port is taken: pick another, or 0 for a free one)' : ''),
          { cause },
        ),
      ),
    );
  });
}
