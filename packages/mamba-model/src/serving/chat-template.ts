// Chat prompts through the checkpoint's own chat template (tokenizer_config.json `chat_template`),
// rendered with @huggingface/jinja, the renderer transformers.js uses. No template, no guess: a
// typed error says so.

import { Template } from '@huggingface/jinja';
import type { TokenizerConfig } from '../loading/tokenizer-config.js';
import { ChatTemplateError } from './errors.js';
import type { ChatMessage } from './types.js';

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    source: string,
    private readonly specials: { bosToken?: string | undefined; eosToken?: string | undefined } = {},
  ) {
    try {
      this.template = new Template(source);
    } catch (error) {
      throw new ChatTemplateError(
        `ChatTemplate: the chat template does not parse: ${(error as Error).message}`,
        'messages',
      );
    }
  }

  /** The prompt text for `messages`, ending with the assistant's turn opener. */
  render(caller: string, messages: readonly ChatMessage[]): string {
    try {
      return this.template.render({
        messages,
        add_generation_prompt: true,
        bos_token: this.specials.bosToken ?? '',
        eos_token: this.specials.eosToken ?? '',
      });
    } catch (error) {
      // Templates reject what they cannot render (raise_exception('roles must alternate ...')).
      throw new ChatTemplateError(
        `${caller}: the chat template refused the messages: ${(error as Error).message}`,
        'messages',
      );
    }
  }
}

/** The template to use: an explicit one, else the checkpoint's; undefined when there is none. */
export function chatTemplateFor(
  config: TokenizerConfig | undefined,
  override: string | undefined,
): ChatTemplate | undefined {
  const source = override ?? config?.chatTemplate;
  if (source === undefined) return undefined;
  return new ChatTemplate(source, { bosToken: config?.bosToken, eosToken: config?.eosToken });
}
