// Host code of v2-chunked, the fused chunked scan (see v2-chunked.wgsl for the design), and of
// the B/C packing pass it runs when B and C are not time-major rows of whole vec4s (x_proj's
// output rows, read in place, are). u, delta, z and y are read and written through any strides.

import { Tensor } from '@mamba-webgpu/tensor';
import {
  type KernelSpec,
  bindingBudget,
  defineParams,
  dispatch1d,
  kernelPipeline,
  viewParamValues,
  viewParams,
  viewWindow,
  wholeBinding,
} from '@mamba-webgpu/tensor/internal';
import { grid1d, plainBindings } from '../bindings.js';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import {
  type OperandView,
  SCAN_FLAG_BITS,
  effectiveStrides,
  layoutsReadable,
  operandView,
  scanFlagBits,
} from './common.js';
import packSource from './pack-bc.wgsl';
import type { ScanKernelVersion, ScanOperand, ScanProblem } from './types.js';
import source from './v2-chunked.wgsl';
import { MAX_D_STATE } from './validate.js';

/** The sizes that shape v2's code (compile-time constants of its generated header). */
export interface ChunkedConfig {
  /** Channels per workgroup. */
  channels: number;
  /** Chunks per segment (invocations per channel). */
  chunks: number;
  /** Timesteps per chunk (per invocation, kept in registers). */
  steps: number;
  /** States per tile held in registers (a multiple of 4; dState is processed tile by tile). */
  tileStates: number;
}

/** The default configuration (tuned on an H200, see docs/perf-notes.md). */
export const DEFAULT_CHUNKED_CONFIG: ChunkedConfig = { channels: 4, chunks: 64, steps: 8, tileStates: 16 };

/** The operands the fused kernels read (y: write) through any strides. */
export const CHUNKED_STRIDED: readonly ScanOperand[] = ['u', 'delta', 'z', 'B', 'C', 'y'];

/** The Params of v2 and v3: sizes, flags, and the views (B/C rows in vec4 units). */
export const ChunkedParams = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  n_pad: 'u32',
  groups_per_batch: 'u32',
  n_segments: 'u32',
  flags: 'u32',
  ...viewParams('u', 3),
  ...viewParams('delta', 3),
  ...viewParams('z', 3),
  ...viewParams('y', 3),
  ...viewParams('b_rows', 3),
  ...viewParams('c_rows', 3),
});

/** The bindings of v2 and v3, in order. */
export const CHUNKED_STORAGE: KernelSpec['storage'] = [
  { name: 'u', view: 3 },
  { name: 'delta', view: 3 },
  { name: 'z', view: 3 },
  { name: 'a_matrix' },
  { name: 'd_skip' },
  { name: 'delta_bias' },
  { name: 'b_rows', type: 'vec4<f32>', view: 3 },
  { name: 'c_rows', type: 'vec4<f32>', view: 3 },
  { name: 'y', access: 'read_write', view: 3 },
  { name: 'state', access: 'read_write' },
];

/** The constants every fused configuration shares with its header. */
export function chunkedConstants(config: ChunkedConfig) {
  return {
    CHANNELS: config.channels,
    CHUNKS: config.chunks,
    STEPS: config.steps,
    TILE_STATES: config.tileStates,
    MAX_STATE: MAX_D_STATE,
    ...SCAN_FLAG_BITS,
  };
}

/** v2's kernel for one configuration. */
export function chunkedSpec(config: ChunkedConfig): KernelSpec {
  return {
    label: 'scan-kernels/v2-chunked',
    body: source,
    params: ChunkedParams,
    constants: chunkedConstants(config),
    libraries: [SSM_MATH],
    storage: CHUNKED_STORAGE,
  };
}

const PACK_WORKGROUP = 256;
const PackParams = defineParams('Params', {
  batch: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  n_pad: 'u32',
  ...viewParams('b_matrix', 3),
  ...viewParams('c_matrix', 3),
});
const PACK_SPEC: KernelSpec = {
  label: 'scan-kernels/pack-bc',
  body: packSource,
  params: PackParams,
  constants: { WORKGROUP: PACK_WORKGROUP },
  storage: [
    { name: 'b_matrix', view: 3 },
    { name: 'c_matrix', view: 3 },
    { name: 'out', access: 'read_write' },
  ],
};

/** States per tile and the padded state count for a dState under a configuration. */
export function stateTiling(dState: number, config: ChunkedConfig): { tile: number; nPad: number } {
  const pad4 = Math.ceil(dState / 4) * 4;
  const tile = Math.min(pad4, config.tileStates);
  return { tile, nPad: Math.ceil(pad4 / tile) * tile };
}

/** Bytes of workgroup memory v2 uses under a configuration. */
export function chunkedWorkgroupBytes(config: ChunkedConfig, tile = config.tileStates): number {
  const size = config.channels * config.chunks;
  return 4 * ((size + 1) * tile + size + config.channels * MAX_D_STATE);
}

/**
 * Whether the kernel reads B or C (batch, dState, seqLen) in place as time-major vec4 rows: states
 * contiguous, time and batch strides and the offset multiples of 4, and no padding states
 * (dState a whole number of tiles). True for x_proj's rows [dt | B | C] when dtRank and dState
 * are multiples of 4 (and dState of the tile above 16).
 */
export function readsRowsInPlace(t: Tensor, nPad: number): boolean {
  const [batchStride, stateStride, timeStride] = effectiveStrides(t) as [number, number, number];
  return (
    t.shape[1] === nPad &&
    stateStride === 1 &&
    batchStride % 4 === 0 &&
    timeStride % 4 === 0 &&
    t.offset % 4 === 0
  );
}

