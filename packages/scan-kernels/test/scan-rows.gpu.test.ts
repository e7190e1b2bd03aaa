// selectiveScanRows: B and C read in place from the rows [dt | B | C] of one time-major tensor
// (the x_proj output) equal the official scan on B and C sliced out, for every kernel that
// supports the layout; unaligned layouts are reported by canScanRows and refused.
import { getGpuContext, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { selectiveScanRef } from '../src/index.js';
import { canScanRows, SCAN_KERNELS, selectiveScanRows, selectiveScanWith } from '../src/internal.js';

/** B or C (batch, dState, seqLen) sliced on the CPU out of rows (batch, seqLen, width) at `offset`. */
function sliceRows(
  rows: Float32Array,
  batch: number,
  seqLen: number,
  dState: number,
  width: number,
  offset: number,
): Float32Array {
  const out = new Float32Array(batch * dState * seqLen);
  for (let b = 0; b < batch; b++)
    for (let n = 0; n < dState; n++)
      for (let t = 0; t < seqLen; t++)
        out[(b * dState + n) * seqLen + t] = rows[(b * seqLen + t) * width + offset + n]!;
  return out;
}

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
      const slice = (offset: number) => sliceRows(rowsHost, batch, seqLen, dState, width, offset);
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

  it('reads delta and z through token-major views and writes y token-major', async () => {
    const ctx = await getGpuContext();
    const rng = new SeededRandom(4242);
    const [batch, dInner, seqLen, dState, rank] = [2, 12, 333, 16, 4];
    const width = rank + 2 * dState;
    const rows = { width, bOffset: rank, cOffset: rank + dState };
    const uHost = rng.array(batch * dInner * seqLen);
    const aHost = rng.array(dInner * dState, () => -rng.uniform(0.5, 4));
    const rowsHost = rng.array(batch * seqLen * width);
    // delta token-major (batch, seqLen, dInner); z inside an xz-like (batch, seqLen, 2*dInner) at dInner.
    const deltaTokens = rng.array(batch * seqLen * dInner, () => rng.uniform(-3, 0.5));
    const xzHost = rng.array(batch * seqLen * 2 * dInner);
    const channelMajor = (get: (b: number, d: number, t: number) => number) => {
      const out = new Float32Array(batch * dInner * seqLen);
      for (let b = 0; b < batch; b++)
        for (let d = 0; d < dInner; d++)
          for (let t = 0; t < seqLen; t++) out[(b * dInner + d) * seqLen + t] = get(b, d, t);
      return out;
    };
    const slice = (offset: number) => sliceRows(rowsHost, batch, seqLen, dState, width, offset);
    const ref = selectiveScanRef({
      batch,
      dInner,
      seqLen,
      dState,
      u: uHost,
      delta: channelMajor((b, d, t) => deltaTokens[(b * seqLen + t) * dInner + d]!),
      A: aHost,
      B: slice(rows.bOffset),
      C: slice(rows.cOffset),
      z: channelMajor((b, d, t) => xzHost[(b * seqLen + t) * 2 * dInner + dInner + d]!),
      deltaSoftplus: true,
    });
    using u = Tensor.fromArray(ctx, uHost, [batch, dInner, seqLen], 'f32');
    using delta = Tensor.fromArray(ctx, deltaTokens, [batch, seqLen, dInner], 'f32');
    using A = Tensor.fromArray(ctx, aHost, [dInner, dState], 'f32');
    using bc = Tensor.fromArray(ctx, rowsHost, [batch, seqLen, width], 'f32');
    using xz = Tensor.fromArray(ctx, xzHost, [batch, seqLen, 2 * dInner], 'f32');
    const result = selectiveScanRows(ctx, {
      u,
      delta,
      A,
      z: xz,
      bc,
      ...rows,
      deltaSoftplus: true,
      tokenMajorY: true,
      deltaView: { offset: 0, batch: seqLen * dInner, channel: 1, time: dInner },
      zView: { offset: dInner, batch: seqLen * 2 * dInner, channel: 1, time: 2 * dInner },
    });
    expect(result.y.shape).toEqual([batch, seqLen, dInner]);
    const yTokens = await result.y.read();
    const y = channelMajor((b, d, t) => yTokens[(b * seqLen + t) * dInner + d]!);
    expectAllClose(y, ref.y, { rtol: 6e-4, atol: 2e-3, label: 'y (token-major)' });
    expectAllClose(await result.lastState.read(), ref.lastState, { rtol: 6e-4, atol: 2e-3, label: 'state' });
    result.y.dispose();
    result.lastState.dispose();
    // A view reaching past its tensor is refused.
    expect(() =>
      selectiveScanRows(ctx, {
        u,
        delta,
        A,
        bc,
        ...rows,
        deltaView: { offset: 1, batch: seqLen * dInner, channel: 1, time: dInner },
      }),
    ).toThrow(/the delta view reaches element/);
    await ctx.checkErrors();
  });

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
