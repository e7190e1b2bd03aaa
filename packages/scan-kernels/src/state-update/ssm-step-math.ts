// The `ssm-step-math` WGSL library (ssm-step-math.wgsl): delta, state step and gate of the
// selective SSM, included by name by the state-update kernels.

import { MATH, type WgslLibrary, wgslLibrary } from '@mamba-webgpu/tensor/internal';
import source from './ssm-step-math.wgsl';

export const SSM_STEP_MATH: WgslLibrary = wgslLibrary('ssm-step-math', source, [MATH]);
