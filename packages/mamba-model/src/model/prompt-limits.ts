// How many prompt tokens one prefill (or forward) can take on an adapter, checked on the CPU before
// anything is recorded. The prefill binds its widest activation whole: in_proj's output xz
// (batch*seqLen, 2*dInner) f32, which the conv and the scan read through views (forward.ts); a
// forward also keeps its logits (batch*seqLen, vocab) f32 in one buffer for the readback.

import { LimitError } from '@mamba-webgpu/tensor';
import type { MambaConfig } from '../loading/config.js';

/** The adapter limits the prompt length depends on. */
export interface PromptLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly minStorageBufferOffsetAlignment: number;
}

type Shape = Pick<MambaConfig, 'dModel' | 'dInner' | 'dState' | 'dtRank' | 'vocabSize'>;

/** Bytes per token of the widest activation a prefill binds whole. */
function activationBytesPerToken(config: Shape): number {
  // v2-chunked's packed [B | C] rows: 2 * nPad, nPad at most twice dState rounded up to 4.
  const packedBc = 4 * Math.ceil(config.dState / 4) * 4;
  const widest = Math.max(2 * config.dInner, config.dModel, config.dtRank + 2 * config.dState, packedBc);
  return 4 * widest;
}

/** Bytes of one binding (or buffer) left for elements after the alignment slack at its start. */
function usable(limits: PromptLimits, bytes: number): number {
  return bytes - limits.minStorageBufferOffsetAlignment - 16;
}

/** Tokens (batch * seqLen) one prefill fits on this adapter; a ragged row is prefilled alone. */
export function maxPrefillTokens(config: Shape, limits: PromptLimits): number {
  const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  return Math.max(0, Math.floor(usable(limits, binding) / activationBytesPerToken(config)));
}

/** Tokens (batch * seqLen) one `forward` fits: the prefill's bound and its logits' buffer. */
export function maxForwardTokens(config: Shape, limits: PromptLimits): number {
  const logits = Math.floor(usable(limits, limits.maxBufferSize) / (4 * config.vocabSize));
  return Math.min(maxPrefillTokens(config, limits), Math.max(0, logits));
}

/**
 * Throws a LimitError, before any GPU work, when `batch` rows of `seqLen` tokens exceed `max`
 * (from `maxPrefillTokens` / `maxForwardTokens`), saying what fits.
 * @param caller the public function for messages (`MambaModel.generate`)
 */
export function checkPromptFits(
  caller: string,
  batch: number,
  seqLen: number,
  max: number,
  limits: PromptLimits,
): void {
  if (batch * seqLen <= max) return;
  const rows = batch > 1 ? `${batch} rows of ${seqLen} tokens (${batch * seqLen})` : `${seqLen} tokens`;
  const fewer =
    batch > 1
      ? `at most ${Math.floor(max / batch)} tokens per row for ${batch} rows, or fewer rows`
      : 'a shorter prompt';
  throw new LimitError(
    `${caller}: the prompt is ${rows}, more than the ${max} tokens one pass fits on this adapter ` +
      `(maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}, maxBufferSize ${limits.maxBufferSize}); ` +
      `give ${fewer}`,
  );
}
