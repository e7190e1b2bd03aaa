// Host code of v1-chunked-reverse (see v1-chunked-reverse.wgsl for the design): packs the small
// inputs into one workspace binding, records the backward and the fixed-order reductions, and
// copies the small gradients out. 10 storage bindings in the main kernel, 4 in the reduction.

import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import {
  MATH,
  defineParams,
  dispatch1d,
  dummyWritableBinding,
  kernelPipeline,
  workgroupCount,
} from '@mamba-webgpu/tensor/internal';
import {
  chunkCount,
  chunkSizeOf,
  flagBits,
  forwardWorkgroupBytes,
  packChannelParams,
  paddedStates,
  recordForwardTraining,
  chunkStatesShape,
} from './forward-training.js';
import reduceBody from './reduce-grads.wgsl';
import { allocateForwardOutputs, allocateGrads, releaseAfterRecording } from './outputs.js';
import type {
  ScanBackwardKernel,
  ScanBackwardProblem,
  ScanSizes,
  ScanTrainingConfig,
  SelectiveScanGrads,
} from './types.js';
import body from './v1-chunked-reverse.wgsl';

/** The default configuration: 8 channels x 32 lanes x 8 steps (chunks of 256 timesteps). */
export const DEFAULT_TRAINING_CONFIG: ScanTrainingConfig = {
  channels: 8,
  lanes: 32,
  steps: 8,
  tileStates: 4,
  forwardTileStates: 16,
};

const REDUCE_WORKGROUP = 256;

export const BackwardParams = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  n_pad: 'u32',
  n_chunks: 'u32',
  groups_per_batch: 'u32',
  flags: 'u32',
  ws_d: 'u32',
  ws_bias: 'u32',
  ws_b: 'u32',
  ws_c: 'u32',
  ws_mu: 'u32',
  ws_da: 'u32',
  ws_dchan: 'u32',
  dbc_c: 'u32',
});

export const ReduceParams = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  n_blocks: 'u32',
  dbc_c: 'u32',
  ws_da: 'u32',
  ws_dchan: 'u32',
  ws_out: 'u32',
});

/**
 * Element offsets of the workspace regions: A (dInner, dState) at 0, D, deltaBias (dInner),
 * B, C (batch, dState, seqLen), the adjoint carry mu and dA partials (batch, dInner, dState),
 * dD / dDeltaBias partials (batch, dInner, 2), then the reduced dA | dD | dDeltaBias.
 */
export function workspaceLayout({ batch, dInner, seqLen, dState }: ScanSizes) {
  const bnl = batch * dState * seqLen;
  const bdn = batch * dInner * dState;
  const d = dInner * dState;
  const bias = d + dInner;
  const b = bias + dInner;
  const c = b + bnl;
  const mu = c + bnl;
  const da = mu + bdn;
  const dchan = da + bdn;
  const out = dchan + 2 * batch * dInner;
  return { d, bias, b, c, mu, da, dchan, out, total: out + dInner * (dState + 2) };
}

/** Channel blocks per batch row (the dB/dC partials' block count). */
function blocksOf(dInner: number, config: ScanTrainingConfig): number {
  return Math.ceil(dInner / config.channels);
}

/** Bytes of workgroup memory the backward uses. */
export function backwardWorkgroupBytes(config: ScanTrainingConfig): number {
  const size = config.channels * config.lanes;
  return 4 * (size + 2 * (size + 1) * config.tileStates + 2 * config.steps * size);
}

/** Bytes of the largest bindings of a backward problem, by name (checked against the adapter). */
export function backwardBindingBytes(s: ScanSizes, config: ScanTrainingConfig): Record<string, number> {
  const partials = blocksOf(s.dInner, config) * s.batch * s.dState * s.seqLen;
  return {
    'the dB/dC partials': 2 * partials * 4,
    'the workspace': workspaceLayout(s).total * 4,
    'the chunk states': chunkStatesShape(s, chunkSizeOf(config)).reduce((a, x) => a * x, 4),
    u: s.batch * s.dInner * s.seqLen * 4,
  };
}

