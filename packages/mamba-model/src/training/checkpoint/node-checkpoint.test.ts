// Tests of saveCheckpoint (host tensors, no GPU): the mamba-tiny fixture loads, saves and loads
// again with identical tensors and config (f32 byte for byte; bf16 equal to the bf16 fixture,
// which torch cast); canonical keys and tied embeddings; typed errors before writing; atomic
// writes that leave nothing partial when a write fails.

import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, ShapeError } from '@mamba-webgpu/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/loading/helpers.js';
import type { Checkpoint } from '../../loading/checkpoint.js';
import { openLocalCheckpoint } from '../../loading/node-folder-store.js';
import { decodeToFloat32 } from '../../loading/safetensors.js';
import type { SavableTensor } from './hf-checkpoint.js';
import {
  type AtomicWriteFs,
  CheckpointWriteError,
  saveCheckpoint,
  TEMP_MARKER,
  writeFilesAtomic,
} from './node-checkpoint.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mamba-save-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function withCheckpoint<T>(dir: string, body: (c: Checkpoint) => Promise<T>): Promise<T> {
  const checkpoint = await openLocalCheckpoint(dir);
  try {
    return await body(checkpoint);
  } finally {
    await checkpoint.close();
  }
}

/** Every tensor of a checkpoint by file name: raw bytes, and values as f32 host tensors. */
async function readCheckpoint(dir: string) {
  return withCheckpoint(dir, async (checkpoint) => {
    const bytes = new Map<string, Uint8Array>();
    const host = new Map<string, SavableTensor>();
    for await (const t of checkpoint.readTensors()) {
      bytes.set(t.name, t.bytes.slice());
      host.set(t.name, { data: decodeToFloat32(t), shape: t.shape });
    }
    return {
      config: checkpoint.config,
      bytes,
      host,
      dtypes: new Set(checkpoint.tensors.map((t) => t.dtype)),
    };
  });
}

const sameBytes = (a: Map<string, Uint8Array>, b: Map<string, Uint8Array>) =>
  a.size === b.size &&
  [...a].every(([name, x]) => b.has(name) && Buffer.from(x).equals(Buffer.from(b.get(name)!)));

