// Public API of the serving layer: the in-process OpenAI-compatible engine, its request and
// response shapes and its typed errors.

export {
  type ChatCompletionsApi,
  type CompletionsApi,
  createEngine,
  type Engine,
  type EngineOptions,
  type EngineStats,
} from './engine.js';
export { ChatTemplate } from './chat-template.js';
export { ChatTemplateError, EngineClosedError, InvalidRequestError, QueueFullError } from './errors.js';
export { StopMatcher } from './stop-strings.js';
export type * from './types.js';
export { createHttpApp, type HttpAppOptions } from './http.js';
