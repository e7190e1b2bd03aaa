// Host code of v2-chunked, the fused chunked scan (see v2-chunked.wgsl for the design), and of
// the B/C packing pass it needs when B and C are not already time-major rows of whole vec4s.

import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { defineParams, dispatch1d, workgroupCount } from '@mamba-webgpu/tensor/internal';
import { bcStrides, optionalBinding, scanFlagBits } from './common.js';
import packSource from './pack-bc.wgsl';
import type { ScanKernel, ScanProblem, StridedView } from './types.js';
import source from './v2-chunked.wgsl';

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

export const V2Params = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  n_pad: 'u32',
  bc_row4: 'u32',
  b_off4: 'u32',
  c_off4: 'u32',
  groups_per_batch: 'u32',
  n_segments: 'u32',
  flags: 'u32',
  delta_off: 'u32',
  delta_sb: 'u32',
  delta_sd: 'u32',
  delta_st: 'u32',
  z_off: 'u32',
  z_sb: 'u32',
  z_sd: 'u32',
  z_st: 'u32',
  y_off: 'u32',
  y_sb: 'u32',
  y_sd: 'u32',
  y_st: 'u32',
});

export const PackParams = defineParams('Params', {
  batch: 'u32',
  seq_len: 'u32',
  d_state: 'u32',
  n_pad: 'u32',
  batch_stride: 'u32',
  state_stride: 'u32',
  time_stride: 'u32',
});
const packCode = PackParams.wgsl + packSource;

/** The WGSL of v2 for one configuration: params struct + generated constants + kernel. */
export function chunkedCode(config: ChunkedConfig): string {
  const header =
    `const CHANNELS: u32 = ${config.channels}u;\nconst CHUNKS: u32 = ${config.chunks}u;\n` +
    `const STEPS: u32 = ${config.steps}u;\nconst TILE_STATES: u32 = ${config.tileStates}u;\n`;
  return V2Params.wgsl + header + source;
}

/** States per tile and the padded state count for a dState under a configuration. */
export function stateTiling(dState: number, config: ChunkedConfig): { tile: number; nPad: number } {
  const pad4 = Math.ceil(dState / 4) * 4;
  const tile = Math.min(pad4, config.tileStates);
  return { tile, nPad: Math.ceil(pad4 / tile) * tile };
}

/** Bytes of workgroup memory v2 uses under a configuration. */
export function chunkedWorkgroupBytes(config: ChunkedConfig, tile = config.tileStates): number {
  const size = config.channels * config.chunks;
  return 4 * ((size + 1) * tile + size + config.channels * 256);
}

