// CPU reference of the embedding gather.

/** ids: (tokens); table: (vocab, dim) (packed tables passed already rounded). Returns (tokens, dim). */
export function embeddingRef(ids: Int32Array, table: Float32Array, dim: number): Float32Array {
  const vocab = dim === 0 ? 0 : table.length / dim;
  const out = new Float32Array(ids.length * dim);
  ids.forEach((id, t) => {
    for (let d = 0; d < dim; d++)
      out[t * dim + d] = id >= 0 && id < vocab ? table[id * dim + d]! : Number.NaN;
  });
  return out;
}