describe('saveCheckpoint (HF format, Node)', () => {
  it('load, save, load again: identical tensors and config (f32), and no temporary files', async () => {
    const original = await readCheckpoint(fixturePath('mamba-tiny'));
    const dir = join(root, 'f32');
    const baseConfig = JSON.parse(await readFile(fixturePath('mamba-tiny/config.json'), 'utf8'));
    const written = await saveCheckpoint(dir, original.config, original.host, { baseConfig });
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual(['model.safetensors', 'config.json']);
    const again = await readCheckpoint(dir);
    expect(again.config).toEqual(original.config);
    expect(sameBytes(again.bytes, original.bytes)).toBe(true);
    const savedConfig = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(savedConfig).toEqual({ ...baseConfig, torch_dtype: 'float32' });
    const weights = await readFile(join(dir, 'model.safetensors'));
    expect(weights.equals(await readFile(fixturePath('mamba-tiny/model.safetensors')))).toBe(true);
    expect(await readdir(dir)).toEqual(['config.json', 'model.safetensors']);
  });

  it('saves bf16 as torch casts it (equal to the bf16 fixture), from canonical keys', async () => {
    const original = await readCheckpoint(fixturePath('mamba-tiny'));
    const byKey = await withCheckpoint(fixturePath('mamba-tiny'), async (c) => {
      const out = new Map<string, SavableTensor>();
      for (const t of c.tensors) out.set(t.key, original.host.get(t.name)!);
      return out;
    });
    const dir = join(root, 'bf16');
    await saveCheckpoint(dir, original.config, byKey, { dtype: 'bf16' });
    const saved = await readCheckpoint(dir);
    const fixture = await readCheckpoint(fixturePath('mamba-tiny-bf16'));
    expect(saved.dtypes).toEqual(new Set(['BF16']));
    expect(saved.config.dtype).toBe('bfloat16');
    expect(sameBytes(saved.bytes, fixture.bytes)).toBe(true);
  });

  it('stores a tied embedding once; accepts lm_head only as the embedding itself; squeezes size-1 dims', async () => {
    const original = await readCheckpoint(fixturePath('mamba-tiny'));
    const tensors = new Map(original.host);
    const embedding = tensors.get('backbone.embeddings.weight')!;
    tensors.set('lm_head.weight', embedding);
    const conv = tensors.get('backbone.layers.0.mixer.conv1d.weight') as { data: Float32Array };
    tensors.set('backbone.layers.0.mixer.conv1d.weight', { data: conv.data, shape: [128, 4] });
    const dir = join(root, 'tied');
    await saveCheckpoint(dir, original.config, tensors);
    const saved = await readCheckpoint(dir);
    expect(saved.bytes.has('lm_head.weight')).toBe(false);
    expect(sameBytes(saved.bytes, original.bytes)).toBe(true);
    tensors.set('lm_head.weight', { ...(embedding as object) } as SavableTensor);
    await expect(saveCheckpoint(join(root, 'x'), original.config, tensors)).rejects.toThrow(
      /^saveCheckpoint: the config ties embeddings, so lm_head.weight must be the embedding tensor itself/,
    );
  });

  it('refuses bad tensors with typed errors before writing anything', async () => {
    const original = await readCheckpoint(fixturePath('mamba-tiny'));
    const dir = join(root, 'refused');
    const save = (tensors: Map<string, SavableTensor>, options = {}) =>
      saveCheckpoint(dir, original.config, tensors, options);
    const missing = new Map(original.host);
    missing.delete('backbone.layers.1.mixer.A_log');
    await expect(save(missing)).rejects.toThrow(InvalidArgumentError);
    await expect(save(missing)).rejects.toThrow(
      /^saveCheckpoint: tensors must hold backbone.layers.1.mixer.A_log \(dInner, dState\), it is missing/,
    );
    await expect(
      save(new Map(original.host).set('backbone.extra', { data: new Float32Array(1), shape: [1] })),
    ).rejects.toThrow(/^saveCheckpoint: tensor backbone.extra is not part of a Mamba checkpoint/);
    const wrong = new Map(original.host).set('backbone.norm_f.weight', {
      data: new Float32Array(63),
      shape: [63],
    });
    await expect(save(wrong)).rejects.toThrow(ShapeError);
    await expect(save(wrong)).rejects.toThrow(
      /^saveCheckpoint: backbone.norm_f.weight must be \(dModel\) = \(64\), got \(63\)/,
    );
    await expect(save(original.host, { dtype: 'f64' })).rejects.toThrow(
      /^saveCheckpoint: dtype must be f32, f16 or bf16/,
    );
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it('a failing write leaves no partial files, and an existing checkpoint untouched', async () => {
    const original = await readCheckpoint(fixturePath('mamba-tiny'));
    const failing = (afterWrites: number): AtomicWriteFs => {
      let writes = 0;
      return {
        open: (async (...args: Parameters<typeof open>) => {
          const handle = await open(...args);
          const write = handle.write.bind(handle) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
          (handle as { write: unknown }).write = async (...a: unknown[]) => {
            if (++writes > afterWrites)
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            return write(...a);
          };
          return handle;
        }) as typeof open,
        rename,
        rm,
        mkdir,
      };
    };
    const fresh = join(root, 'fresh');
    for (const afterWrites of [0, 3, original.host.size + 1]) {
      const error = await saveCheckpoint(fresh, original.config, original.host, {
        fs: failing(afterWrites),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CheckpointWriteError);
      expect((error as Error).message).toMatch(
        /^writeFilesAtomic: writing .*(model.safetensors|config.json) failed: ENOSPC/,
      );
      expect(await readdir(fresh)).toEqual([]);
    }
    const existing = join(root, 'existing');
    await saveCheckpoint(existing, original.config, original.host);
    await writeFile(join(existing, 'config.json'), '{"old": true}');
    await expect(
      saveCheckpoint(existing, original.config, original.host, { fs: failing(5) }),
    ).rejects.toThrow(CheckpointWriteError);
    expect(await readdir(existing)).toEqual(['config.json', 'model.safetensors']);
    expect(await readFile(join(existing, 'config.json'), 'utf8')).toBe('{"old": true}');
  });

  it('a failing producer (a tensor read) removes the temporary files and rethrows its typed error', async () => {
    const dir = join(root, 'producer');
    let produced = false;
    const files = [
      {
        name: 'a.bin',
        chunks: async function* () {
          yield new Uint8Array([1, 2, 3]);
        },
      },
      {
        name: 'b.bin',
        chunks: async function* () {
          produced = true;
          yield new Uint8Array([4]);
          throw new ShapeError('read: boom');
        },
      },
    ];
    await expect(writeFilesAtomic(dir, files)).rejects.toThrow(ShapeError);
    expect(produced).toBe(true);
    expect((await readdir(dir)).filter((n) => n.includes(TEMP_MARKER))).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});
