// Differentiable ops: each runs the forward op, and records on the tape what its backward needs
// (retained references, freed by the tape) and how to compute the input gradients with GPU
// kernels. Shapes follow the forward ops (`matmul`: W is (out, in), as PyTorch's Linear).

import { ShapeError, formatShape } from '../errors.js';
import { add as addOp, mul as mulOp } from '../ops/binary/binary.js';
import { embedding as embeddingOp } from '../ops/embedding/embedding.js';
import { embeddingBackward } from '../ops/embedding/embedding-backward.js';
import { matmul } from '../ops/matmul/matmul.js';
import { sumRows } from '../ops/reduce/sum-rows.js';
import { addRmsNorm as addRmsNormOp, rmsNorm as rmsNormOp } from '../ops/rmsnorm/rmsnorm.js';
import { rmsNormBackward } from '../ops/rmsnorm/rmsnorm-backward.js';
import { logSoftmax as logSoftmaxOp } from '../ops/softmax/softmax.js';
import { logSoftmaxBackward } from '../ops/softmax/log-softmax-backward.js';
import { type UnaryOp, unary as unaryOp } from '../ops/unary/unary.js';
import { unaryBackward } from '../ops/unary/unary-backward.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Tape, retain, retainPlain as plain } from './tape.js';

/** `t` flattened to (rows, last) (a new reference). */
function rows2d(t: Tensor): Tensor {
  const last = t.shape[t.shape.length - 1] ?? 1;
  const p = plain(t);
  const r = p.reshape([last === 0 ? 0 : t.numel / last, last]);
  p.dispose();
  return r;
}

/** The gradient of a broadcast operand of shape `shape` from the full-shape gradient `g`. */
function reduceTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.numel === shape.reduce((p, d) => p * d, 1)) return g.reshape(shape);
  let s = [...shape];
  while (s.length > 0 && s[0] === 1) s = s.slice(1);
  const reduced = sumRows(g, s);
  const out = reduced.reshape(shape);
  reduced.dispose();
  return out;
}

/**
 * y = x @ W^T (+ bias). x: (..., in); W: (out, in); bias: (out). Gradients: dx = dy @ W,
 * dW = dy^T @ x (a sum over tokens), dBias = the column sums of dy.
 */
export function linear(tape: Tape, x: Tensor, w: Tensor, bias?: Tensor): Tensor<'f32'> {
  const xs = plain(x);
  const y = matmul(xs, w, bias ? { bias } : {});
  const savedW = retain(w);
  const inputs = bias ? [x, w, bias] : [x, w];
  tape.record({
    name: 'linear',
    inputs,
    outputs: [y],
    backward: ([dy]) => {
      const n = w.shape[0]!;
      const k = w.shape[1]!;
      const dy2 = rows2d(dy!);
      const x2 = xs.reshape([xs.numel / k, k]);
      let dx: Tensor | undefined;
      if (tape.requiresGrad(x)) {
        const wT = savedW.transpose(0, 1); // (in, out) as matmul's W: dx = dy @ W, read in place
        const dx2 = matmul(dy2, wT);
        wT.dispose();
        dx = dx2.reshape(x.shape);
        dx2.dispose();
      }
      let dw: Tensor | undefined;
      if (tape.requiresGrad(w)) {
        // dW = dy^T @ x: both operands transposed views (the GEMM splits K = tokens).
        const dyT = dy2.transpose(0, 1);
        const xT = x2.transpose(0, 1);
        dw = matmul(dyT, xT);
        dyT.dispose();
        xT.dispose();
      }
      const db = bias && tape.requiresGrad(bias) ? sumRows(dy2, [n]) : undefined;
      dy2.dispose();
      x2.dispose();
      return bias ? [dx, dw, db] : [dx, dw];
    },
    release: () => {
      xs.dispose();
      savedW.dispose();
    },
  });
  return y;
}

/** a + b, b's shape a trailing part of a's (or the reverse). */
export function add(tape: Tape, a: Tensor, b: Tensor): Tensor<'f32'> {
  const as = plain(a);
  const bs = plain(b);
  const y = addOp(as, bs);
  as.dispose();
  bs.dispose();
  tape.record({
    name: 'add',
    inputs: [a, b],
    outputs: [y],
    backward: ([dy]) => [
      tape.requiresGrad(a) ? reduceTo(dy!, a.shape) : undefined,
      tape.requiresGrad(b) ? reduceTo(dy!, b.shape) : undefined,
    ],
  });
  return y;
}