/** Binding + vec4 view Params of B or C read in place. */
function rowsInPlace(p: ScanProblem, name: string, t: Tensor, caller: string): OperandView {
  const window = viewWindow(t, caller, name, bindingBudget(p.ctx));
  const [batchStride, , timeStride] = effectiveStrides(t) as [number, number, number];
  const params = viewParamValues(
    name,
    { strides: [batchStride / 4, timeStride / 4, 1] },
    window.elemOffset / 4,
  );
  return { binding: window.binding, params };
}

/** Packs B and C into (batch, seqLen, [B | C]) rows of 2 * nPad; returns the tensor and the views. */
function packRows(p: ScanProblem, nPad: number, caller: string) {
  const ctx = p.ctx;
  const packed = Tensor.empty(ctx, [p.batch, p.seqLen, 2 * nPad], 'f32', 'selective-scan/packed-bc');
  const b = operandView(p, 'b_matrix', p.B, caller);
  const c = operandView(p, 'c_matrix', p.C, caller);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, PACK_SPEC),
    params: PackParams.pack({
      batch: p.batch,
      seq_len: p.seqLen,
      d_state: p.dState,
      n_pad: nPad,
      ...b.params,
      ...c.params,
    } as Parameters<typeof PackParams.pack>[0]),
    bindings: [b.binding, c.binding, packed.buffer],
    workgroups: grid1d(ctx, packed.numel, PACK_WORKGROUP),
    label: 'selective-scan/pack-bc',
  });
  const binding = wholeBinding(packed, caller, 'packed B/C', bindingBudget(ctx)).binding;
  const strides = { strides: [(p.seqLen * 2 * nPad) / 4, (2 * nPad) / 4, 1] };
  return {
    packed,
    b: { binding, params: viewParamValues('b_rows', strides, 0) },
    c: { binding, params: viewParamValues('c_rows', strides, nPad / 4) },
  };
}

/**
 * Records a fused chunked scan (v2, or v3 through `spec`) with the given configuration. Returns
 * the packed B/C temporary, if any.
 */
export function recordChunked(
  p: ScanProblem,
  config: ChunkedConfig = DEFAULT_CHUNKED_CONFIG,
  spec: (config: ChunkedConfig) => KernelSpec = chunkedSpec,
): Tensor[] {
  const ctx = p.ctx;
  const { tile, nPad } = stateTiling(p.dState, config);
  const cfg = { ...config, tileStates: tile };
  const kernel = spec(cfg);
  const caller = kernel.label.replace('scan-kernels/', 'selective-scan/');
  const temporaries: Tensor[] = [];
  let rows: { b: OperandView; c: OperandView };
  if (readsRowsInPlace(p.B, nPad) && readsRowsInPlace(p.C, nPad)) {
    rows = { b: rowsInPlace(p, 'b_rows', p.B, caller), c: rowsInPlace(p, 'c_rows', p.C, caller) };
  } else {
    const pack = packRows(p, nPad, caller);
    temporaries.push(pack.packed);
    rows = pack;
  }
  const plain = plainBindings(ctx, caller);
  const views = {
    u: operandView(p, 'u', p.u, caller),
    delta: operandView(p, 'delta', p.delta, caller),
    z: operandView(p, 'z', p.z, caller),
    y: operandView(p, 'y', p.y, caller),
  };
  const groupsPerBatch = Math.ceil(p.dInner / cfg.channels);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, kernel),
    params: ChunkedParams.pack({
      batch: p.batch,
      d_inner: p.dInner,
      seq_len: p.seqLen,
      d_state: p.dState,
      n_pad: nPad,
      groups_per_batch: groupsPerBatch,
      n_segments: Math.ceil(p.seqLen / (cfg.chunks * cfg.steps)),
      flags: scanFlagBits(p),
      ...views.u.params,
      ...views.delta.params,
      ...views.z.params,
      ...views.y.params,
      ...rows.b.params,
      ...rows.c.params,
    } as Parameters<typeof ChunkedParams.pack>[0]),
    bindings: [
      views.u.binding,
      views.delta.binding,
      views.z.binding,
      plain(p.A, 'A'),
      plain(p.D, 'D'),
      plain(p.deltaBias, 'deltaBias'),
      rows.b.binding,
      rows.c.binding,
      views.y.binding,
      plain(p.lastState, 'lastState'),
    ],
    workgroups: dispatch1d(p.batch * groupsPerBatch, ctx.limits.maxComputeWorkgroupsPerDimension),
    label: caller,
  });
  return temporaries;
}

/** A registry entry for v2 with a given configuration (automatic; tuning entries are not registered). */
export function chunkedKernel(
  name: string,
  config: ChunkedConfig,
  description?: string,
  spec: (config: ChunkedConfig) => KernelSpec = chunkedSpec,
  automatic = true,
): ScanKernelVersion {
  return {
    name,
    description:
      description ??
      `fused chunked scan, ${config.channels} channels x ${config.chunks} chunks x ${config.steps} steps per workgroup, states in tiles of ${config.tileStates}`,
    automatic,
    strided: CHUNKED_STRIDED,
    supports(p) {
      const limits = p.ctx.limits;
      return (
        config.channels * config.chunks <= limits.maxComputeInvocationsPerWorkgroup &&
        chunkedWorkgroupBytes(config) <= limits.maxComputeWorkgroupStorageSize &&
        layoutsReadable(CHUNKED_STRIDED, p)
      );
    },
    record: (p) => recordChunked(p, config, spec),
  };
}

export const v2Chunked = chunkedKernel('v2-chunked', DEFAULT_CHUNKED_CONFIG);
