// selectiveScanRows: B and C read in place from the rows [dt | B | C] of one time-major tensor
// (the x_proj output) equal the official scan on B and C sliced out, for every kernel that
// supports the layout; unaligned layouts are reported by canScanRows and refused.
import { getGpuContext, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { selectiveScanRef } from '../src/index.js';
import { canScanRows, SCAN_KERNELS, selectiveScanRows, selectiveScanWith } from '../src/internal.js';

describe('selectiveScanRows', () => {
  for (const [batch, seqLen, dState, rank] of [
    [1, 37, 16, 4],
    [2, 333, 16, 48],
    [3, 2049, 8, 4],
  ] as const) {
    it(`(batch ${batch}, seqLen ${seqLen}, dState ${dState}, dtRank ${rank})`, async () => {
      const ctx = await getGpuContext();
      const rng = new SeededRandom(batch * 1000 + seqLen);
      const dInner = 12;
      const width = rank + 2 * dState;
      const rows = { width, bOffset: rank, cOffset: rank + dState };
      expect(canScanRows(dState, rows)).toBe(true);
      const uHost = rng.array(batch * dInner * seqLen);
      const deltaHost = rng.array(batch * dInner * seqLen, () => rng.uniform(-3, 0.5));
      const aHost = rng.array(dInner * dState, () => -rng.uniform(0.5, 4));
      const rowsHost = rng.array(batch * seqLen * width);
      const zHost = rng.array(batch * dInner * seqLen);
      const dHost = rng.array(dInner);
      // B, C (batch, dState, seqLen) sliced out on the CPU for the reference.
      const slice = (offset: number) => {
        const out = new Float32Array(batch * dState * seqLen);
        for (let b = 0; b < batch; b++)
          for (let n = 0; n < dState; n++)
            for (let t = 0; t < seqLen; t++)
              out[(b * dState + n) * seqLen + t] = rowsHost[(b * seqLen + t) * width + offset + n]!;
        return out;
      };
      const ref = selectiveScanRef({
        batch,
        dInner,
        seqLen,
        dState,
        u: uHost,
        delta: deltaHost,
        A: aHost,
        B: slice(rows.bOffset),
        C: slice(rows.cOffset),
        D: dHost,
        z: zHost,
        deltaSoftplus: true,
      });
      using u = Tensor.fromArray(ctx, uHost, [batch, dInner, seqLen], 'f32');
      using delta = Tensor.fromArray(ctx, deltaHost, [batch, dInner, seqLen], 'f32');
      using A = Tensor.fromArray(ctx, aHost, [dInner, dState], 'f32');
      using bc = Tensor.fromArray(ctx, rowsHost, [batch, seqLen, width], 'f32');
      using z = Tensor.fromArray(ctx, zHost, [batch, dInner, seqLen], 'f32');
      using D = Tensor.fromArray(ctx, dHost, [dInner], 'f32');
      const args = { u, delta, A, z, D, deltaSoftplus: true };
      const check = async (result: { y: Tensor; lastState: Tensor }, label: string) => {
        expectAllClose(await result.y.read(), ref.y, { rtol: 6e-4, atol: 2e-3, label: `${label} y` });
        expectAllClose(await result.lastState.read(), ref.lastState, {
          rtol: 6e-4,
          atol: 2e-3,
          label: `${label} state`,
        });
        result.y.dispose();
        result.lastState.dispose();
      };
      await check(selectiveScanRows(ctx, { ...args, bc, ...rows }), 'auto');
      let ran = 0;
      for (const kernel of SCAN_KERNELS) {
        const problem = { ...args, B: bc, C: bc };
        let result: { y: Tensor; lastState: Tensor };
        try {
          result = selectiveScanWith(ctx, problem, { kernel, bcRows: rows });
        } catch (error) {
          expect(String(error)).toMatch(/does not support this problem/);
          continue;
        }
        ran++;
        await check(result, kernel.name);
      }
      expect(ran).toBeGreaterThanOrEqual(1);
      await ctx.checkErrors();
    });
  }

  it('refuses unaligned rows and bad offsets with typed errors', async () => {
    const ctx = await getGpuContext();
    expect(canScanRows(16, { width: 34, bOffset: 2, cOffset: 18 })).toBe(false);
    using u = Tensor.empty(ctx, [1, 4, 5], 'f32');
    using A = Tensor.empty(ctx, [4, 16], 'f32');
    using bc = Tensor.empty(ctx, [1, 5, 36], 'f32');
    expect(() => selectiveScanRows(ctx, { u, delta: u, A, bc, width: 36, bOffset: 4, cOffset: 24 })).toThrow(
      /cOffset must be in \[0, width - dState\] = \[0, 20\], got 24/,
    );
    expect(() => selectiveScanRows(ctx, { u, delta: u, A, bc, width: 40, bOffset: 4, cOffset: 20 })).toThrow(
      /rows tensor must hold \(batch, seqLen, width\) = \(1, 5, 40\)/,
    );
  });
});
