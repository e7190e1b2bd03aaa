// How ops bind their operands: the layouts a kernel reads in place, the contiguous copy for the
// others (through contiguousOperand, the one copy path), and the one convention for an optional
// operand that is absent.

import type { Binding, GpuContext } from '../device/context.js';
import type { Tensor } from '../tensor/tensor.js';
import { type BindingWindow, dummyBinding, dummyWritableBinding } from './binding-window.js';
import { contiguousOperand } from './copy/contiguous.js';

/**
 * The operand a kernel reading contiguous binding windows binds: `x` itself when contiguous (its
 * offset goes into the windows), else its contiguous copy pushed onto `temporaries` (dispose them
 * after recording).
 */
export function windowOperand<T extends Tensor>(x: T, temporaries: Tensor[]): T {
  return x.isContiguous ? x : contiguousOperand(x, temporaries);
}

/**
 * The binding of an optional operand: its window when present, else the context's dummy buffer
 * (a separate one for `read_write` bindings, since one buffer may not be bound both ways in a
 * dispatch). The convention for every op: an absent operand binds the dummy, and the kernel's
 * `HAS_<NAME>` constant (false then) keeps it from being read or written.
 */
export function optionalBinding(
  ctx: GpuContext,
  window: BindingWindow | undefined,
  access: 'read' | 'read_write' = 'read',
): Binding {
  if (window) return window.binding;
  return access === 'read' ? dummyBinding(ctx) : dummyWritableBinding(ctx);
}