function backwardSpec(config: ScanTrainingConfig, tile: number) {
  return {
    label: 'selective-scan-backward/v1-chunked-reverse',
    body,
    params: BackwardParams,
    constants: { CHANNELS: config.channels, LANES: config.lanes, STEPS: config.steps, TILE_STATES: tile },
    libraries: [MATH],
    storage: [
      { name: 'u' },
      { name: 'delta' },
      { name: 'z' },
      { name: 'dy' },
      { name: 'chunk_states' },
      { name: 'work', access: 'read_write' },
      { name: 'dbc', access: 'read_write' },
      { name: 'du', access: 'read_write' },
      { name: 'd_delta', access: 'read_write' },
      { name: 'dz', access: 'read_write' },
    ],
  } as const;
}

const reduceSpec = {
  label: 'selective-scan-backward/reduce-grads',
  body: reduceBody,
  params: ReduceParams,
  constants: { WORKGROUP: REDUCE_WORKGROUP },
  storage: [
    { name: 'dbc' },
    { name: 'work', access: 'read_write' },
    { name: 'd_b', access: 'read_write' },
    { name: 'd_c', access: 'read_write' },
  ],
} as const;

/** Copies the small gradients out of the workspace into the outputs the problem has. */
function copyOut(
  ctx: GpuContext,
  { dInner, dState }: ScanSizes,
  out: SelectiveScanGrads,
  work: Tensor,
  ws: ReturnType<typeof workspaceLayout>,
) {
  ctx.copyBuffer(work.buffer, ws.out * 4, out.dA.buffer, 0, out.dA.byteLength);
  if (out.dD) ctx.copyBuffer(work.buffer, (ws.out + dInner * dState) * 4, out.dD.buffer, 0, dInner * 4);
  if (out.dDeltaBias) {
    ctx.copyBuffer(work.buffer, (ws.out + dInner * (dState + 1)) * 4, out.dDeltaBias.buffer, 0, dInner * 4);
  }
  if (out.dInitialState) {
    ctx.copyBuffer(work.buffer, ws.mu * 4, out.dInitialState.buffer, 0, out.dInitialState.byteLength);
  }
}

/**
 * Records the backward of a validated problem into `out` (running the training forward first
 * when the problem has no checkpoint). Returns the temporaries to dispose once recorded.
 */
