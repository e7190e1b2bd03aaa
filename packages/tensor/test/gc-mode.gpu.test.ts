// Guards the `test:gc` pass: when MAMBA_TEST_GC=1 the workers run under --expose-gc (gc() after
// every test, see tooling/vitest/setup-gc.js); otherwise gc is not exposed.
import { expect, it } from 'vitest';

it('gc() is exposed exactly in the MAMBA_TEST_GC=1 pass', () => {
  const gc = (globalThis as { gc?: unknown }).gc;
  expect(typeof gc).toBe(process.env.MAMBA_TEST_GC === '1' ? 'function' : 'undefined');
});
