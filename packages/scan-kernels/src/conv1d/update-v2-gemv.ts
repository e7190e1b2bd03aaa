// causalConv1dUpdate v2-gemv: the conv step fused into the projection that follows it (x_proj in
// the model's decode step), one dispatch instead of v1's two; every workgroup recomputes the conv
// of its rows in its prologue (update-v2-gemv.wgsl). The state is not shifted (updateState: false):
// the selective state update's fused step does it. x: (batch, dInner) view; out: (batch, n).

import type { Tensor } from '@mamba-webgpu/tensor';
import {
  bindingBudget,
  contiguousOperand,
  defineParams,
  dummyBinding,
  kernelPipeline,
  viewParamValues,
  viewParams,
  viewWindow,
} from '@mamba-webgpu/tensor/internal';
import {
  PROLOGUE_GEMV,
  prologueGemvFits,
  prologueGemvGrid,
  prologueGemvSizes,
} from '../decode-gemv/prologue-gemv.js';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import type { CausalConv1dUpdateKernel, CausalConv1dUpdateProblem } from './causal-conv1d-update-types.js';
import body from './update-v2-gemv.wgsl';

/** Storage bindings of the kernel (w, x, conv_state, conv_w, conv_b, out). */
const STORAGE_BINDINGS = 6;

const Params = defineParams('Params', { m: 'u32', n: 'u32', width: 'u32', ...viewParams('x', 2) });

function sizesOf(p: CausalConv1dUpdateProblem) {
  return prologueGemvSizes(p.batch, p.projection?.shape[0] ?? 1, p.dInner);
}

function recordGemv(p: CausalConv1dUpdateProblem): void {
  const { ctx, batch: m, width } = p;
  const temporaries: Tensor[] = [];
  const w = contiguousOperand(p.projection!, temporaries);
  const weight = contiguousOperand(p.weight, temporaries);
  const bias = p.bias && contiguousOperand(p.bias, temporaries);
  const n = w.shape[0]!;
  const sizes = sizesOf(p);
  const x = viewWindow(p.x, 'causalConv1dUpdate', 'x', bindingBudget(ctx));
  const spec = {
    label: 'scan-kernels/causal-conv1d-update/v2-gemv',
    body,
    params: Params,
    constants: { ...sizes, HAS_BIAS: !!bias, SILU: p.silu },
    libraries: [SSM_MATH, PROLOGUE_GEMV],
    storage: [
      { name: 'w', type: w.dtype },
      { name: 'x', view: 2 },
      { name: 'conv_state' },
      { name: 'conv_w' },
      { name: 'conv_b' },
      { name: 'out', access: 'read_write' },
    ],
  } as const;
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({
      m,
      n,
      width,
      ...viewParamValues('x', p.x, x.elemOffset),
    } as Parameters<typeof Params.pack>[0]),
    bindings: [
      w.buffer,
      x.binding,
      p.convState.buffer,
      weight.buffer,
      bias ? bias.buffer : dummyBinding(ctx),
      p.out.buffer,
    ],
    workgroups: prologueGemvGrid(ctx, m, n, sizes),
    label: 'causal-conv1d-update/v2-gemv',
  });
  for (const t of temporaries) t.dispose();
}

export const v2Gemv: CausalConv1dUpdateKernel = {
  name: 'v2-gemv',
  description:
    'the conv step as the prologue of the projection GEMV (one dispatch); reads the state without shifting it',
  automatic: true,
  supports: (p) =>
    p.projection !== undefined &&
    !p.updateState &&
    p.ctx.limits.maxStorageBuffersPerShaderStage >= STORAGE_BINDINGS &&
    prologueGemvFits(p.ctx, sizesOf(p)),
  record: recordGemv,
};
