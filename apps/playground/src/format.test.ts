// The page's error text: the full description for tooltips and the console, and the short one
// shown beside the action, without the library's internal prefixes.
import { describe, expect, it } from 'vitest';
import { describeError, displayMessage, withoutPrefixes } from './format.js';

class MambaModelError extends Error {
  override name = 'MambaModelError';
}

describe('displayMessage', () => {
  it('drops the error name and the function prefixes, keeps file names', () => {
    const error = new MambaModelError('loadModelFromStore: urlStore: config.json: unexpected end of JSON');
    expect(displayMessage(error)).toBe('config.json: unexpected end of JSON');
    expect(describeError(error)).toBe(
      'MambaModelError: loadModelFromStore: urlStore: config.json: unexpected end of JSON',
    );
    expect(withoutPrefixes('MambaModel.generate: the prompt is empty')).toBe('The prompt is empty');
    expect(withoutPrefixes('settings: max tokens must be a number, got "x"')).toBe(
      'Max tokens must be a number, got "x"',
    );
  });

  it('keeps a message that is only a prefix-like word, and text that is not an Error', () => {
    expect(withoutPrefixes('openHttpSource: ')).toBe('OpenHttpSource:');
    expect(displayMessage('GPU device lost')).toBe('GPU device lost');
    expect(displayMessage(new Error('Failed to fetch'))).toBe('Failed to fetch');
    expect(displayMessage(new Error('openHttpSource: http://x/a does not exist (HTTP 404)'))).toBe(
      'http://x/a does not exist (HTTP 404)',
    );
  });

  it('adds the cause when it says more, without its prefixes', () => {
    const cause = new TypeError('openHttpSource: Failed to fetch');
    const error = new MambaModelError('loadModelFromStore: could not read config.json', { cause });
    expect(displayMessage(error)).toBe('Could not read config.json: failed to fetch');
    const same = new MambaModelError('loadModelFromStore: Failed to fetch', { cause });
    expect(displayMessage(same)).toBe('Failed to fetch');
  });
});
