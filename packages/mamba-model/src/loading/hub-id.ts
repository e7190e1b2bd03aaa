// Hugging Face hub ids (`owner/name`, optional `@revision`) and the URLs of their files. Browser-
// safe: a browser reads a hub checkpoint straight from `hubBaseUrl(...)` through `urlStore`.

import { HubError } from './errors.js';
import { describeJson } from './json.js';

/** The default hub endpoint; `HF_ENDPOINT` (Node) or `options.endpoint` override it. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** A parsed hub id. */
export interface HubId {
  readonly owner: string;
  readonly name: string;
  /** Branch, tag or commit; `main` when the id has no `@revision`. */
  readonly revision: string;
}

const NAME_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** Whether a string has the shape of a hub id (`owner/name[@revision]`). */
export function isHubId(value: string): boolean {
  return tryParseHubId(value) !== undefined;
}

function tryParseHubId(value: string): HubId | undefined {
  const at = value.indexOf('@');
  const repo = at < 0 ? value : value.slice(0, at);
  const revision = at < 0 ? 'main' : value.slice(at + 1);
  const parts = repo.split('/');
  if (parts.length !== 2) return undefined;
  const [owner, name] = parts as [string, string];
  if (
    !NAME_PART.test(owner) ||
    !NAME_PART.test(name) ||
    name.endsWith('.') ||
    owner.includes('..') ||
    name.includes('..')
  )
    return undefined;
  if (!REVISION.test(revision) || revision.includes('..')) return undefined;
  return { owner, name, revision };
}

/** Parses `owner/name` or `owner/name@revision`; throws `HubError` (`bad-id`) otherwise. */
export function parseHubId(value: string): HubId {
  const id = tryParseHubId(value);
  if (id === undefined) {
    throw new HubError(
      `parseHubId: expected a hub id like "state-spaces/mamba-130m-hf" or "owner/name@revision", got ${describeJson(value)}`,
      'bad-id',
      value,
    );
  }
  return id;
}

/** `${endpoint}/${owner}/${name}/resolve/${revision}/`: the base of the repo's file URLs. */
export function hubBaseUrl(id: HubId, endpoint = DEFAULT_HUB_ENDPOINT): string {
  return `${endpoint.replace(/\/+$/, '')}/${id.owner}/${id.name}/resolve/${encodeURIComponent(id.revision)}/`;
}

/** The URL of one file of a hub repo. */
export function hubFileUrl(id: HubId, file: string, endpoint = DEFAULT_HUB_ENDPOINT): string {
  return hubBaseUrl(id, endpoint) + file.split('/').map(encodeURIComponent).join('/');
}

/**
 * The sha256 an ETag carries, if it is one: the hub's `X-Linked-Etag` (and the ETag) of an LFS
 * file is its content's sha256, quoted, possibly marked weak (`W/`); anything but 64 hex digits
 * is not a hash (undefined).
 */
export function sha256FromEtag(tag: string | undefined): string | undefined {
  const candidate = tag?.replace(/^W\//, '').replaceAll('"', '').toLowerCase();
  return candidate !== undefined && /^[0-9a-f]{64}$/.test(candidate) ? candidate : undefined;
}
