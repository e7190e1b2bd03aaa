// selectiveStateUpdate v2-fused-step: the model's decode step after x_proj in one dispatch — conv
// step, dt_proj, softplus, state update, readout, D and gate (v2-fused-step.wgsl) — where v1 takes
// three. It lives with the op it is a version of (scan-kernels), not in the model. To stay within
// 8 storage bindings it reads x and z through one binding, dt, B and C through another (views of
// one buffer each: in_proj's and x_proj's outputs), and the per-channel weights from one buffer
// that `prepare` packs once from the layer's weights (owned by prepare's caller).

import { type Binding, contiguous, Tensor } from '@mamba-webgpu/tensor';
import {
  contiguousOperand,
  defineParams,
  dispatch1d,
  kernelPipeline,
  viewIndexWgsl,
  viewParamValues,
  viewParams,
  wgslLibrary,
} from '@mamba-webgpu/tensor/internal';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import type {
  PreparedStateUpdate,
  StateUpdateKernel,
  StateUpdateProblem,
  StateUpdateWeights,
} from './types.js';
import body from './v2-fused-step.wgsl';

const NAME = 'v2-fused-step';
const WORKGROUP = 256;
/** Lanes per channel (dt_proj's rank and the states split over them). */
const LANES = 16;
const CHANNELS = WORKGROUP / LANES;
/** Storage bindings of the kernel (x_src, conv_state, pack, dt_src, dt_weight, state, y). */
const STORAGE_BINDINGS = 7;

/** The views the kernel reads through its two shared bindings (x_src: x, z; dt_src: dt, B, C). */
const VIEWS = ['x', 'z', 'dt', 'b', 'c'] as const;
const VIEW_HELPERS = wgslLibrary(
  'selective-state-update/v2-views',
  VIEWS.map((name) => viewIndexWgsl(name, 2)).join(''),
);

const Params = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  d_state: 'u32',
  dt_rank: 'u32',
  width: 'u32',
  pack_conv_bias: 'u32',
  pack_dt_bias: 'u32',
  pack_d: 'u32',
  pack_a: 'u32',
  ...viewParams('x', 2),
  ...viewParams('z', 2),
  ...viewParams('dt', 2),
  ...viewParams('b', 2),
  ...viewParams('c', 2),
});

/** Element offsets of the parts of the pack (conv weight first, at 0). */
export interface FusedStepPackLayout {
  readonly convBias: number;
  readonly dtBias: number;
  readonly D: number;
  readonly A: number;
  readonly length: number;
}

/** The pack of (dInner, width, dState): [conv weight | conv bias | dt bias | D | A]. */
export function fusedStepPackLayout(dInner: number, width: number, dState: number): FusedStepPackLayout {
  const convBias = dInner * width;
  return {
    convBias,
    dtBias: convBias + dInner,
    D: convBias + 2 * dInner,
    A: convBias + 3 * dInner,
    length: convBias + 3 * dInner + dInner * dState,
  };
}

/** What `prepare` returns: the packed per-channel weights. */
export interface FusedStepPrepared extends PreparedStateUpdate {
  readonly pack: Tensor<'f32'>;
  readonly layout: FusedStepPackLayout;
}

/** Copies the layer's per-channel weights into one pack (absent bias, D: zeros). */
function prepare(weights: StateUpdateWeights): FusedStepPrepared {
  const conv = weights.conv!;
  const ctx = weights.A.ctx;
  const [dInner, dState] = weights.A.shape as [number, number];
  const width = conv.weight.shape[1]!;
  const layout = fusedStepPackLayout(dInner, width, dState);
  const pack = Tensor.empty(ctx, [layout.length], 'f32', 'selective-state-update/v2-pack');
  const parts: [number, number, Tensor | undefined][] = [
    [0, dInner * width, conv.weight],
    [layout.convBias, dInner, conv.bias],
    [layout.dtBias, dInner, weights.dtBias],
    [layout.D, dInner, weights.D],
    [layout.A, dInner * dState, weights.A],
  ];
  for (const [offset, count, part] of parts) {
    if (!part) {
      ctx.writeBuffer(pack.buffer, offset * 4, new Float32Array(count));
      continue;
    }
    using source = contiguous(part);
    ctx.copyBuffer(source.buffer, 0, pack.buffer, offset * 4, count * 4);
  }
  return {
    kernel: NAME,
    weights,
    pack,
    layout,
    tensors: [pack],
    dispose: () => pack.dispose(),
    [Symbol.dispose]: () => pack.dispose(),
  };
}

