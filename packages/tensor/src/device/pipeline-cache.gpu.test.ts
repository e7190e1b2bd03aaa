// Shader compile failures surface as one ShaderCompileError naming the kernel, with the
// compiler's line:column messages and the offending source line; valid pipelines are cached.
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { ShaderCompileError } from '../errors.js';

const BROKEN = `@group(0) @binding(0) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  data[id.x] = undefined_helper(data[id.x]);
}
`;

describe('pipeline cache', () => {
  it('reports a WGSL compile failure as ShaderCompileError with label, line:column and source', async () => {
    const ctx = await testContext();
    ctx.pipeline('test/broken-wgsl', BROKEN);
    const error = await ctx.checkErrors('after-compile').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShaderCompileError);
    const failure = error as ShaderCompileError;
    expect(failure.label).toBe('test/broken-wgsl');
    expect(failure.message).toMatch(/^pipeline\(test\/broken-wgsl\): WGSL failed to compile \(1 error\):/);
    const first = failure.messages.find((m) => m.type === 'error')!;
    expect(first.line).toBe(5);
    expect(first.column).toBe(16);
    expect(first.message).toMatch(/undefined_helper/);
    expect(first.sourceLine).toBe('  data[id.x] = undefined_helper(data[id.x]);');
    expect(failure.message).toContain('5:16 error: ');
    expect(failure.message).toContain(`\n    ${first.sourceLine}\n    ${' '.repeat(15)}^`);
    // Reported once; the generic errors it caused are cleared with it.
    await ctx.checkErrors();
    // The failure is remembered: asking for the pipeline again throws at once.
    expect(() => ctx.pipeline('test/broken-wgsl', BROKEN)).toThrow(ShaderCompileError);
  });

  it('reports a refused pipeline (missing entry point) with the device message', async () => {
    const ctx = await testContext();
    ctx.pipeline('test/no-entry', BROKEN.replace('undefined_helper(data[id.x])', '1.0'), {}, 'absent');
    const error = await ctx.sync('after-refused').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShaderCompileError);
    expect((error as ShaderCompileError).message).toMatch(
      /^pipeline\(test\/no-entry\): the pipeline was refused: /,
    );
    expect((error as ShaderCompileError).messages.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('surfaces the compile error from withErrorScope too', async () => {
    const ctx = await testContext();
    await expect(
      ctx.withErrorScope('scoped-compile', () => {
        ctx.pipeline('test/broken-in-scope', BROKEN);
      }),
    ).rejects.toThrow(ShaderCompileError);
    await ctx.checkErrors();
  });

  it('compiles a valid pipeline once per key and constants', async () => {
    const ctx = await testContext();
    const code = BROKEN.replace('undefined_helper(data[id.x])', 'data[id.x] * SCALE').replace(
      '@compute',
      'override SCALE: f32 = 1.0;\n@compute',
    );
    const a = ctx.pipeline('test/scaled', code, { SCALE: 2 });
    expect(ctx.pipeline('test/scaled', code, { SCALE: 2 })).toBe(a);
    expect(ctx.pipeline('test/scaled', code, { SCALE: 3 })).not.toBe(a);
    await ctx.checkErrors();
  });
});