/** Records v2-chunked with the given configuration. Returns the packed B/C temporary, if any. */
export function recordChunked(
  ctx: GpuContext,
  p: ScanProblem,
  y: Tensor,
  lastState: Tensor,
  config: ChunkedConfig = DEFAULT_CHUNKED_CONFIG,
  variant: { name: string; code: (config: ChunkedConfig) => string } = {
    name: 'v2-chunked',
    code: chunkedCode,
  },
): Tensor[] {
  const { tile, nPad } = stateTiling(p.dState, config);
  const cfg = { ...config, tileStates: tile };
  const temporaries: Tensor[] = [];
  let bBinding: GPUBuffer;
  let cBinding: GPUBuffer;
  let layout: { row4: number; b: number; c: number };
  if (p.bcRows) {
    // B and C read in place from the x_proj rows (supports() checked the alignment).
    bBinding = p.B.buffer;
    cBinding = p.C.buffer;
    layout = { row4: p.bcRows.width / 4, b: p.bcRows.bOffset / 4, c: p.bcRows.cOffset / 4 };
  } else if (p.bcLayout === 'bln' && p.dState === nPad) {
    bBinding = p.B.buffer;
    cBinding = p.C.buffer;
    layout = { row4: nPad / 4, b: 0, c: 0 };
  } else {
    const packed = Tensor.empty(ctx, [p.batch, p.seqLen, 2 * nPad], 'f32', 'selective-scan/packed-bc');
    temporaries.push(packed);
    const strides = bcStrides(p);
    ctx.dispatch({
      pipeline: ctx.pipeline('scan-kernels/pack-bc', packCode),
      params: PackParams.pack({
        batch: p.batch,
        seq_len: p.seqLen,
        d_state: p.dState,
        n_pad: nPad,
        batch_stride: strides.batch,
        state_stride: strides.state,
        time_stride: strides.time,
      }),
      bindings: [p.B.buffer, p.C.buffer, packed.buffer],
      workgroups: dispatch1d(workgroupCount(packed.numel, 256), ctx.limits.maxComputeWorkgroupsPerDimension),
      label: 'selective-scan/pack-bc',
    });
    bBinding = packed.buffer;
    cBinding = packed.buffer;
    layout = { row4: (2 * nPad) / 4, b: 0, c: nPad / 4 };
  }
  const groupsPerBatch = Math.ceil(p.dInner / cfg.channels);
  const key = `scan-kernels/${variant.name}/${cfg.channels}x${cfg.chunks}x${cfg.steps}x${cfg.tileStates}`;
  ctx.dispatch({
    pipeline: ctx.pipeline(key, () => variant.code(cfg)),
    params: V2Params.pack({
      batch: p.batch,
      d_inner: p.dInner,
      seq_len: p.seqLen,
      d_state: p.dState,
      n_pad: nPad,
      bc_row4: layout.row4,
      b_off4: layout.b,
      c_off4: layout.c,
      groups_per_batch: groupsPerBatch,
      n_segments: Math.ceil(p.seqLen / (cfg.chunks * cfg.steps)),
      flags: scanFlagBits(p),
      ...viewParams('delta', p.views?.delta, p),
      ...viewParams('z', p.views?.z, p),
      ...viewParams('y', p.views?.y, p),
    }),
    bindings: [
      p.u.buffer,
      p.delta.buffer,
      optionalBinding(p.z, p.u),
      p.A.buffer,
      optionalBinding(p.D, p.u),
      optionalBinding(p.deltaBias, p.u),
      bBinding,
      cBinding,
      y.buffer,
      lastState.buffer,
    ],
    workgroups: dispatch1d(p.batch * groupsPerBatch, ctx.limits.maxComputeWorkgroupsPerDimension),
    label: `selective-scan/${variant.name}`,
  });
  return temporaries;
}

/** The uniform fields of a (batch, dInner, seqLen) view; contiguous when `view` is absent. */
function viewParams<P extends string>(
  prefix: P,
  view: StridedView | undefined,
  p: ScanProblem,
): Record<`${P}_off` | `${P}_sb` | `${P}_sd` | `${P}_st`, number> {
  const v = view ?? { offset: 0, batch: p.dInner * p.seqLen, channel: p.seqLen, time: 1 };
  return {
    [`${prefix}_off`]: v.offset,
    [`${prefix}_sb`]: v.batch,
    [`${prefix}_sd`]: v.channel,
    [`${prefix}_st`]: v.time,
  } as Record<`${P}_off` | `${P}_sb` | `${P}_sd` | `${P}_st`, number>;
}

/**
 * Whether the kernel can read B/C rows in place (always true without rows): vec4-aligned width
 * and offsets, and dState a whole number of state tiles (no padding lanes to fill).
 */
export function rowsReadable(p: Pick<ScanProblem, 'bcRows' | 'dState'>, config: ChunkedConfig): boolean {
  const rows = p.bcRows;
  if (!rows) return true;
  return (
    rows.width % 4 === 0 &&
    rows.bOffset % 4 === 0 &&
    rows.cOffset % 4 === 0 &&
    stateTiling(p.dState, config).nPad === p.dState
  );
}

/** A registry entry for v2 with a given configuration. */
export function chunkedKernel(name: string, config: ChunkedConfig, description?: string): ScanKernel {
  return {
    name,
    description:
      description ??
      `fused chunked scan, ${config.channels} channels x ${config.chunks} chunks x ${config.steps} steps per workgroup, states in tiles of ${config.tileStates}`,
    supports(ctx, p) {
      return (
        config.channels * config.chunks <= ctx.limits.maxComputeInvocationsPerWorkgroup &&
        chunkedWorkgroupBytes(config) <= ctx.limits.maxComputeWorkgroupStorageSize &&
        rowsReadable(p, config)
      );
    },
    record: (ctx, p, y, lastState) => recordChunked(ctx, p, y, lastState, config),
  };
}

export const v2Chunked = chunkedKernel('v2-chunked', DEFAULT_CHUNKED_CONFIG);
