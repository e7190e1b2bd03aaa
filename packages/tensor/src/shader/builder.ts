// The one WGSL builder: a kernel is a `.wgsl` body plus a typed spec from which the builder
// generates everything the body relies on — the constants header (one source for every size),
// the Params struct and its binding, the storage declarations with their binding numbers, load
// helpers for packed f16/bf16 operands, index helpers for strided views, and the shared WGSL
// libraries the body names. Pipelines are cached by label + constants + operand dtypes.

import type { GpuContext } from '../device/context.js';
import type { ParamsLayout } from '../device/params.js';
import { InvalidArgumentError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { unpackVec4Wgsl, unpackWgsl, wgslStorageType } from '../ops/wgsl-common.js';
import { type WgslLibrary, resolveLibraries } from './library.js';

/** A constant of the generated header: integers become `u32` (negative: `i32`), booleans `bool`. */
export type ConstantValue = number | boolean | { readonly f32: number } | { readonly i32: number };

/** One storage binding of a kernel, in binding order after the Params uniform. */
export interface StorageSpec {
  /** The WGSL variable name (snake_case). */
  readonly name: string;
  /** `read` (default) or `read_write`. */
  readonly access?: 'read' | 'read_write';
  /**
   * The element type. A DType declares the array as that dtype is stored (`array<u32>` for packed
   * f16/bf16) and, for float dtypes, generates `load_<name>(i)` / `load4_<name>(i)`.
   * A WGSL type string (`vec4<f32>`, `atomic<u32>`) is declared as is. Default `f32`.
   */
  readonly type?: DType | `vec${2 | 3 | 4}<${'f32' | 'u32' | 'i32'}>` | 'atomic<u32>' | 'atomic<i32>';
  /**
   * Rank of a strided view read or written through this binding: generates
   * `fn <name>_at(i0: u32, ...) -> u32` from the Params fields `<name>_offset`,
   * `<name>_stride0`... (declare them with `viewParams(name, rank)`).
   */
  readonly view?: number;
  /**
   * Float dtypes only: declare the array four elements per entry (`vec4<f32>`, or `vec2<u32>` for
   * packed f16/bf16) so `load4_<name>(i)` (i a multiple of 4) is one vector load; `load_<name>(i)`
   * still reads one element. The binding's offset and size must then be multiples of 16 bytes (8
   * for packed types).
   */
  readonly vec4?: boolean;
}

/** What a kernel declares; the body is the `.wgsl` file's text. */
export interface KernelSpec {
  /** Pipeline label and cache key prefix, e.g. `tensor/unary`. */
  readonly label: string;
  readonly body: string;
  /** The run-time shape uniform, bound at binding 0 as `params` (omit for kernels without one). */
  readonly params?: ParamsLayout<string>;
  readonly storage: readonly StorageSpec[];
  /** The generated `const` header (workgroup and tile sizes, flags). */
  readonly constants?: Readonly<Record<string, ConstantValue>>;
  /** Shared WGSL libraries the body uses (included once each, dependencies first). */
  readonly libraries?: readonly WgslLibrary[];
  /** WGSL `enable` directives (e.g. `subgroups`). */
  readonly enables?: readonly string[];
  /** Entry point (default `main`). */
  readonly entryPoint?: string;
}

function constantLine(name: string, value: ConstantValue): string {
  if (typeof value === 'boolean') return `const ${name}: bool = ${value};`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw new InvalidArgumentError(
        `buildKernel: constant ${name} = ${value} is not an integer; pass { f32: ${value} }`,
        name,
      );
    }
    return value < 0 ? `const ${name}: i32 = ${value}i;` : `const ${name}: u32 = ${value}u;`;
  }
  if ('f32' in value) {
    const text = Number.isInteger(value.f32) ? `${value.f32}.0` : `${value.f32}`;
    return `const ${name}: f32 = ${text};`;
  }
  return `const ${name}: i32 = ${value.i32}i;`;
}

function storageLines(label: string, spec: StorageSpec, binding: number): string {
  const access = spec.access ?? 'read';
  const type = spec.type ?? 'f32';
  const quantized = type === 'q8' || type === 'q4';
  const isFloat = type === 'f32' || type === 'f16' || type === 'bf16' || quantized;
  const isDType = isFloat || type === 'i32' || type === 'u32';
  if (spec.vec4 && !isFloat) {
    throw new InvalidArgumentError(
      `buildKernel(${label}): vec4 storage ${spec.name} must be f32, f16, bf16, q8 or q4, got ${type}`,
      'storage',
    );
  }
  if (quantized && access !== 'read') {
    throw new InvalidArgumentError(
      `buildKernel(${label}): storage ${spec.name} is ${type}: quantized tensors are read-only operands (weights)`,
      'storage',
    );
  }
  const element =
    spec.vec4 && !quantized
      ? type === 'f32'
        ? 'vec4<f32>'
        : 'vec2<u32>'
      : isDType
        ? wgslStorageType(type)
        : type;
  let out = `@group(0) @binding(${binding}) var<storage, ${access}> ${spec.name}: array<${element}>;\n`;
  if (spec.vec4) out += unpackVec4Wgsl(spec.name, type as 'f32' | 'f16' | 'bf16' | 'q8' | 'q4');
  else if (type === 'f16' || type === 'bf16' || quantized || (type === 'f32' && access === 'read'))
    out += unpackWgsl(spec.name, type);
  if (spec.view !== undefined) out += viewIndexWgsl(spec.name, spec.view);
  return out;
}

