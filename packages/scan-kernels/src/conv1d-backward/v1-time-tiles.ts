// Host code of v1-time-tiles, the causal conv1d backward in two dispatches: pass 1
// (v1-time-tiles.wgsl) writes dx, dInitialState and per-(row, tile) partial sums of dWeight and
// dBias; pass 2 (weight-grad-reduce.wgsl) adds the partials in a fixed order. No float atomics.

import { Tensor } from '@mamba-webgpu/tensor';
import {
  type KernelSpec,
  type KernelVersion,
  MATH,
  defineParams,
  dispatch1d,
  dummyBinding,
  dummyWritableBinding,
  kernelPipeline,
  workgroupCount,
} from '@mamba-webgpu/tensor/internal';
import type { Conv1dBackwardProblem } from './types.js';
import source from './v1-time-tiles.wgsl';
import reduceSource from './weight-grad-reduce.wgsl';

/** The sizes of v1-time-tiles: the one source of its WGSL constants. */
export const V1_TIME_TILES_CONFIG = {
  /** Invocations per workgroup of pass 1 (a power of two: the tree reduction halves it). */
  workgroupSize: 128,
  /** Timesteps per workgroup of pass 1 (each invocation takes TILE / workgroupSize of them). */
  tile: 512,
  /** Invocations per workgroup of pass 2, one per (channel, lane). */
  reduceWorkgroupSize: 64,
} as const;

const TileParams = defineParams('Params', {
  d_inner: 'u32',
  seq_len: 'u32',
  init_width: 'u32',
  n_tiles: 'u32',
  n_groups: 'u32',
});

const ReduceParams = defineParams('Params', { d_inner: 'u32', n_partials: 'u32' });

/** Partial sums per (row, tile): width dWeight lanes and one dBias lane. */
const lanesOf = (width: number) => width + 1;

/** Time tiles per row of a problem of `seqLen` timesteps. */
export function timeTileCount(seqLen: number): number {
  return Math.ceil(seqLen / V1_TIME_TILES_CONFIG.tile);
}

/** The generated constants of pass 1 for a problem: every size derived from V1_TIME_TILES_CONFIG. */
function tileConstants(p: Conv1dBackwardProblem) {
  const { workgroupSize, tile } = V1_TIME_TILES_CONFIG;
  return {
    WORKGROUP_SIZE: workgroupSize,
    TILE: tile,
    WIDTH: p.width,
    LANES: lanesOf(p.width),
    X_SPAN: tile + 2 * (p.width - 1),
    G_SPAN: tile + p.width - 1,
    HAS_BIAS: p.hasBias,
    HAS_INIT: p.initWidth > 0,
    SILU: p.silu,
  };
}

/** Workgroup memory of pass 1 in bytes (inputs, g and the lane sums). */
export function timeTilesWorkgroupBytes(width: number): number {
  const { workgroupSize, tile } = V1_TIME_TILES_CONFIG;
  return 4 * (tile + 2 * (width - 1) + tile + width - 1 + lanesOf(width) * workgroupSize);
}

function tileSpec(p: Conv1dBackwardProblem): KernelSpec {
  return {
    label: 'scan-kernels/causal-conv1d-backward/v1-time-tiles',
    body: source,
    params: TileParams,
    constants: tileConstants(p),
    libraries: [MATH],
    storage: [
      { name: 'x' },
      { name: 'weight' },
      { name: 'bias' },
      { name: 'init_state' },
      { name: 'dy' },
      { name: 'dx', access: 'read_write' },
      { name: 'd_init_state', access: 'read_write' },
      { name: 'partials', access: 'read_write' },
    ],
  };
}

function reduceSpec(p: Conv1dBackwardProblem): KernelSpec {
  return {
    label: 'scan-kernels/causal-conv1d-backward/weight-grad-reduce',
    body: reduceSource,
    params: ReduceParams,
    constants: {
      REDUCE_WORKGROUP_SIZE: V1_TIME_TILES_CONFIG.reduceWorkgroupSize,
      WIDTH: p.width,
      LANES: lanesOf(p.width),
      HAS_BIAS: p.hasBias,
    },
    storage: [
      { name: 'partials' },
      { name: 'd_weight', access: 'read_write' },
      { name: 'd_bias', access: 'read_write' },
    ],
  };
}

/**
 * Records both passes. The partials (batch * nTiles, dInner, width + 1) are a temporary released
 * once recorded (the pool hands a released buffer out again only to later, GPU-ordered work).
 */
function record(p: Conv1dBackwardProblem): void {
  // x, dy, dx: (batch, dInner, seqLen); weight: (dInner, width); partials: (batch * nTiles, dInner, width + 1)
  const { ctx, batch, dInner, seqLen, width, outputs } = p;
  const nTiles = timeTileCount(seqLen);
  const groups = batch * dInner * nTiles;
  const maxPerDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  using partials = Tensor.empty(
    ctx,
    [batch * nTiles, dInner, lanesOf(width)],
    'f32',
    'causal-conv1d-backward/partials',
  );
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, tileSpec(p)),
    params: TileParams.pack({
      d_inner: dInner,
      seq_len: seqLen,
      init_width: p.initWidth,
      n_tiles: nTiles,
      n_groups: groups,
    }),
    bindings: [
      p.x.buffer,
      p.weight.buffer,
      p.bias?.buffer ?? dummyBinding(ctx),
      p.initialState?.buffer ?? dummyBinding(ctx),
      p.dy.buffer,
      outputs.dx.buffer,
      outputs.dInitialState?.buffer ?? dummyWritableBinding(ctx),
      partials.buffer,
    ],
    workgroups: dispatch1d(groups, maxPerDim),
    label: 'causal-conv1d-backward/v1-time-tiles',
  });
  const lanes = dInner * lanesOf(width);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, reduceSpec(p)),
    params: ReduceParams.pack({ d_inner: dInner, n_partials: batch * nTiles }),
    bindings: [partials.buffer, outputs.dWeight.buffer, outputs.dBias?.buffer ?? dummyWritableBinding(ctx)],
    workgroups: dispatch1d(workgroupCount(lanes, V1_TIME_TILES_CONFIG.reduceWorkgroupSize), maxPerDim),
    label: 'causal-conv1d-backward/weight-grad-reduce',
  });
}

/** v1-time-tiles as a registered kernel version. */
export const v1TimeTiles: KernelVersion<Conv1dBackwardProblem> = {
  name: 'v1-time-tiles',
  description:
    'one workgroup per (row, 512-step tile): pre recomputed from inputs staged in workgroup memory, ' +
    'dx and dInitialState written directly, dWeight/dBias as per-tile tree sums then a fixed-order reduce',
  automatic: true,
  supports(p) {
    const limits = p.ctx.limits;
    const maxPerDim = limits.maxComputeWorkgroupsPerDimension;
    const partialBytes = 4 * p.batch * timeTileCount(p.seqLen) * p.dInner * lanesOf(p.width);
    return (
      timeTilesWorkgroupBytes(p.width) <= limits.maxComputeWorkgroupStorageSize &&
      V1_TIME_TILES_CONFIG.workgroupSize <= limits.maxComputeInvocationsPerWorkgroup &&
      partialBytes <= limits.maxStorageBufferBindingSize &&
      p.batch * p.dInner * timeTileCount(p.seqLen) <= maxPerDim * maxPerDim
    );
  },
  record,
};
