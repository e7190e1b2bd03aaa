// Host code of v3-subgroup-scan (see v3-subgroup-scan.wgsl): v2's fused chunked scan with the chunk
// chain as a subgroup scan (a serial chain in workgroup memory when the device has no subgroups),
// optionally with one exp2 per (t, n). Reuses v2's B/C rows, bindings, views and Params.

import type { GpuContext } from '@mamba-webgpu/tensor';
import type { KernelSpec } from '@mamba-webgpu/tensor/internal';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import { CHUNKED_OPERANDS, LANE_CHAIN, SCAN_CHANNEL } from './chunked-scan.js';
import { layoutsReadable } from './common.js';
import type { ScanKernelVersion } from './types.js';
import chainShared from './v3-chain-shared.wgsl';
import chainSubgroup from './v3-chain-subgroup.wgsl';
import {
  CHUNKED_STORAGE,
  CHUNKED_STRIDED,
  type ChunkedConfig,
  ChunkedParams,
  chunkedConstants,
  recordChunked,
} from './v2-chunked.js';
import body from './v3-subgroup-scan.wgsl';
import { MAX_D_STATE } from './validate.js';

/** v3's sizes: v2's plus how the chunk chain runs. */
export interface SubgroupScanConfig extends ChunkedConfig {
  /** Chain with subgroup shuffles when the device has them (default true); false forces the fallback. */
  subgroups?: boolean;
  /**
   * Keep C_t * P_t per (step, state) in registers so phase C needs no second exp2 (default false:
   * rescan as v2; measured slower on the H200, see docs/perf-notes.md).
   */
  singleExp?: boolean;
}

/** The default configuration (the fastest of the H200 sweep, see docs/perf-notes.md). */
export const DEFAULT_SUBGROUP_SCAN_CONFIG: SubgroupScanConfig = {
  channels: 4,
  chunks: 32,
  steps: 8,
  tileStates: 16,
};

/** v3's kernel for one configuration and chain flavour. */
export function subgroupScanSpec(config: ChunkedConfig, subgroups: boolean, singleExp = false): KernelSpec {
  return {
    label: `scan-kernels/v3-subgroup-scan/${subgroups ? 'subgroups' : 'shared'}`,
    body: body + (subgroups ? chainSubgroup : chainShared),
    enables: subgroups ? ['subgroups'] : [],
    params: ChunkedParams,
    constants: { SINGLE_EXP: singleExp, ...chunkedConstants(config) },
    libraries: subgroups
      ? [SSM_MATH, SCAN_CHANNEL, CHUNKED_OPERANDS]
      : [SSM_MATH, SCAN_CHANNEL, CHUNKED_OPERANDS, LANE_CHAIN],
    storage: CHUNKED_STORAGE,
  };
}

/** Bytes of workgroup memory v3 uses under a configuration and chain flavour. */
export function subgroupScanWorkgroupBytes(config: ChunkedConfig, subgroups: boolean): number {
  const size = config.channels * config.chunks;
  const carry = 2 * config.channels * MAX_D_STATE;
  const chain = subgroups
    ? 4 * config.channels * Math.max(config.chunks / 4, 1) * config.tileStates
    : size + (size + 1) * config.tileStates;
  return 4 * (carry + chain);
}

function usesSubgroups(ctx: GpuContext, config: SubgroupScanConfig): boolean {
  return (config.subgroups ?? true) && ctx.features.subgroups;
}

/** A registry entry for v3 with a given configuration (chunks a power of two). */
export function subgroupScanKernel(
  name: string,
  config: SubgroupScanConfig,
  description?: string,
  automatic = true,
): ScanKernelVersion {
  return {
    name,
    description:
      description ??
      `fused chunked scan with a subgroup chunk chain${config.singleExp ? ', one exp per (t, n)' : ''}; ${config.channels} channels x ${config.chunks} chunks x ${config.steps} steps per workgroup, states in tiles of ${config.tileStates}`,
    automatic,
    strided: CHUNKED_STRIDED,
    supports(p) {
      const limits = p.ctx.limits;
      return (
        config.channels * config.chunks <= limits.maxComputeInvocationsPerWorkgroup &&
        subgroupScanWorkgroupBytes(config, usesSubgroups(p.ctx, config)) <=
          limits.maxComputeWorkgroupStorageSize &&
        layoutsReadable(CHUNKED_STRIDED, p)
      );
    },
    record(p) {
      const subgroups = usesSubgroups(p.ctx, config);
      return recordChunked(p, config, (cfg) => subgroupScanSpec(cfg, subgroups, config.singleExp ?? false));
    },
  };
}

/** Registered but not picked automatically: 2x slower than v2 on the H200 (docs/perf-notes.md). */
export const v3SubgroupScan: ScanKernelVersion = subgroupScanKernel(
  'v3-subgroup-scan',
  DEFAULT_SUBGROUP_SCAN_CONFIG,
  undefined,
  false,
);
