// The OpenAI HTTP API over an engine, as a Hono app (web-standard Request/Response: it runs on
// Node through @hono/node-server, see node-server.ts, or on any fetch-style runtime).
// Routes: GET /health, GET /metrics (Prometheus text), GET /v1/models, POST /v1/completions, POST /v1/chat/completions (SSE with
// `data:` lines and `data: [DONE]` when `stream: true`). Errors are OpenAI-style JSON:
// 400 malformed or invalid requests, 413 oversized bodies, 429 full queue, 503 closed engine.

import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Engine } from './engine.js';
import { EngineClosedError, InvalidRequestError, QueueFullError } from './errors.js';
import { prometheusMetrics } from './metrics.js';

export interface HttpAppOptions {
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

function errorJson(
  c: Context,
  status: 400 | 404 | 413 | 429 | 500 | 503,
  message: string,
  type: string,
  param: string | null = null,
) {
  return c.json({ error: { message, type, param, code: null } } satisfies ErrorBody, status);
}

function errorResponse(c: Context, error: unknown) {
  if (error instanceof InvalidRequestError) return errorJson(c, 400, error.message, error.type, error.param);
  if (error instanceof QueueFullError) return errorJson(c, 429, error.message, error.type);
  if (error instanceof EngineClosedError) return errorJson(c, 503, error.message, error.type);
  return errorJson(c, 500, error instanceof Error ? error.message : String(error), 'server_error');
}

/** The Hono app serving `engine`. */
export function createHttpApp(engine: Engine, options: HttpAppOptions = {}): Hono {
  const app = new Hono();
  const maxSize = options.maxBodyBytes ?? 1 << 20;
  const limit = bodyLimit({
    maxSize,
    onError: (c) =>
      errorJson(c, 413, `the request body is larger than ${maxSize} bytes`, 'invalid_request_error'),
  });

  app.get('/health', (c) => c.json({ status: 'ok', ...engine.stats() }));
  app.get('/metrics', (c) =>
    c.text(prometheusMetrics(engine.stats()), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  );
  app.get('/v1/models', (c) =>
    c.json({
      object: 'list',
      data: [{ id: engine.modelName, object: 'model', created: 0, owned_by: 'mamba-webgpu' }],
    }),
  );

  const route = (path: string, create: (body: never, signal: AbortSignal) => Promise<unknown>) => {
    app.post(path, limit, async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch (error) {
        return errorJson(
          c,
          400,
          `the request body is not valid JSON: ${(error as Error).message}`,
          'invalid_request_error',
          'body',
        );
      }
      // Aborted when the client goes away: the rows leave the batch and free their slots.
      const controller = new AbortController();
      c.req.raw.signal.addEventListener('abort', () => controller.abort(), { once: true });
      let result: unknown;
      try {
        result = await create(body as never, controller.signal);
      } catch (error) {
        return errorResponse(c, error);
      }
      if (!isAsyncIterable(result)) return c.json(result as object);
      const chunks = result;
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => controller.abort());
        try {
          for await (const chunk of chunks) await stream.writeSSE({ data: JSON.stringify(chunk) });
          await stream.writeSSE({ data: '[DONE]' });
        } catch (error) {
          if (controller.signal.aborted) return;
          const message = error instanceof Error ? error.message : String(error);
          await stream.writeSSE({
            data: JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } }),
          });
        }
      });
    });
  };
  route('/v1/completions', (body, signal) => engine.completions.create(body, { signal }));
  route('/v1/chat/completions', (body, signal) => engine.chat.completions.create(body, { signal }));

  app.notFound((c) => errorJson(c, 404, `no route ${c.req.method} ${c.req.path}`, 'invalid_request_error'));
  app.onError((error, c) => errorResponse(c, error));
  return app;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
