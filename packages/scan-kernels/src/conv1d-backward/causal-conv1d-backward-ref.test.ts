// The float64 reference of causalConv1dBackward (CPU only): central finite differences of
// sum(y * dy) for every input element, and PyTorch's float64 autograd oracle
// (test/fixtures/train/conv1d_grad_oracle.safetensors).
import { fileURLToPath } from 'node:url';
import { SeededRandom, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../test/safetensors.js';
import {
  type CausalConv1dBackwardRefArgs,
  causalConv1dBackwardRef,
  causalConv1dPreactivationRef,
} from './causal-conv1d-backward-ref.js';

const silu = (v: number) => v / (1 + Math.exp(-v));

/** The loss whose gradients the reference returns: sum(act(pre) * dy), in float64. */
function loss(args: CausalConv1dBackwardRefArgs): number {
  const pre = causalConv1dPreactivationRef(args);
  let total = 0;
  for (let i = 0; i < pre.length; i++) total += (args.silu ? silu(pre[i]!) : pre[i]!) * args.dy![i]!;
  return total;
}

type Input = 'x' | 'weight' | 'bias' | 'initialState';

/** d loss / d args[input], by central differences (step h), element by element. */
function finiteDifferences(args: CausalConv1dBackwardRefArgs, input: Input, h = 1e-5): Float64Array {
  const base = Float64Array.from(args[input]!);
  const grad = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number) => {
      const moved = Float64Array.from(base);
      moved[i] = base[i]! + delta;
      return loss({ ...args, [input]: moved });
    };
    grad[i] = (at(h) - at(-h)) / (2 * h);
  }
  return grad;
}

describe('causalConv1dBackwardRef', () => {
  const cases: [number, number, number, number, boolean, number, boolean][] = [
    // batch, dInner, seqLen, width, bias, initWidth (0 = none), silu
    [2, 3, 7, 4, true, 3, true],
    [1, 2, 5, 2, false, 0, false],
    [2, 2, 1, 4, true, 3, true],
    [1, 3, 2, 3, true, 3, false],
    [2, 2, 6, 4, false, 4, true],
    [1, 2, 9, 8, true, 7, true],
  ];
  for (const [batch, dInner, seqLen, width, withBias, initWidth, withSilu] of cases) {
    const name = `(${batch},${dInner},${seqLen}) width ${width}${withBias ? ' bias' : ''}${initWidth ? ` init ${initWidth}` : ''}${withSilu ? ' silu' : ''}`;
    it(`matches finite differences: ${name}`, () => {
      const rng = new SeededRandom(1000 + seqLen * 31 + width * 7 + initWidth);
      const args: CausalConv1dBackwardRefArgs = {
        batch,
        dInner,
        seqLen,
        width,
        x: rng.array(batch * dInner * seqLen),
        weight: rng.array(dInner * width),
        bias: withBias ? rng.array(dInner) : undefined,
        initialState: initWidth ? rng.array(batch * dInner * initWidth) : undefined,
        initWidth: initWidth || undefined,
        silu: withSilu,
        dy: rng.array(batch * dInner * seqLen),
      };
      const grads = causalConv1dBackwardRef(args);
      const tol = { rtol: 1e-6, atol: 1e-8 };
      expectAllClose(grads.dx, finiteDifferences(args, 'x'), { ...tol, label: 'dx' });
      expectAllClose(grads.dWeight, finiteDifferences(args, 'weight'), { ...tol, label: 'dWeight' });
      expect(grads.dBias === undefined).toBe(!withBias);
      if (withBias) expectAllClose(grads.dBias!, finiteDifferences(args, 'bias'), { ...tol, label: 'dBias' });
      expect(grads.dInitialState === undefined).toBe(!initWidth);
      if (initWidth) {
        expectAllClose(grads.dInitialState!, finiteDifferences(args, 'initialState'), {
          ...tol,
          label: 'dInitialState',
        });
      }
    });
  }

  it('matches the float64 PyTorch autograd oracle', () => {
    const path = fileURLToPath(
      new URL('../../test/fixtures/train/conv1d_grad_oracle.safetensors', import.meta.url),
    );
    const f = readSafetensors(path);
    const [batch, dInner, seqLen] = f.x!.shape as [number, number, number];
    const width = f.weight!.shape[1]!;
    expect([batch, dInner, seqLen, width]).toEqual([2, 24, 333, 4]);
    const args: CausalConv1dBackwardRefArgs = {
      batch,
      dInner,
      seqLen,
      width,
      x: f.x!.data,
      weight: f.weight!.data,
      bias: f.bias!.data,
      initialState: f.initial_state!.data,
      silu: true,
      dy: f.dy!.data,
    };
    // The fixture's forward confirms the semantics (weight orientation, initial-state order).
    const y = causalConv1dPreactivationRef(args).map(silu);
    const tol = { rtol: 1e-5, atol: 1e-6 };
    expectAllClose(y, f.y!.data, { ...tol, label: 'y' });
    const grads = causalConv1dBackwardRef(args);
    expectAllClose(grads.dx, f.d_x!.data, { ...tol, label: 'd_x' });
    expectAllClose(grads.dWeight, f.d_weight!.data, { ...tol, label: 'd_weight' });
    expectAllClose(grads.dBias!, f.d_bias!.data, { ...tol, label: 'd_bias' });
    expectAllClose(grads.dInitialState!, f.d_initial_state!.data, { ...tol, label: 'd_initial_state' });
  });
});
