// Seeded randomness of the task generators: one independent mulberry32 stream per (seed, row), so
// a sequence's content depends only on its seed and row number, never on how rows are batched
// or how a long sequence is read in chunks.

import { SeededInit } from '../training/model/init.js';

/** A 32-bit hash of (seed, row): the seed of that row's stream (murmur3's finaliser). */
export function rowSeed(seed: number, row: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ (row >>> 0);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform draws of one row: floats in [0, 1) and integers in [0, n). */
export class TaskRandom extends SeededInit {
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