/** a * b element-wise, with the same trailing broadcast as `add`. */
export function mul(tape: Tape, a: Tensor, b: Tensor): Tensor<'f32'> {
  const as = plain(a);
  const bs = plain(b);
  const y = mulOp(as, bs);
  tape.record({
    name: 'mul',
    inputs: [a, b],
    outputs: [y],
    backward: ([dy]) => {
      const grad = (other: Tensor, shape: readonly number[]) => {
        const full = mulOp(dy!, other);
        const r = reduceTo(full, shape);
        full.dispose();
        return r;
      };
      return [
        tape.requiresGrad(a) ? grad(bs, a.shape) : undefined,
        tape.requiresGrad(b) ? grad(as, b.shape) : undefined,
      ];
    },
    release: () => {
      as.dispose();
      bs.dispose();
    },
  });
  return y;
}

/** Element-wise `op` (silu, softplus, exp, neg, sigmoid). */
export function unary(tape: Tape, op: UnaryOp, x: Tensor): Tensor<'f32'> {
  const xs = plain(x);
  const y = unaryOp(op, xs);
  tape.record({
    name: op,
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => [unaryBackward(op, xs, dy!)],
    release: () => xs.dispose(),
  });
  return y;
}

/** RMSNorm over the last dim: x * rsqrt(mean(x^2) + eps) * weight. */
export function rmsNorm(tape: Tape, x: Tensor, weight: Tensor, eps = 1e-5): Tensor<'f32'> {
  const xs = plain(x);
  const y = rmsNormOp(xs, weight, { eps });
  tape.record({
    name: 'rmsNorm',
    inputs: [x, weight],
    outputs: [y],
    backward: ([dy]) => {
      const { dx, dWeight } = rmsNormBackward(xs, weight, dy!, { eps });
      return [dx, dWeight];
    },
    release: () => xs.dispose(),
  });
  return y;
}

/**
 * The fused add-norm of a Mamba layer: residualOut = x + residual (or x), out =
 * rmsNorm(residualOut) * weight. Returns both; gradients reach x and residual alike.
 */
export function addRmsNorm(
  tape: Tape,
  x: Tensor,
  residual: Tensor | undefined,
  weight: Tensor,
  eps = 1e-5,
): { out: Tensor<'f32'>; residual: Tensor<'f32'> } {
  const xs = plain(x);
  const rs = residual ? plain(residual) : undefined;
  const r = addRmsNormOp(xs, rs, weight, { eps });
  const residualOut = r.residual!;
  const saved = retain(residualOut);
  xs.dispose();
  rs?.dispose();
  tape.record({
    name: 'addRmsNorm',
    inputs: residual ? [x, residual, weight] : [x, weight],
    outputs: [r.out, residualOut],
    backward: ([dOut, dRes]) => {
      let dx: Tensor;
      let dWeight: Tensor | undefined;
      if (dOut) {
        const g = rmsNormBackward(saved, weight, dOut, dRes ? { eps, dResidual: dRes } : { eps });
        dx = g.dx;
        dWeight = g.dWeight;
      } else {
        dx = retain(dRes!);
      }
      return residual ? [dx, retain(dx), dWeight] : [dx, dWeight];
    },
    release: () => saved.dispose(),
  });
  return { out: r.out, residual: residualOut };
}

/**
 * Rows of `table` at `ids`. ids: (...) i32 on the GPU and the same ids on the host (`hostIds`,
 * which the deterministic scatter-add of the backward groups by id); table: (vocab, dim).
 */
export function embedding(tape: Tape, ids: Tensor, hostIds: ArrayLike<number>, table: Tensor): Tensor<'f32'> {
  if (hostIds.length !== ids.numel) {
    throw new ShapeError(
      `embedding: hostIds must hold the ${ids.numel} ids of ${formatShape(ids.shape)}, got ${hostIds.length}`,
    );
  }
  const y = embeddingOp(ids, table);
  const copy = Int32Array.from(hostIds);
  tape.record({
    name: 'embedding',
    inputs: [ids, table],
    outputs: [y],
    backward: ([dy]) => {
      const dy2 = rows2d(dy!);
      const dTable = embeddingBackward(copy, dy2, table.shape[0]!);
      dy2.dispose();
      return [undefined, dTable];
    },
  });
  return y;
}

/** log-softmax over the last dim. */
export function logSoftmax(tape: Tape, x: Tensor): Tensor<'f32'> {
  const xs = plain(x);
  const y = logSoftmaxOp(xs);
  xs.dispose();
  const saved = retain(y);
  tape.record({
    name: 'logSoftmax',
    inputs: [x],
    outputs: [y],
    backward: ([dy]) => [logSoftmaxBackward(saved, dy!)],
    release: () => saved.dispose(),
  });
  return y;
}
