// Kernel parameter structs defined once in TypeScript: the same definition yields the WGSL
// struct text and packs the values, so no shader constant is ever copied by hand.
// Fields are 4-byte scalars (u32, i32, f32) laid out in order, as WGSL lays out such a struct.

export type ParamType = 'u32' | 'i32' | 'f32';

export interface ParamsLayout<K extends string> {
  /** The WGSL struct declaration, e.g. `struct Params { rows: u32, eps: f32, }`. */
  readonly wgsl: string;
  /** Struct size in bytes, padded to 16 (uniform buffer rules). */
  readonly byteSize: number;
  readonly fields: readonly (readonly [K, ParamType])[];
  /** Packs values into a new ArrayBuffer of `byteSize` bytes. */
  pack(values: Record<K, number>): ArrayBuffer;
}

/** Defines a parameter struct: `defineParams('Params', { rows: 'u32', eps: 'f32' })`. */
export function defineParams<K extends string>(
  structName: string,
  fields: Record<K, ParamType>,
): ParamsLayout<K> {
  const entries = Object.entries(fields) as [K, ParamType][];
  const byteSize = Math.max(16, Math.ceil((entries.length * 4) / 16) * 16);
  const wgsl = `struct ${structName} {\n${entries.map(([k, t]) => `  ${k}: ${t},`).join('\n')}\n}\n`;
  return {
    wgsl,
    byteSize,
    fields: entries,
    pack(values) {
      const buffer = new ArrayBuffer(byteSize);
      const view = new DataView(buffer);
      entries.forEach(([key, type], i) => {
        const value = values[key];
        if (typeof value !== 'number' || (Number.isNaN(value) && type !== 'f32')) {
          throw new TypeError(
            `packParams(${structName}): field ${key} must be a number, got ${String(value)}`,
          );
        }
        if (type === 'u32') view.setUint32(i * 4, value, true);
        else if (type === 'i32') view.setInt32(i * 4, value, true);
        else view.setFloat32(i * 4, value, true);
      });
      return buffer;
    },
  };
}
