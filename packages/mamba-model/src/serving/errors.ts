// Typed errors of the serving layer, each with the HTTP status and OpenAI error `type` a server
// answers with, so that the in-process engine and the HTTP server fail the same way.

import { InvalidArgumentError, MambaWebGpuError } from '@mamba-webgpu/tensor';

/** A request the engine refuses before any GPU work: `param` names the offending field. */
export class InvalidRequestError extends InvalidArgumentError {
  override name = 'InvalidRequestError';
  readonly status: number = 400;
  readonly type: string = 'invalid_request_error';
  constructor(
    message: string,
    /** The request field at fault (`max_tokens`, `messages[1].content`, ...). */
    readonly param: string,
  ) {
    super(message, param);
  }
}

/** A chat request to a model whose checkpoint has no chat template (or whose template fails). */
export class ChatTemplateError extends InvalidRequestError {
  override name = 'ChatTemplateError';
}

/** Every slot is busy and the wait queue is full (HTTP 429). */
export class QueueFullError extends MambaWebGpuError {
  override name = 'QueueFullError';
  readonly status = 429;
  readonly type = 'rate_limit_exceeded';
}

/** The engine was closed; the request was not run or was cut short (HTTP 503). */
export class EngineClosedError extends MambaWebGpuError {
  override name = 'EngineClosedError';
  readonly status = 503;
  readonly type = 'server_error';
}
