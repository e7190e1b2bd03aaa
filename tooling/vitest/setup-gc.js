// Runs gc() after every test when the process was started with --expose-gc: GPU objects whose
// owner was dropped too early (Dawn's instance above all) then fail loudly in the test that did it.
import { afterEach } from 'vitest';

afterEach(() => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
});
