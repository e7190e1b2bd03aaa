// Host code of v3-subgroup-scan (see v3-subgroup-scan.wgsl): v2's fused chunked scan with the chunk
// chain as a subgroup scan (a serial chain in workgroup memory when the device has no subgroups),
// optionally with one exp2 per (t, n). Reuses v2's B/C packing and parameter block.

import type { GpuContext } from '@mamba-webgpu/tensor';
import type { ScanKernel } from './types.js';
import chainShared from './v3-chain-shared.wgsl';
import chainSubgroup from './v3-chain-subgroup.wgsl';
import { type ChunkedConfig, V2Params, recordChunked, rowsReadable, stateTiling } from './v2-chunked.js';
import body from './v3-subgroup-scan.wgsl';

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

/** The WGSL of v3 for one configuration and chain flavour. */
export function subgroupScanCode(config: ChunkedConfig, subgroups: boolean, singleExp = false): string {
  const header =
    `const SINGLE_EXP: bool = ${singleExp};\n` +
    `const CHANNELS: u32 = ${config.channels}u;\nconst CHUNKS: u32 = ${config.chunks}u;\n` +
    `const STEPS: u32 = ${config.steps}u;\nconst TILE_STATES: u32 = ${config.tileStates}u;\n`;
  return `${subgroups ? 'enable subgroups;\n' : ''}${V2Params.wgsl}${header}${body}${subgroups ? chainSubgroup : chainShared}`;
}

/** Bytes of workgroup memory v3 uses under a configuration and chain flavour. */
export function subgroupScanWorkgroupBytes(config: ChunkedConfig, subgroups: boolean): number {
  const size = config.channels * config.chunks;
  const carry = 2 * config.channels * 256;
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
): ScanKernel {
  return {
    name,
    description:
      description ??
      `fused chunked scan with a subgroup chunk chain${config.singleExp ? ', one exp per (t, n)' : ''}; ${config.channels} channels x ${config.chunks} chunks x ${config.steps} steps per workgroup, states in tiles of ${config.tileStates}`,
    supports(ctx, p) {
      return (
        config.channels * config.chunks <= ctx.limits.maxComputeInvocationsPerWorkgroup &&
        subgroupScanWorkgroupBytes(config, usesSubgroups(ctx, config)) <=
          ctx.limits.maxComputeWorkgroupStorageSize &&
        rowsReadable(p, config) &&
        !p.views // strided delta/z/y are a v2 layout
      );
    },
    record(ctx, p, y, lastState) {
      const subgroups = usesSubgroups(ctx, config);
      const { tile } = stateTiling(p.dState, config);
      return recordChunked(ctx, p, y, lastState, config, {
        name: `${name}/${subgroups ? 'subgroups' : 'shared'}${config.singleExp ? '/single-exp' : ''}`,
        code: (cfg) => subgroupScanCode({ ...cfg, tileStates: tile }, subgroups, config.singleExp ?? false),
      });
    },
  };
}

/** Registered but not picked automatically: 2x slower than v2 on the H200 (docs/perf-notes.md). */
export const v3SubgroupScan: ScanKernel = {
  ...subgroupScanKernel('v3-subgroup-scan', DEFAULT_SUBGROUP_SCAN_CONFIG),
  automatic: false,
};
