// Reverse-mode autograd: a Tape records the differentiable ops run through it (each with the
// tensors its backward needs) and `backward()` walks them in reverse, calling each op's backward
// GPU kernels and summing gradients that meet. Ownership is explicit: every tensor an autograd op
// returns belongs to the tape (freed by `dispose()`; `retain()` what must outlive it), what the ops
// saved is freed as `backward()` passes them, and parameters' gradients belong to the caller once
// taken with `grads()`.

import { InvalidArgumentError } from '../errors.js';
import { add } from '../ops/binary/binary.js';
import { contiguous } from '../ops/copy/contiguous.js';
import type { Tensor } from '../tensor/tensor.js';

/** Gradients an op's backward returns, one per input (undefined: no gradient flows there). */
export type InputGrads = readonly (Tensor | undefined)[];

/** One recorded op: its inputs, its outputs, and how to turn output gradients into input gradients. */
export interface TapeNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  /**
   * Given the gradient of each output (undefined where none reached it), returns the gradient of
   * each input as new tensors the tape then owns. It must not dispose `outputGrads`.
   */
  backward(outputGrads: readonly (Tensor | undefined)[]): InputGrads;
  /** Frees what the node saved for its backward (called once, after backward or on dispose). */
  release?(): void;
}

/** A new reference to `t` (a view of all of it) that stays valid after the caller disposes `t`. */
export function retain<T extends Tensor>(t: T): T {
  return t.view({ shape: t.shape, strides: t.strides, offset: 0 }) as T;
}

/**
 * `t` plain (row-major from element 0) for a kernel that needs it, as a reference the caller
 * owns: `t` itself retained, or a contiguous copy. What an op saves for its backward.
 */
export function retainPlain<T extends Tensor>(t: T): T {
  return t.isPlain ? retain(t) : contiguous(t);
}

/**
 * Records differentiable ops. Mark leaves with `param(t)`; run ops through the tape (`tape.op`
 * or the helpers in `autograd/ops.ts`); then `backward(loss)` and take `grads()`.
 *
 * ```ts
 * const tape = new Tape();
 * tape.param(w);
 * const y = linear(tape, x, w);           // recorded
 * const loss = sumAll(tape, y);
 * tape.backward(loss);
 * const [dw] = tape.grads([w]);           // the caller owns dw
 * tape.dispose();                         // frees y, loss and everything saved
 * ```
 */
export class Tape {
  private readonly nodes: TapeNode[] = [];
  private readonly params = new Set<Tensor>();
  /** Every op output: the tape owns them until `dispose()`. */
  private readonly owned = new Set<Tensor>();
  /** Tensors that carry gradient: parameters and outputs of recorded ops. */
  private readonly tracked = new Set<Tensor>();
  private gradients = new Map<Tensor, Tensor>();
  private state: 'recording' | 'done' | 'disposed' = 'recording';

  /** Marks `t` as a leaf whose gradient `backward()` computes. The tape does not own it. */
  param<T extends Tensor>(t: T): T {
    this.assertRecording('Tape.param');
    if (t.dtype !== 'f32') {
      throw new InvalidArgumentError(
        `Tape.param: parameter ${t.label} must be f32 (train in f32 master weights), got ${t.dtype}`,
        'param',
      );
    }
    this.params.add(t);
    this.tracked.add(t);
    return t;
  }

  /** Whether `t` carries gradient on this tape (a parameter or an output of a recorded op). */
  requiresGrad(t: Tensor | undefined): boolean {
    return t !== undefined && this.tracked.has(t);
  }

  /**
   * Takes ownership of the node's outputs and records the node when any input carries gradient
   * (else releases what it saved at once: nothing to do). Returns the outputs for chaining.
   */
  record(node: TapeNode): readonly Tensor[] {
    this.assertRecording(`Tape.record(${node.name})`);
    for (const o of node.outputs) this.owned.add(o);
    if (!node.inputs.some((t) => this.tracked.has(t))) {
      node.release?.();
      return node.outputs;
    }
    this.nodes.push(node);
    for (const o of node.outputs) this.tracked.add(o);
    return node.outputs;
  }

