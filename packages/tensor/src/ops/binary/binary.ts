// Host code of the element-wise binary ops (add, mul) with a trailing-dims broadcast: the smaller
// operand's shape must be a suffix of the larger one's (e.g. a (n) bias over (m, n)). The larger
// operand is split into binding-sized chunks; the smaller is bound whole. Strided views are read
// through their contiguous copies.

import { defineParams } from '../../device/params.js';
import { ShapeError, formatShape } from '../../errors.js';
import { codeConstants, kernelPipeline } from '../../shader/builder.js';
import { Tensor, disposeAll } from '../../tensor/tensor.js';
import {
  type ChunkingOptions,
  bindingBudget,
  bindingWindow,
  itemsPerWindow,
  wholeBinding,
} from '../binding-window.js';
import { contiguousOperand } from '../copy/contiguous.js';
import { windowOperand } from '../operand.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import { requireTensor } from '../validate.js';
import body from './binary.wgsl';

export type BinaryOp = 'add' | 'mul';

/** The kernel's op codes (generated into its header as OP_ADD, OP_MUL). */
const OP_CODES = { add: 0, mul: 1 } as const satisfies Record<BinaryOp, number>;

/** The kernel's sizes: its header and the dispatch both read them. */
const BINARY = { WORKGROUP: 256 } as const;

const Params = defineParams('Params', {
  numel: 'u32',
  b_numel: 'u32',
  phase: 'u32',
  a_off: 'u32',
  out_off: 'u32',
});

/** Whether `small` (leading 1s dropped, or a single element) is a suffix of `big`. */
function isTrailing(small: readonly number[], big: readonly number[]): boolean {
  if (small.reduce((p, d) => p * d, 1) === 1) return true;
  let s = small;
  while (s.length > big.length && s[0] === 1) s = s.slice(1);
  return s.length <= big.length && s.every((d, i) => d === big[big.length - s.length + i]);
}

/**
 * out = a op b, where one operand's shape is a trailing part of the other's (broadcast over the
 * leading dims). The larger operand must be f32; the smaller may be f32, f16 or bf16.
 * Returns a new f32 tensor of the larger shape, owned by the caller.
 */
export function binary(op: BinaryOp, a: Tensor, b: Tensor, options: ChunkingOptions = {}): Tensor<'f32'> {
  const caller = op;
  requireTensor(caller, 'a', a);
  requireTensor(caller, 'b', b);
  // add and mul commute: put the larger operand first.
  const [bigIn, smallIn] = b.numel > a.numel ? [b, a] : [a, b];
  bigIn.expectDType(caller, bigIn === a ? 'a' : 'b', 'f32');
  smallIn.expectDType(caller, smallIn === a ? 'a' : 'b', 'f32', 'f16', 'bf16');
  if (!isTrailing(smallIn.shape, bigIn.shape)) {
    throw new ShapeError(
      `${caller}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast; the smaller must be the trailing dims of the larger`,
    );
  }
  const ctx = bigIn.ctx;
  const out = Tensor.empty(ctx, bigIn.shape, 'f32', `${op}/out`);
  if (bigIn.numel === 0) return out;
  const temporaries: Tensor[] = [];
  const big = windowOperand(bigIn, temporaries);
  const small = contiguousOperand(smallIn, temporaries);
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const smallBinding = wholeBinding(small, caller, 'the broadcast operand', budget).binding;
  const perWindow = Math.min(
    itemsPerWindow(ctx, caller, 'element', 4, budget),
    ctx.limits.maxComputeWorkgroupsPerDimension * 65535 * BINARY.WORKGROUP,
  );
  const pipeline = kernelPipeline(ctx, {
    label: 'tensor/binary',
    body,
    params: Params,
    constants: { ...BINARY, ...codeConstants('OP', OP_CODES), OP: OP_CODES[op] },
    storage: [{ name: 'a' }, { name: 'b', type: small.dtype }, { name: 'out', access: 'read_write' }],
  });
  for (let start = 0; start < big.numel; start += perWindow) {
    const n = Math.min(perWindow, big.numel - start);
    const aw = bindingWindow(big, start, n);
    const ow = bindingWindow(out, start, n);
    ctx.dispatch({
      pipeline,
      params: Params.pack({
        numel: n,
        b_numel: small.numel,
        phase: start % small.numel,
        a_off: aw.elemOffset,
        out_off: ow.elemOffset,
      }),
      bindings: [aw.binding, smallBinding, ow.binding],
      workgroups: dispatch1d(
        workgroupCount(n, BINARY.WORKGROUP),
        ctx.limits.maxComputeWorkgroupsPerDimension,
      ),
      label: op,
    });
  }
  disposeAll(...temporaries);
  return out;
}

/** a + b with a trailing-dims broadcast (e.g. a (n) bias over (m, n)). */
export function add(a: Tensor, b: Tensor, options?: ChunkingOptions): Tensor<'f32'> {
  return binary('add', a, b, options);
}

/** a * b with a trailing-dims broadcast. */
export function mul(a: Tensor, b: Tensor, options?: ChunkingOptions): Tensor<'f32'> {
  return binary('mul', a, b, options);
}
