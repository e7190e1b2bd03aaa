// copyInto(dst, src): writes a tensor into a (possibly strided) view of another, element by
// element — how autograd puts the gradient of a slice or transpose back into its base's layout.

import { defineParams } from '../../device/params.js';
import { LimitError } from '../../errors.js';
import { kernelPipeline, viewParamValues, viewParams } from '../../shader/builder.js';
import { wgslLibrary } from '../../shader/library.js';
import type { Tensor } from '../../tensor/tensor.js';
import { bindingBudget, viewWindow } from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import tiledBody from './copy-into-tiled.wgsl';
import dequantizeBody from './copy-into-dequantize.wgsl';
import body from './copy-into.wgsl';
import copyIndexSource from './copy-index.wgsl';
import { isQuantized } from '../../tensor/dtype.js';

const RANK = 4;
/** The 4-D index of a flat element, shared by the element-wise copies. */
const COPY_INDEX = wgslLibrary('copy-index', copyIndexSource);
const WORKGROUP = 256;
/** The tiled transpose-copy: TILE x TILE blocks, TILE x ROWS threads (copy-into-tiled.wgsl). */
const TILED = { TILE: 32, ROWS: 8 } as const;
/** Both transposed dims at least this long for the tiled kernel (shorter: the element-wise one). */
const TILED_MIN_DIM = 8;
const Params = defineParams('Params', {
  numel: 'u32',
  d1: 'u32',
  d2: 'u32',
  d3: 'u32',
  ...viewParams('src', RANK),
  ...viewParams('dst', RANK),
});

interface Layout4 {
  shape: number[];
  strides: number[];
}

function padded(t: Tensor): Layout4 {
  const pad = RANK - t.shape.length;
  return {
    shape: [...new Array<number>(pad).fill(1), ...t.shape],
    strides: [...new Array<number>(pad).fill(0), ...t.strides],
  };
}

const permuted = (l: Layout4, perm: readonly number[]): Layout4 => ({
  shape: perm.map((k) => l.shape[k]!),
  strides: perm.map((k) => l.strides[k]!),
});

/**
 * The dim order [o0, o1, b, a] for the tiled kernel when src has stride 1 along a dim `a` and dst
 * along another `b` (a transpose: the element-wise kernel would be strided on one side), both
 * long enough to tile and the grid within the limits; undefined otherwise.
 */
export function tiledOrder(s: Layout4, d: Layout4, maxGroups: number): number[] | undefined {
  if (s.strides[3] === 1 && d.strides[3] === 1) return undefined; // already coalesced
  const long = (k: number) => s.shape[k]! >= TILED_MIN_DIM;
  const a = [3, 2, 1, 0].find((k) => s.strides[k] === 1 && long(k));
  const b = [3, 2, 1, 0].find((k) => d.strides[k] === 1 && long(k) && k !== a);
  if (a === undefined || b === undefined) return undefined;
  const outer = [0, 1, 2, 3].filter((k) => k !== a && k !== b);
  const order = [...outer, b, a];
  const grid = [
    s.shape[a]! / TILED.TILE,
    s.shape[b]! / TILED.TILE,
    s.shape[outer[0]!]! * s.shape[outer[1]!]!,
  ];
  return grid.every((g) => Math.ceil(g) <= maxGroups) ? order : undefined;
}

/**
 * dst[...] = src[...] element-wise, dst a view (its base sees the writes). src, dst: the same
 * shape (at most 4 dims), 4-byte dtypes, not overlapping; or src q8/q4 and dst f32 (dequantized).
 */
export function copyInto(dst: Tensor, src: Tensor): void {
  const caller = 'copyInto';
  dst.expectShape(caller, 'dst', src.shape, 'like src');
  const dequantize = isQuantized(src.dtype);
  if (dequantize) dst.expectDType(caller, 'dst (f32: a quantized src is dequantized)', 'f32');
  else {
    dst.expectDType(caller, 'dst', src.dtype);
    src.expectDType(caller, 'src', 'f32', 'i32', 'u32', 'q8', 'q4');
  }
  if (src.shape.length > RANK)
    throw new LimitError(`${caller}: at most ${RANK} dims, got ${src.shape.length}`);
  if (src.numel === 0) return;
  const ctx = dst.ctx;
  const budget = bindingBudget(ctx);
  const sw = viewWindow(src, caller, 'src', budget);
  const dw = viewWindow(dst, caller, 'dst', budget);
  const s = padded(src);
  const d = padded(dst);
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
  // A transpose goes through TILE x TILE blocks in workgroup memory (coalesced on both sides),
  // with both views permuted to the tiled kernel's dim order; anything else element by element.
  const order = src.dtype === 'f32' ? tiledOrder(s, d, maxGroups) : undefined;
  const [ls, ld] = order ? [permuted(s, order), permuted(d, order)] : [s, d];
  const storage = [
    { name: 'src', type: src.dtype, view: RANK },
    { name: 'dst', type: dst.dtype, access: 'read_write', view: RANK },
  ] as const;
  const spec = order
    ? { label: 'tensor/copy-into-tiled', body: tiledBody, params: Params, constants: TILED, storage }
    : dequantize
      ? {
          label: 'tensor/copy-into-dequantize',
          body: dequantizeBody,
          params: Params,
          constants: { WORKGROUP },
          libraries: [COPY_INDEX],
          storage,
        }
      : {
          label: 'tensor/copy-into',
          body,
          params: Params,
          constants: { WORKGROUP },
          libraries: [COPY_INDEX],
          storage,
        };
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({
      numel: src.numel,
      d1: ls.shape[1]!,
      d2: ls.shape[2]!,
      d3: ls.shape[3]!,
      ...viewParamValues('src', ls, sw.elemOffset, RANK),
      ...viewParamValues('dst', ld, dw.elemOffset, RANK),
    } as Parameters<typeof Params.pack>[0]),
    bindings: [sw.binding, dw.binding],
    workgroups: order
      ? [
          workgroupCount(ls.shape[3]!, TILED.TILE),
          workgroupCount(ls.shape[2]!, TILED.TILE),
          ls.shape[0]! * ls.shape[1]!,
        ]
      : dispatch1d(workgroupCount(src.numel, WORKGROUP), maxGroups),
    label: order ? 'copyInto/tiled' : caller,
  });
}