/** x, z share one buffer and dt, B, C another, each bound whole within the binding limit. */
function sharedBindingsFit(p: StateUpdateProblem): boolean {
  const max = p.ctx.limits.maxStorageBufferBindingSize;
  return (
    (!p.z || p.z.sharesStorage(p.x)) &&
    p.B.sharesStorage(p.dt) &&
    p.C.sharesStorage(p.dt) &&
    p.x.storageBuffer.size <= max &&
    p.dt.storageBuffer.size <= max
  );
}

function record(p: StateUpdateProblem): void {
  const { ctx, batch, dInner, dState } = p;
  const prepared = p.prepared as FusedStepPrepared;
  const temporaries: Tensor[] = [];
  const dtWeight = contiguousOperand(p.dtProj!, temporaries);
  const whole = (t: Tensor): Binding => ({ buffer: t.storageBuffer });
  const views = { x: p.x, z: p.z ?? p.x, dt: p.dt, b: p.B, c: p.C };
  let viewValues: Record<string, number> = {};
  for (const name of VIEWS)
    viewValues = { ...viewValues, ...viewParamValues(name, views[name], views[name].offset) };
  const spec = {
    label: 'scan-kernels/selective-state-update/v2-fused-step',
    body,
    params: Params,
    constants: { WORKGROUP, LANES, CHANNELS, HAS_Z: !!p.z, SOFTPLUS: p.dtSoftplus },
    libraries: [SSM_MATH, VIEW_HELPERS],
    storage: [
      { name: 'x_src' },
      { name: 'conv_state', access: 'read_write' },
      { name: 'pack' },
      { name: 'dt_src' },
      { name: 'dt_weight', type: dtWeight.dtype },
      { name: 'state', access: 'read_write' },
      { name: 'y', access: 'read_write' },
    ],
  } as const;
  const { layout } = prepared;
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({
      batch,
      d_inner: dInner,
      d_state: dState,
      dt_rank: p.dtRank,
      width: p.width,
      pack_conv_bias: layout.convBias,
      pack_dt_bias: layout.dtBias,
      pack_d: layout.D,
      pack_a: layout.A,
      ...viewValues,
    } as Parameters<typeof Params.pack>[0]),
    bindings: [
      whole(p.x),
      p.conv!.state.buffer,
      prepared.pack.buffer,
      whole(p.dt),
      dtWeight.buffer,
      p.state.buffer,
      p.out.buffer,
    ],
    workgroups: dispatch1d(
      Math.ceil((batch * dInner) / CHANNELS),
      ctx.limits.maxComputeWorkgroupsPerDimension,
    ),
    label: 'selective-state-update/v2-fused-step',
  });
  for (const t of temporaries) t.dispose();
}

export const v2FusedStep: StateUpdateKernel = {
  name: NAME,
  description:
    'conv step, dt_proj, softplus, update, readout and gate in one dispatch; 16 lanes per channel split the rank and states',
  automatic: true,
  supports: (p) =>
    p.conv !== undefined &&
    p.dtProj !== undefined &&
    p.ctx.limits.maxStorageBuffersPerShaderStage >= STORAGE_BINDINGS &&
    sharedBindingsFit(p),
  prepare(weights) {
    return prepare(weights);
  },
  record,
};
