// Tests of hub id parsing and hub file URLs.

import { describe, expect, it } from 'vitest';
import { HubError } from './errors.js';
import { hubFileUrl, isHubId, parseHubId } from './hub-id.js';

describe('parseHubId', () => {
  it('parses owner/name with an optional revision', () => {
    expect(parseHubId('state-spaces/mamba-130m-hf')).toEqual({
      owner: 'state-spaces',
      name: 'mamba-130m-hf',
      revision: 'main',
    });
    expect(parseHubId('state-spaces/mamba-2.8b-hf@refs/pr/1').revision).toBe('refs/pr/1');
    expect(hubFileUrl(parseHubId('a/b@refs/pr/1'), 'model.safetensors', 'https://hub.example/')).toBe(
      'https://hub.example/a/b/resolve/refs%2Fpr%2F1/model.safetensors',
    );
  });

  it.each(['mamba', 'a/b/c', '../x', 'a/..', '/abs/path', 'a/b@', 'a/b@../x', 'a b/c'])(
    'rejects %s',
    (id) => {
      expect(isHubId(id)).toBe(false);
      expect(() => parseHubId(id)).toThrow(HubError);
    },
  );
});
