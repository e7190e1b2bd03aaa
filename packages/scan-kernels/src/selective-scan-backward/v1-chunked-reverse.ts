// Host code of v1-chunked-reverse (see v1-chunked-reverse.wgsl for the design): packs the small
// inputs into one workspace binding, records the backward and the fixed-order reductions, and
// copies the small gradients out. 10 storage bindings in the main kernel, 4 in the reduction.

import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import {
  defineParams,
  dispatch1d,
  dummyWritableBinding,
  kernelPipeline,
  workgroupCount,
} from '@mamba-webgpu/tensor/internal';
import { BC_COLUMNS, LANE_CHAIN, SCAN_CHANNEL } from '../selective-scan/chunked-scan.js';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import {
  FLAG_CONSTANTS,
  TRAINING_SCAN_FIELDS,
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
  ...TRAINING_SCAN_FIELDS,
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

/** Bytes of the largest bindings of the forward or the backward pass, by name. */
export function bindingBytes(
  s: ScanSizes,
  config: ScanTrainingConfig,
  pass: 'forward' | 'backward',
): Record<string, number> {
  const common = {
    u: s.batch * s.dInner * s.seqLen * 4,
    'the chunk states': chunkStatesShape(s, chunkSizeOf(config)).reduce((a, x) => a * x, 4),
  };
  if (pass === 'forward') return common;
  const partials = blocksOf(s.dInner, config) * s.batch * s.dState * s.seqLen;
  return { ...common, 'the dB/dC partials': 2 * partials * 4, 'the workspace': workspaceLayout(s).total * 4 };
}

function backwardSpec(config: ScanTrainingConfig, tile: number) {
  return {
    label: 'selective-scan-backward/v1-chunked-reverse',
    body,
    params: BackwardParams,
    constants: {
      CHANNELS: config.channels,
      LANES: config.lanes,
      STEPS: config.steps,
      TILE_STATES: tile,
      ...FLAG_CONSTANTS,
    },
    libraries: [SSM_MATH, SCAN_CHANNEL, BC_COLUMNS, LANE_CHAIN],
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
 * The chunk states the backward reads: the checkpoint's, or those of a training forward recorded
 * now into temporaries. chunkStates: (batch, dInner, nChunks, dState).
 */
function checkpointStates(p: ScanBackwardProblem, config: ScanTrainingConfig, temporaries: Tensor[]): Tensor {
  if (p.checkpoint) return p.checkpoint.chunkStates;
  const { ctx, batch, dInner, seqLen, dState } = p;
  const label = 'selective-scan-backward/recomputed';
  const y = Tensor.empty(ctx, [batch, dInner, seqLen], 'f32', `${label}-y`);
  const lastState = Tensor.empty(ctx, [batch, dInner, dState], 'f32', `${label}-last-state`);
  const chunkStates = Tensor.empty(
    ctx,
    chunkStatesShape(p, chunkSizeOf(config)),
    'f32',
    `${label}-chunk-states`,
  );
  temporaries.push(
    y,
    lastState,
    chunkStates,
    ...recordForwardTraining(p, config, { y, lastState, chunkStates }),
  );
  return chunkStates;
}

/**
 * A new workspace (see workspaceLayout) holding A, D, deltaBias, B, C and, when given, dLastState
 * (batch, dInner, dState) as the initial adjoint carry.
 */
function filledWorkspace(p: ScanBackwardProblem, ws: ReturnType<typeof workspaceLayout>): Tensor {
  const { ctx } = p;
  const work = Tensor.empty(ctx, [ws.total], 'f32', 'selective-scan-backward/workspace');
  packChannelParams(p, work);
  ctx.copyBuffer(p.B.buffer, 0, work.buffer, ws.b * 4, p.B.byteLength);
  ctx.copyBuffer(p.C.buffer, 0, work.buffer, ws.c * 4, p.C.byteLength);
  if (p.dLastState) ctx.copyBuffer(p.dLastState.buffer, 0, work.buffer, ws.mu * 4, p.dLastState.byteLength);
  return work;
}

/**
 * Records the fused backward kernel: du, dDelta, dz (batch, dInner, seqLen) into `out`, the
 * dB/dC partials (2, batch, blocks, dState, seqLen) into `dbc`, dA/dD/dDeltaBias partials and
 * dInitialState into the workspace.
 */
function dispatchBackward(
  p: ScanBackwardProblem,
  config: ScanTrainingConfig,
  buffers: { chunkStates: Tensor; work: Tensor; dbc: Tensor; out: SelectiveScanGrads },
  ws: ReturnType<typeof workspaceLayout>,
): void {
  const { ctx, batch, dInner, seqLen, dState } = p;
  const { chunkStates, work, dbc, out } = buffers;
  const blocks = blocksOf(dInner, config);
  const { tile, nPad } = paddedStates(dState, config.tileStates);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, backwardSpec(config, tile)),
    params: BackwardParams.pack({
      batch,
      d_inner: dInner,
      seq_len: seqLen,
      d_state: dState,
      n_pad: nPad,
      n_chunks: chunkCount(seqLen, chunkSizeOf(config)),
      groups_per_batch: blocks,
      flags: flagBits(p),
      ws_d: ws.d,
      ws_bias: ws.bias,
      ws_b: ws.b,
      ws_c: ws.c,
      ws_mu: ws.mu,
      ws_da: ws.da,
      ws_dchan: ws.dchan,
      dbc_c: dbc.numel / 2,
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
}

/**
 * Records the fixed-order reductions: dB, dC (batch, dState, seqLen) into `out` from the
 * partials; dA (dInner, dState), dD, dDeltaBias (dInner) into the workspace's last region.
 */
function dispatchReduce(
  p: ScanBackwardProblem,
  config: ScanTrainingConfig,
  buffers: { work: Tensor; dbc: Tensor; out: SelectiveScanGrads },
  ws: ReturnType<typeof workspaceLayout>,
): void {
  const { ctx, batch, dInner, seqLen, dState } = p;
  const total = 2 * batch * dState * seqLen + dInner * (dState + 2);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, reduceSpec),
    params: ReduceParams.pack({
      batch,
      d_inner: dInner,
      seq_len: seqLen,
      d_state: dState,
      n_blocks: blocksOf(dInner, config),
      dbc_c: buffers.dbc.numel / 2,
      ws_da: ws.da,
      ws_dchan: ws.dchan,
      ws_out: ws.out,
    }),
    bindings: [buffers.dbc.buffer, buffers.work.buffer, buffers.out.dB.buffer, buffers.out.dC.buffer],
    workgroups: dispatch1d(
      workgroupCount(total, REDUCE_WORKGROUP),
      ctx.limits.maxComputeWorkgroupsPerDimension,
    ),
    label: 'selective-scan-backward/reduce-grads',
  });
}

/**
 * Records the backward of a validated problem into `out` (gradients shaped as their inputs),
 * running the training forward first when the problem has no checkpoint: the fused kernel, the
 * reductions, then copies of the small gradients. Returns the temporaries to dispose once recorded.
 */
export function recordChunkedReverse(
  p: ScanBackwardProblem,
  config: ScanTrainingConfig,
  out: SelectiveScanGrads,
): Tensor[] {
  const temporaries: Tensor[] = [];
  const chunkStates = checkpointStates(p, config, temporaries);
  const ws = workspaceLayout(p);
  const work = filledWorkspace(p, ws);
  const partials = blocksOf(p.dInner, config) * p.batch * p.dState * p.seqLen;
  const dbc = Tensor.empty(p.ctx, [2 * partials], 'f32', 'selective-scan-backward/dbc-partials');
  temporaries.push(work, dbc);
  dispatchBackward(p, config, { chunkStates, work, dbc, out }, ws);
  dispatchReduce(p, config, { work, dbc, out }, ws);
  copyOut(p.ctx, p, out, work, ws);
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
    bindingBytes: (s, pass) => bindingBytes(s, config, pass),
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
