// What the serving layer needs from a checkpoint's `tokenizer_config.json`: the chat template
// (a Jinja string, or the named list newer checkpoints ship) and the special tokens it refers to.

import { ConfigError } from './errors.js';
import { parseJsonText, StrictJsonError, tooDeepMessage } from './json.js';

export interface TokenizerConfig {
  /** The default chat template (Jinja source), when the checkpoint has one. */
  chatTemplate: string | undefined;
  /** Named templates (`tool_use`, ...) besides the default one. */
  namedTemplates: Readonly<Record<string, string>>;
  bosToken: string | undefined;
  eosToken: string | undefined;
}

/** Parses `tokenizer_config.json`; unknown keys are ignored, a malformed template throws. */
export function parseTokenizerConfig(json: string, source = 'tokenizer_config.json'): TokenizerConfig {
  let raw: unknown;
  try {
    raw = parseJsonText(json);
  } catch (cause) {
    if (!(cause instanceof StrictJsonError)) throw cause;
    const message =
      cause.problem === 'too-deep'
        ? tooDeepMessage(source, cause, 'a tokenizer config needs 3')
        : `${source} is not JSON (${cause.message})`;
    throw new ConfigError(`parseTokenizerConfig: ${message}`, source, undefined, { cause });
  }
  if (typeof raw !== 'object' || raw === null) {
    throw new ConfigError(`parseTokenizerConfig: ${source} must hold a JSON object`, source);
  }
  const record = raw as Record<string, unknown>;
  const named: Record<string, string> = {};
  let chatTemplate: string | undefined;
  const template = record.chat_template;
  if (typeof template === 'string') {
    chatTemplate = template;
  } else if (Array.isArray(template)) {
    // [{ name, template }], as transformers writes several templates.
    for (const entry of template) {
      const { name, template: text } = (entry ?? {}) as { name?: unknown; template?: unknown };
      if (typeof name !== 'string' || typeof text !== 'string') {
        throw new ConfigError(
          `parseTokenizerConfig: ${source} chat_template entries must be { name: string, template: string }`,
          source,
        );
      }
      named[name] = text;
    }
    chatTemplate = named.default;
  } else if (template !== undefined && template !== null) {
    throw new ConfigError(
      `parseTokenizerConfig: ${source} chat_template must be a string or a list of { name, template }, got ${typeof template}`,
      source,
    );
  }
  return {
    chatTemplate,
    namedTemplates: named,
    bosToken: tokenText(record.bos_token),
    eosToken: tokenText(record.eos_token),
  };
}

/** A special token given as a string or as an AddedToken object (`{ content: ... }`). */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { content?: unknown }).content === 'string'
  ) {
    return (value as { content: string }).content;
  }
  return undefined;
}