  /**
   * Gives up the tape's reference to op outputs the caller will not use again (intermediates of a
   * layer): their memory is freed now unless a recorded op saved them for its backward. Gradients
   * still flow through them. Tensors the tape does not own are ignored.
   */
  drop(...tensors: readonly (Tensor | undefined)[]): void {
    for (const t of tensors) {
      if (t && this.owned.delete(t)) t.dispose();
    }
  }

  /** Recorded ops so far. */
  get size(): number {
    return this.nodes.length;
  }

  /**
   * Runs the recorded ops' backward in reverse. `seeds` pairs outputs with their upstream
   * gradients (a scalar loss alone: pass it and its gradient is taken as 1 through `ones`).
   * Afterwards the tape holds the parameters' gradients (take them with `grads`) and nothing else.
   */
  backward(seeds: readonly (readonly [Tensor, Tensor])[]): void {
    this.assertRecording('Tape.backward');
    this.state = 'done';
    const grads = new Map<Tensor, Tensor>();
    const accumulate = (t: Tensor, g: Tensor) => {
      const prior = grads.get(t);
      if (!prior) {
        grads.set(t, g);
        return;
      }
      grads.set(t, add(prior, g));
      prior.dispose();
      g.dispose();
    };
    for (const [t, g] of seeds) {
      if (!this.tracked.has(t)) {
        throw new InvalidArgumentError(
          `Tape.backward: ${t.label} was not produced by a recorded op`,
          'seeds',
        );
      }
      accumulate(t, retain(g));
    }
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i]!;
      const outGrads = node.outputs.map((o) => grads.get(o));
      if (outGrads.some((g) => g !== undefined)) {
        const inGrads = node.backward(outGrads);
        if (inGrads.length !== node.inputs.length) {
          throw new InvalidArgumentError(
            `Tape.backward: ${node.name} returned ${inGrads.length} gradients for ${node.inputs.length} inputs`,
            'backward',
          );
        }
        node.inputs.forEach((input, k) => {
          const g = inGrads[k];
          if (!g) return;
          if (this.tracked.has(input)) accumulate(input, g);
          else g.dispose();
        });
      }
      for (const o of node.outputs) {
        if (!this.params.has(o)) {
          grads.get(o)?.dispose();
          grads.delete(o);
        }
      }
      node.release?.();
    }
    this.nodes.length = 0;
    for (const [t, g] of grads) {
      if (!this.params.has(t)) {
        g.dispose();
        grads.delete(t);
      }
    }
    this.gradients = grads;
  }

  /**
   * The gradients of `params` after `backward` (undefined for a parameter no gradient reached),
   * handed to the caller, who owns and disposes them. Each gradient can be taken once.
   */
  grads(params: readonly Tensor[]): (Tensor | undefined)[] {
    if (this.state !== 'done') throw new InvalidArgumentError('Tape.grads: call backward() first', 'tape');
    return params.map((p) => {
      if (!this.params.has(p)) {
        throw new InvalidArgumentError(`Tape.grads: ${p.label} is not a parameter of this tape`, 'params');
      }
      const g = this.gradients.get(p);
      this.gradients.delete(p);
      return g;
    });
  }

  /** Frees everything the tape still holds (op outputs, saved tensors, untaken gradients). Idempotent. */
  dispose(): void {
    if (this.state === 'disposed') return;
    this.state = 'disposed';
    for (const n of this.nodes) n.release?.();
    this.nodes.length = 0;
    for (const g of this.gradients.values()) g.dispose();
    this.gradients.clear();
    for (const t of this.owned) t.dispose();
    this.owned.clear();
    this.tracked.clear();
    this.params.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private assertRecording(caller: string): void {
    if (this.state !== 'recording') {
      throw new InvalidArgumentError(
        `${caller}: this tape has ${this.state === 'done' ? 'run backward' : 'been disposed'}; start a new Tape per step`,
        'tape',
      );
    }
  }
}
