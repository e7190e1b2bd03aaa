// The `ssm-math` WGSL library (ssm-math.wgsl): dt, decay, the state update step, the skip and
// gate, and the conv output, on top of tensor's `math` library. Kernels list it in `libraries`.

import { MATH, type WgslLibrary, wgslLibrary } from '@mamba-webgpu/tensor/internal';
import source from './ssm-math.wgsl';

/**
 * WGSL functions: `ssm_dt(delta, bias, apply_softplus)`, `ssm_decay(a, dt)`,
 * `ssm_decay_log2(a_log2, dt)` (with `SSM_LOG2E`), `ssm_state_step(h, decay, dt_x, b)`,
 * `ssm_skip(readout, skip, x)`, `ssm_gate(y, z)`, `conv_output(taps, bias, apply_silu)`;
 * `math`'s `silu`, `softplus`, `sigmoid` come with it.
 */
export const SSM_MATH: WgslLibrary = wgslLibrary('ssm-math', source, [MATH]);
