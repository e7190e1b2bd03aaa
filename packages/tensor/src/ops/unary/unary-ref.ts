// CPU references of the unary ops, in f64 then rounded to f32.

import type { UnaryOp } from './unary.js';

export function softplusRef(v: number): number {
  return v > 20 ? v : Math.log1p(Math.exp(v));
}

export function siluRef(v: number): number {
  return v / (1 + Math.exp(-v));
}

const FNS: Record<UnaryOp, (v: number) => number> = {
  silu: siluRef,
  softplus: softplusRef,
  exp: Math.exp,
  neg: (v) => -v,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
};

/** out = op(x), element-wise, on the CPU. */
export function unaryRef(op: UnaryOp, x: Float32Array): Float32Array {
  const f = FNS[op];
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}
