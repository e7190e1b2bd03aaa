// Activation checkpointing: run a block's forward without keeping what its backward needs, and
// recompute it (on a tape of its own) when the backward reaches the block. Memory per block drops
// to its inputs; the price is one more forward.

import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Tape, retain } from './tape.js';

/**
 * outputs = fn(inner, inputs), recorded on `tape` as one node whose backward recomputes fn on a
 * fresh tape. `params` are the tensors fn reads that need gradients (a layer's weights): they
 * must be passed, since fn's reads are not visible from outside.
 */
export function checkpoint(
  tape: Tape,
  name: string,
  inputs: readonly Tensor[],
  params: readonly Tensor[],
  fn: (inner: Tape, inputs: readonly Tensor[]) => readonly Tensor[],
): readonly Tensor[] {
  const forwardOnly = new Tape();
  const outputs = fn(forwardOnly, inputs).map(retain);
  forwardOnly.dispose();
  const saved = inputs.map(retain);
  const all = [...inputs, ...params];
  tape.record({
    name: `checkpoint(${name})`,
    inputs: all,
    outputs,
    backward: (outputGrads) => {
      const inner = new Tape();
      const leaves = [...saved, ...params];
      for (const t of leaves) inner.param(t);
      const again = fn(inner, saved);
      if (again.length !== outputs.length) {
        throw new InvalidArgumentError(
          `checkpoint(${name}): the recomputation returned ${again.length} outputs, the forward ${outputs.length}`,
          'fn',
        );
      }
      const seeds = again.flatMap((o, k) => (outputGrads[k] ? [[o, outputGrads[k]!] as const] : []));
      inner.backward(seeds);
      const grads = inner.grads(leaves);
      inner.dispose();
      return grads;
    },
    release: () => {
      for (const t of saved) t.dispose();
    },
  });
  return outputs;
}
