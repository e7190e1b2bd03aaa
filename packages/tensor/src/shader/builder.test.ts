import { describe, expect, it } from 'vitest';
import { defineParams } from '../device/params.js';
import { InvalidArgumentError } from '../errors.js';
import { buildKernel, codeConstants, kernelKey, viewParamValues, viewParams } from './builder.js';
import { MATH, resolveLibraries, wgslLibrary } from './library.js';

describe('kernel builder', () => {
  const Params = defineParams('Params', { numel: 'u32', ...viewParams('x', 2) });
  const spec = {
    label: 'test/kernel',
    body: '@compute @workgroup_size(WORKGROUP) fn main() {}',
    params: Params,
    constants: { WORKGROUP: 64, HAS_BIAS: true, EPS: { f32: 1e-5 }, SHIFT: -2 },
    libraries: [MATH],
    storage: [
      { name: 'x', view: 2 },
      { name: 'w', type: 'bf16' },
      { name: 'out', access: 'read_write' },
    ],
  } as const;

  it('generates constants, Params, numbered bindings, loaders and view helpers', () => {
    const code = buildKernel(spec);
    expect(code).toContain('const WORKGROUP: u32 = 64u;');
    expect(code).toContain('const HAS_BIAS: bool = true;');
    expect(code).toContain('const EPS: f32 = 0.00001;');
    expect(code).toContain('const SHIFT: i32 = -2i;');
    expect(code).toContain('@group(0) @binding(0) var<uniform> params: Params;');
    expect(code).toContain('@group(0) @binding(1) var<storage, read> x: array<f32>;');
    expect(code).toContain('@group(0) @binding(2) var<storage, read> w: array<u32>;');
    expect(code).toContain('fn load_w(i: u32) -> f32');
    expect(code).toContain('@group(0) @binding(3) var<storage, read_write> out: array<f32>;');
    expect(code).toContain(
      'fn x_at(i0: u32, i1: u32) -> u32 { return params.x_offset + i0 * params.x_stride0 + i1 * params.x_stride1; }',
    );
    expect(code.indexOf('fn softplus')).toBeLessThan(code.indexOf('fn main'));
  });

  it('keys pipelines by constants and operand types', () => {
    const other = { ...spec, constants: { ...spec.constants, WORKGROUP: 128 } };
    expect(kernelKey(other)).not.toBe(kernelKey(spec));
    const f16 = { ...spec, storage: [spec.storage[0], { name: 'w', type: 'f16' }, spec.storage[2]] } as const;
    expect(kernelKey(f16)).not.toBe(kernelKey(spec));
  });

  it('refuses views without their Params fields and non-integer constants', () => {
    const noFields = { ...spec, params: defineParams('Params', { numel: 'u32' }) };
    expect(() => buildKernel(noFields)).toThrow(/viewParams\('x', 2\)/);
    expect(() => buildKernel({ ...spec, constants: { A: 1.5 } })).toThrow(InvalidArgumentError);
  });

  it('vec4 storage: one vector load per load4, scalar loads from the same array, in the key', () => {
    const storage = [
      { name: 'x', vec4: true },
      { name: 'w', type: 'bf16', vec4: true },
      { name: 'out', access: 'read_write' },
    ] as const;
    const code = buildKernel({ ...spec, storage });
    expect(code).toContain('var<storage, read> x: array<vec4<f32>>;');
    expect(code).toContain('fn load4_x(i: u32) -> vec4<f32> { return x[i >> 2u]; }');
    expect(code).toContain('fn load_x(i: u32) -> f32 { return x[i >> 2u][i & 3u]; }');
    expect(code).toContain('var<storage, read> w: array<vec2<u32>>;');
    expect(code).toContain('fn load4_w(i: u32) -> vec4<f32> { let p = w[i >> 2u];');
    expect(kernelKey({ ...spec, storage })).not.toBe(
      kernelKey({ ...spec, storage: [{ name: 'x' }, storage[1], storage[2]] }),
    );
    expect(() => buildKernel({ ...spec, storage: [{ name: 'ids', type: 'i32', vec4: true }] })).toThrow(
      /vec4 storage ids must be f32, f16, bf16, q8 or q4, got i32/,
    );
  });

  it('code constants: one TS object, snake-case names in the header', () => {
    expect(codeConstants('OP', { add: 0, logSoftmax: 1 })).toEqual({ OP_ADD: 0, OP_LOG_SOFTMAX: 1 });
  });

  it('view values pad leading dims with stride 0', () => {
    expect(viewParamValues('x', { strides: [5, 1] }, 3, 3)).toEqual({
      x_offset: 3,
      x_stride0: 0,
      x_stride1: 5,
      x_stride2: 1,
    });
  });

  it('libraries: dependencies first, each once, no cycles or name clashes', () => {
    const a = wgslLibrary('a', 'fn a() {}', [MATH]);
    const b = wgslLibrary('b', 'fn b() {}', [a, MATH]);
    expect(resolveLibraries([b, a]).map((l) => l.name)).toEqual(['math', 'a', 'b']);
    expect(() => resolveLibraries([wgslLibrary('math', 'fn other() {}'), MATH])).toThrow(/two different/);
  });
});