/** `fn <name>_at(i0: u32, ..) -> u32`: the buffer index of a view element (Params fields). */
export function viewIndexWgsl(name: string, rank: number): string {
  const args = Array.from({ length: rank }, (_, k) => `i${k}: u32`).join(', ');
  const terms = Array.from({ length: rank }, (_, k) => ` + i${k} * params.${name}_stride${k}`).join('');
  return `fn ${name}_at(${args}) -> u32 { return params.${name}_offset${terms}; }\n`;
}

/** The Params fields a view of `rank` dims needs: `<name>_offset`, `<name>_stride0`... */
export function viewParams(name: string, rank: number): Record<string, 'u32'> {
  const fields: Record<string, 'u32'> = { [`${name}_offset`]: 'u32' };
  for (let k = 0; k < rank; k++) fields[`${name}_stride${k}`] = 'u32';
  return fields;
}

/**
 * The Params values of a view: its strides and `offset` (the element index of its first element
 * inside the bound window: `elemOffset` of a binding window, or the view's offset when the whole
 * buffer is bound). Dims beyond the view's rank get stride 0 when `rank` is larger.
 */
export function viewParamValues(
  name: string,
  view: { readonly strides: readonly number[] },
  offset: number,
  rank = view.strides.length,
): Record<string, number> {
  const values: Record<string, number> = { [`${name}_offset`]: offset };
  const pad = rank - view.strides.length;
  for (let k = 0; k < rank; k++) values[`${name}_stride${k}`] = k < pad ? 0 : view.strides[k - pad]!;
  return values;
}

/**
 * Header constants for a set of named codes, defined once in TS: `codeConstants('OP', { add: 0,
 * logSoftmax: 1 })` is `{ OP_ADD: 0, OP_LOG_SOFTMAX: 1 }`, so a kernel's `switch` or `select` names
 * the code the host passes (`OP: codes[op]`) instead of repeating its number.
 */
export function codeConstants(
  prefix: string,
  codes: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, code] of Object.entries(codes)) {
    out[`${prefix}_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`] = code;
  }
  return out;
}

/** The full WGSL of a kernel: enables, constants, libraries, Params, bindings, then the body. */
export function buildKernel(spec: KernelSpec): string {
  const parts: string[] = [];
  if (spec.enables?.length) parts.push(spec.enables.map((e) => `enable ${e};`).join('\n'));
  parts.push(`// ${spec.label} (generated by @mamba-webgpu/tensor's kernel builder)`);
  for (const [name, value] of Object.entries(spec.constants ?? {})) parts.push(constantLine(name, value));
  for (const library of resolveLibraries(spec.libraries ?? [])) parts.push(library.code);
  let binding = 0;
  if (spec.params) {
    parts.push(spec.params.wgsl.replace(/^struct \w+/, 'struct Params'));
    parts.push(`@group(0) @binding(${binding++}) var<uniform> params: Params;`);
  }
  for (const s of spec.storage) {
    if (s.view !== undefined && spec.params) {
      const missing = Object.keys(viewParams(s.name, s.view)).filter(
        (f) => !spec.params!.fields.some(([k]) => k === f),
      );
      if (missing.length) {
        throw new InvalidArgumentError(
          `buildKernel(${spec.label}): view ${s.name} needs Params fields ${missing.join(', ')} (spread viewParams('${s.name}', ${s.view}) into defineParams)`,
          'params',
        );
      }
    }
    parts.push(storageLines(spec.label, s, binding++));
  }
  parts.push(spec.body);
  return parts.join('\n');
}

/** The pipeline cache key of a spec: label, entry point, constants and operand types. */
export function kernelKey(spec: KernelSpec): string {
  let key = `${spec.label}|${spec.entryPoint ?? 'main'}|`;
  for (const [name, value] of Object.entries(spec.constants ?? {}))
    key += `${name}=${JSON.stringify(value)},`;
  key += '|';
  for (const s of spec.storage) {
    key += `${s.type ?? 'f32'}${s.vec4 ? 'x4' : ''}${s.access === 'read_write' ? '!' : ''}${s.view ?? ''},`;
  }
  return key;
}

/**
 * The compute pipeline of a kernel spec on `ctx`, built and compiled once per key. The body and
 * libraries must not vary for one label (they come from files); everything that varies goes in
 * `constants` or the storage types, which are part of the key.
 */
export function kernelPipeline(ctx: GpuContext, spec: KernelSpec): GPUComputePipeline {
  return ctx.pipeline(kernelKey(spec), () => buildKernel(spec), {}, spec.entryPoint ?? 'main');
}
