// The `chunked-scan` WGSL libraries: what the chunked scans (v2-chunked, v3-subgroup-scan, the
// training forward and the backward) share, included by name through the builder. Each library's
// .wgsl header states its contract (the constants, Params fields and bindings it relies on).

import { type WgslLibrary, wgslLibrary } from '@mamba-webgpu/tensor/internal';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import bcColumnsSource from './chunked-bc-columns.wgsl';
import channelSource from './chunked-channel.wgsl';
import laneChainSource from './chunked-lane-chain.wgsl';
import operandsSource from './chunked-operands.wgsl';
import stateCarrySource from './chunked-state-carry.wgsl';

/**
 * `ScanChannel` / `scan_channel` (an invocation's channel block and channel), `scan_step_inputs`,
 * `lane_inputs` (a lane's u and dt), `tile_scaled_a`, `zero_tile`, `tile_state`.
 */
export const SCAN_CHANNEL: WgslLibrary = wgslLibrary('chunked-scan/channel', channelSource, [SSM_MATH]);

/** Phase B in workgroup memory: `lane_dt`, `lane_h`, `lane_publish`, `lane_chain`, `lane_start_states`. */
export const LANE_CHAIN: WgslLibrary = wgslLibrary('chunked-scan/lane-chain', laneChainSource, [SSM_MATH]);

/** The carried state of v2 and the training forward: `carry`, `carry_init`, `carry_store`. */
export const STATE_CARRY: WgslLibrary = wgslLibrary('chunked-scan/state-carry', stateCarrySource, [
  SCAN_CHANNEL,
]);

/** v2's and v3's operands: `scaled_a`, `channel_views`, `tile_step`, `tile_step_readout`. */
export const CHUNKED_OPERANDS: WgslLibrary = wgslLibrary('chunked-scan/operands', operandsSource, [SSM_MATH]);

/** B and C as (batch, dState, seqLen) columns: `bc_index`, `tile_step_columns`, `tile_step_readout_columns`. */
export const BC_COLUMNS: WgslLibrary = wgslLibrary('chunked-scan/bc-columns', bcColumnsSource, [SSM_MATH]);
