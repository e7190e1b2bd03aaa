// Host code of the training forward (forward-training.wgsl): v2-chunked's fused scan that also
// writes the state at every chunk boundary, with A, D and deltaBias packed into one binding.

import { Tensor } from '@mamba-webgpu/tensor';
import { codeConstants, defineParams, dispatch1d, kernelPipeline } from '@mamba-webgpu/tensor/internal';
import { BC_COLUMNS, LANE_CHAIN, SCAN_CHANNEL, STATE_CARRY } from '../selective-scan/chunked-scan.js';
import { MAX_D_STATE } from '../selective-scan/validate.js';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import body from './forward-training.wgsl';
import type { ScanSizes, ScanTrainingConfig, ScanTrainingProblem } from './types.js';

/** params.flags bits shared by the training kernels (their WGSL constants FLAG_D, FLAG_Z, ...). */
export const FLAGS = { D: 1, Z: 2, BIAS: 4, SOFTPLUS: 8, INIT: 16, DLAST: 32 } as const;

/** The FLAG_* constants of the training kernels' headers. */
export const FLAG_CONSTANTS = codeConstants('FLAG', FLAGS);

/** The Params fields the training forward and the backward share: sizes, tiling, chunks, flags. */
export const TRAINING_SCAN_FIELDS = {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  n_pad: 'u32',
  n_chunks: 'u32',
  groups_per_batch: 'u32',
  flags: 'u32',
} as const;

export const ForwardParams = defineParams('Params', {
  ...TRAINING_SCAN_FIELDS,
  chan_d: 'u32',
  chan_bias: 'u32',
});

/** Timesteps per chunk of a configuration. */
export function chunkSizeOf(config: ScanTrainingConfig): number {
  return config.lanes * config.steps;
}

/** Chunks covering seqLen. */
export function chunkCount(seqLen: number, chunkSize: number): number {
  return Math.ceil(seqLen / chunkSize);
}

/**
 * dState padded to whole tiles. The tile is fixed per configuration (one pipeline serves every
 * dState; padding states cost work but no code: A = B = C = 0 there).
 */
export function paddedStates(dState: number, tile: number): { tile: number; nPad: number } {
  return { tile, nPad: Math.ceil(dState / tile) * tile };
}

/** Bytes of workgroup memory the training forward uses. */
export function forwardWorkgroupBytes(config: ScanTrainingConfig, tile = config.forwardTileStates): number {
  const size = config.channels * config.lanes;
  return 4 * (size + (size + 1) * tile + config.channels * MAX_D_STATE);
}

/** The params.flags of a problem. */
export function flagBits(p: ScanTrainingProblem & { dLastState?: Tensor | undefined }): number {
  return (
    (p.D ? FLAGS.D : 0) |
    (p.z ? FLAGS.Z : 0) |
    (p.deltaBias ? FLAGS.BIAS : 0) |
    (p.deltaSoftplus ? FLAGS.SOFTPLUS : 0) |
    (p.initialState ? FLAGS.INIT : 0) |
    (p.dLastState ? FLAGS.DLAST : 0)
  );
}

/**
 * Copies A (dInner, dState), D and deltaBias (dInner, when present) into `dst` at element offsets
 * 0, dInner * dState and dInner * (dState + 1): the packed per-channel parameters.
 */
export function packChannelParams(p: ScanTrainingProblem, dst: Tensor): void {
  const { ctx, dInner, dState } = p;
  ctx.copyBuffer(p.A.buffer, 0, dst.buffer, 0, dInner * dState * 4);
  if (p.D) ctx.copyBuffer(p.D.buffer, 0, dst.buffer, dInner * dState * 4, dInner * 4);
  if (p.deltaBias) ctx.copyBuffer(p.deltaBias.buffer, 0, dst.buffer, dInner * (dState + 1) * 4, dInner * 4);
}

/** The kernel spec of the training forward for a configuration and state tile. */
function forwardSpec(config: ScanTrainingConfig, tile: number) {
  return {
    label: 'selective-scan-backward/forward-training',
    body,
    params: ForwardParams,
    constants: {
      CHANNELS: config.channels,
      LANES: config.lanes,
      STEPS: config.steps,
      TILE_STATES: tile,
      MAX_STATE: MAX_D_STATE,
      ...FLAG_CONSTANTS,
    },
    libraries: [SSM_MATH, SCAN_CHANNEL, BC_COLUMNS, LANE_CHAIN, STATE_CARRY],
    storage: [
      { name: 'u' },
      { name: 'delta' },
      { name: 'z' },
      { name: 'channel' },
      { name: 'b_matrix' },
      { name: 'c_matrix' },
      { name: 'y', access: 'read_write' },
      { name: 'state', access: 'read_write' },
      { name: 'chunk_states', access: 'read_write' },
    ],
  } as const;
}

/** The outputs of the training forward. */
export interface ForwardOutputs {
  /** (batch, dInner, seqLen) */
  y: Tensor;
  /** (batch, dInner, dState) */
  lastState: Tensor;
  /** (batch, dInner, nChunks, dState) */
  chunkStates: Tensor;
}

/**
 * Records the training forward of a validated problem into `out`. Returns the temporaries (the
 * packed channel parameters) to dispose once recorded.
 */
export function recordForwardTraining(
  p: ScanTrainingProblem,
  config: ScanTrainingConfig,
  out: ForwardOutputs,
): Tensor[] {
  const { ctx, batch, dInner, seqLen, dState } = p;
  const { tile, nPad } = paddedStates(dState, config.forwardTileStates);
  const channel = Tensor.empty(ctx, [dInner * (dState + 2)], 'f32', 'selective-scan-backward/channel-params');
  packChannelParams(p, channel);
  if (p.initialState) {
    ctx.copyBuffer(p.initialState.buffer, 0, out.lastState.buffer, 0, out.lastState.byteLength);
  }
  const groupsPerBatch = Math.ceil(dInner / config.channels);
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, forwardSpec(config, tile)),
    params: ForwardParams.pack({
      batch,
      d_inner: dInner,
      seq_len: seqLen,
      d_state: dState,
      n_pad: nPad,
      n_chunks: chunkCount(seqLen, chunkSizeOf(config)),
      groups_per_batch: groupsPerBatch,
      flags: flagBits(p),
      chan_d: dInner * dState,
      chan_bias: dInner * (dState + 1),
    }),
    bindings: [
      p.u.buffer,
      p.delta.buffer,
      (p.z ?? p.u).buffer,
      channel.buffer,
      p.B.buffer,
      p.C.buffer,
      out.y.buffer,
      out.lastState.buffer,
      out.chunkStates.buffer,
    ],
    workgroups: dispatch1d(batch * groupsPerBatch, ctx.limits.maxComputeWorkgroupsPerDimension),
    label: 'selective-scan-backward/forward-training',
  });
  return [channel];
}

/** The shape of the chunk states of a problem under a chunk size. */
export function chunkStatesShape(s: ScanSizes, chunkSize: number): number[] {
  return [s.batch, s.dInner, chunkCount(s.seqLen, chunkSize), s.dState];
}