export function recordChunkedReverse(
  p: ScanBackwardProblem,
  config: ScanTrainingConfig,
  out: SelectiveScanGrads,
): Tensor[] {
  const { ctx, batch, dInner, seqLen, dState } = p;
  const temporaries: Tensor[] = [];
  const chunkSize = chunkSizeOf(config);
  let chunkStates = p.checkpoint?.chunkStates;
  if (!chunkStates) {
    const y = Tensor.empty(ctx, [batch, dInner, seqLen], 'f32', 'selective-scan-backward/y');
    const lastState = Tensor.empty(ctx, [batch, dInner, dState], 'f32', 'selective-scan-backward/last-state');
    chunkStates = Tensor.empty(
      ctx,
      chunkStatesShape(p, chunkSize),
      'f32',
      'selective-scan-backward/chunk-states',
    );
    temporaries.push(y, lastState, chunkStates);
    temporaries.push(...recordForwardTraining(p, config, { y, lastState, chunkStates }));
  }
  const ws = workspaceLayout(p);
  const work = Tensor.empty(ctx, [ws.total], 'f32', 'selective-scan-backward/workspace');
  const blocks = blocksOf(dInner, config);
  const partials = blocks * batch * dState * seqLen;
  const dbc = Tensor.empty(ctx, [2 * partials], 'f32', 'selective-scan-backward/dbc-partials');
  temporaries.push(work, dbc);
  packChannelParams(p, work);
  ctx.copyBuffer(p.B.buffer, 0, work.buffer, ws.b * 4, p.B.byteLength);
  ctx.copyBuffer(p.C.buffer, 0, work.buffer, ws.c * 4, p.C.byteLength);
  if (p.dLastState) ctx.copyBuffer(p.dLastState.buffer, 0, work.buffer, ws.mu * 4, p.dLastState.byteLength);

  const { tile, nPad } = paddedStates(dState, config.tileStates);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, backwardSpec(config, tile)),
    params: BackwardParams.pack({
      batch,
      d_inner: dInner,
      seq_len: seqLen,
      d_state: dState,
      n_pad: nPad,
      n_chunks: chunkCount(seqLen, chunkSize),
      groups_per_batch: blocks,
      flags: flagBits(p),
      ws_d: ws.d,
      ws_bias: ws.bias,
      ws_b: ws.b,
      ws_c: ws.c,
      ws_mu: ws.mu,
      ws_da: ws.da,
      ws_dchan: ws.dchan,
      dbc_c: partials,
    }),
    bindings: [
      p.u.buffer,
      p.delta.buffer,
      (p.z ?? p.u).buffer,
      p.dy.buffer,
      chunkStates.buffer,
      work.buffer,
      dbc.buffer,
      out.du.buffer,
      out.dDelta.buffer,
      out.dz ? out.dz.buffer : dummyWritableBinding(ctx),
    ],
    workgroups: dispatch1d(batch * blocks, ctx.limits.maxComputeWorkgroupsPerDimension),
    label: 'selective-scan-backward/v1-chunked-reverse',
  });

  const total = 2 * batch * dState * seqLen + dInner * (dState + 2);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, reduceSpec),
    params: ReduceParams.pack({
      batch,
      d_inner: dInner,
      seq_len: seqLen,
      d_state: dState,
      n_blocks: blocks,
      dbc_c: partials,
      ws_da: ws.da,
      ws_dchan: ws.dchan,
      ws_out: ws.out,
    }),
    bindings: [dbc.buffer, work.buffer, out.dB.buffer, out.dC.buffer],
    workgroups: dispatch1d(
      workgroupCount(total, REDUCE_WORKGROUP),
      ctx.limits.maxComputeWorkgroupsPerDimension,
    ),
    label: 'selective-scan-backward/reduce-grads',
  });
  copyOut(ctx, p, out, work, ws);
  return temporaries;
}

/** A registry entry for v1-chunked-reverse with a given configuration. */
export function chunkedReverseKernel(
  name: string,
  config: ScanTrainingConfig,
  description?: string,
): ScanBackwardKernel {
  const chunkSize = chunkSizeOf(config);
  const size = config.channels * config.lanes;
  const fits = (ctx: GpuContext, bytes: number) =>
    size <= ctx.limits.maxComputeInvocationsPerWorkgroup &&
    size <= ctx.limits.maxComputeWorkgroupSizeX &&
    bytes <= ctx.limits.maxComputeWorkgroupStorageSize &&
    ctx.limits.maxStorageBuffersPerShaderStage >= 10;
  return {
    name,
    description:
      description ??
      `fused backward, ${config.channels} channels x ${config.lanes} lanes x ${config.steps} steps per workgroup (chunks of ${chunkSize}), chunks walked in reverse, states in tiles of ${config.tileStates}`,
    automatic: true,
    chunkSize,
    bindingBytes: (s) => backwardBindingBytes(s, config),
    supports: (p) =>
      fits(p.ctx, backwardWorkgroupBytes(config)) &&
      fits(p.ctx, forwardWorkgroupBytes(config)) &&
      (p.checkpoint === undefined || p.checkpoint.chunkSize === chunkSize),
    supportsForward: (p) => fits(p.ctx, forwardWorkgroupBytes(config)),
    record: (p) => {
      const out = allocateGrads(p);
      releaseAfterRecording(recordChunkedReverse(p, config, out));
      return out;
    },
    recordForward: (p) => {
      const out = allocateForwardOutputs(p, chunkSize);
      releaseAfterRecording(recordForwardTraining(p, config, out));
      return { y: out.y, lastState: out.lastState, checkpoint: { chunkStates: out.chunkStates, chunkSize } };
    },
  };
}

export const v1ChunkedReverse = chunkedReverseKernel('v1-chunked-reverse', DEFAULT_TRAINING_CONFIG);
