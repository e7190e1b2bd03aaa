import { describe, expect, it } from 'vitest';
import { BufferPool, sizeClass } from './buffer-pool.js';

/** A GPUDevice stand-in that hands out fake buffers and counts destroys. */
function fakeDevice() {
  const state = { created: 0, destroyed: 0 };
  const device = {
    createBuffer: ({ size, label }: { size: number; label?: string }) => {
      state.created++;
      return {
        size,
        label,
        destroy: () => {
          state.destroyed++;
        },
      };
    },
  } as unknown as GPUDevice;
  return { device, state };
}

describe('large buffers', () => {
  it('round to whole MiB and are reused, as a training step frees and re-allocates them', () => {
    expect(sizeClass(100 * 2 ** 20 + 1)).toBe(101 * 2 ** 20);
    const { device, state } = fakeDevice();
    const pool = new BufferPool(device);
    for (let step = 0; step < 5; step++) {
      const big = pool.acquire(201 * 2 ** 20 - 100, 'xz');
      pool.release(big);
    }
    expect(state.created).toBe(1);
  });
});

describe('sizeClass', () => {
  it('rounds up to 2^k * (1 + j/8), at least 256 bytes', () => {
    expect(sizeClass(1)).toBe(256);
    expect(sizeClass(256)).toBe(256);
    expect(sizeClass(257)).toBe(288);
    expect(sizeClass(1024)).toBe(1024);
    expect(sizeClass(1025)).toBe(1152);
    expect(sizeClass(3 * 2 ** 20 + 1)).toBe(3.25 * 2 ** 20);
    for (const b of [300, 5000, 70_001, 12_345_678]) {
      const c = sizeClass(b);
      expect(c).toBeGreaterThanOrEqual(b);
      expect(c / b).toBeLessThanOrEqual(1.125 + 1e-9);
      expect(sizeClass(c)).toBe(c);
    }
  });
});

describe('BufferPool', () => {
  it('reuses a released buffer of the same class and counts live/allocated buffers', () => {
    const { device, state } = fakeDevice();
    const pool = new BufferPool(device);
    const a = pool.acquire(1000, 'a');
    const b = pool.acquire(1000, 'b');
    expect(pool.stats()).toMatchObject({
      liveBuffers: 2,
      allocatedBuffers: 2,
      allocatedBytes: 2048,
      liveBytes: 2048,
    });
    pool.release(a);
    expect(pool.stats()).toMatchObject({ liveBuffers: 1, allocatedBuffers: 2, liveBytes: 1024 });
    const c = pool.acquire(1010, 'c'); // same class (1024)
    expect(c).toBe(a);
    expect(c.label).toBe('c');
    expect(state.created).toBe(2);
    const d = pool.acquire(2000, 'd'); // another class: a new buffer
    expect(d).not.toBe(b);
    expect(state.created).toBe(3);
    expect(pool.stats().peakAllocatedBytes).toBe(2048 + 2048);
  });

  it('trim destroys the free buffers; releases over the cache cap are destroyed after the next submit', () => {
    const { device, state } = fakeDevice();
    const pool = new BufferPool(device, 1024);
    const a = pool.acquire(1024, 'a');
    pool.release(a); // cached: 1024 free
    const b = pool.acquire(2048, 'b'); // a new class; the peak in use is now 2048
    pool.release(b); // 1024 + 2048 cached would exceed max(cap 1024, peak 2048): destroyed...
    expect(state.destroyed).toBe(0); // ...once submitted work no longer needs it
    pool.destroyReleased(); // what the context does right after a submit
    expect(state.destroyed).toBe(1);
    expect(pool.stats()).toMatchObject({ liveBuffers: 0, allocatedBuffers: 1 });
    pool.trim();
    expect(state.destroyed).toBe(2);
    expect(pool.stats()).toMatchObject({ allocatedBuffers: 0, allocatedBytes: 0 });
    pool.resetPeak();
    expect(pool.stats().peakAllocatedBytes).toBe(0);
  });

  it('refuses buffers it did not hand out', () => {
    const { device } = fakeDevice();
    const pool = new BufferPool(device);
    expect(() => pool.release({} as GPUBuffer)).toThrow(/not acquired from this pool/);
  });
});
