// Tests of openCheckpoint: the three fixtures (HF f32, HF bf16, original naming) open with every
// tensor present and shaped per the weight spec; sharded checkpoints read the same tensors; vocab
// padding; missing tensors, wrong shapes and broken indexes give typed errors naming tensor + file.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSafetensors,
  fixtureBytes,
  fixturePath,
  type TensorToWrite,
} from '../../test/loading/helpers.js';
import { bytesSource } from './byte-source.js';
import { type Checkpoint, openCheckpoint } from './checkpoint.js';
import { parseMambaConfig } from './config.js';
import { ConfigError, SafetensorsError } from './errors.js';
import { folderStore, openLocalCheckpoint } from './node-folder-store.js';
import { readAllTensors } from './safetensors.js';
import { memoryStore } from './store.js';
import { weightSpec } from './weight-spec.js';

async function withCheckpoint<T>(open: Promise<Checkpoint>, body: (c: Checkpoint) => Promise<T>): Promise<T> {
  const checkpoint = await open;
  try {
    return await body(checkpoint);
  } finally {
    await checkpoint.close();
  }
}

async function allBytes(checkpoint: Checkpoint): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const tensor of checkpoint.readTensors()) out.set(tensor.key, tensor.bytes.slice());
  return out;
}

/** The fixture's tensors, to rewrite in other layouts. */
async function fixtureTensors(folder: string): Promise<TensorToWrite[]> {
  const tensors = await readAllTensors(bytesSource(fixtureBytes(`${folder}/model.safetensors`)));
  return [...tensors.values()].map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    data: t.bytes.slice(),
  }));
}

const configText = (folder: string) => new TextDecoder().decode(fixtureBytes(`${folder}/config.json`));

describe('openCheckpoint on the fixtures', () => {
  it.each(['mamba-tiny', 'mamba-tiny-bf16', 'mamba-tiny-orig'])(
    '%s: every expected tensor, right shape',
    async (folder) => {
      await withCheckpoint(openLocalCheckpoint(fixturePath(folder)), async (checkpoint) => {
        const { config } = checkpoint;
        const spec = weightSpec(config).filter((s) => s.role !== 'lmHead');
        expect(checkpoint.tensors.map((t) => t.key)).toEqual(spec.map((s) => s.key));
        for (const s of spec) expect(checkpoint.tensor(s.key).shape, s.key).toEqual(s.shape);
        expect(checkpoint.tensor('layers.1.conv1dWeight').shape).toEqual([128, 1, 4]);
        expect(checkpoint.tensor('layers.0.xProj').shape).toEqual([4 + 2 * 16, 128]);
        expect(checkpoint.has('lmHead')).toBe(false); // tied: the embedding is the LM head
        expect(checkpoint.has('layers.0.inProjBias')).toBe(false);
        expect(checkpoint.naming).toBe(folder === 'mamba-tiny-orig' ? 'original' : 'hf');
        expect(checkpoint.unusedTensors).toEqual(folder === 'mamba-tiny-orig' ? ['lm_head.weight'] : []);
        expect(checkpoint.tensor('embedding').dtype).toBe(folder === 'mamba-tiny-bf16' ? 'BF16' : 'F32');
        expect(await checkpoint.readTokenizerJson()).toBeUndefined();
      });
    },
  );

  it('reads tensors one at a time in file order with progress, same bytes for both namings', async () => {
    const hf = await withCheckpoint(openLocalCheckpoint(fixturePath('mamba-tiny')), async (checkpoint) => {
      const progress: number[] = [];
      const keys: string[] = [];
      for await (const tensor of checkpoint.readTensors({
        onProgress: (p) => progress.push(p.loadedBytes),
      })) {
        keys.push(tensor.key);
        expect(tensor.bytes.byteLength).toBe(checkpoint.tensor(tensor.key).byteLength);
      }
      expect(keys.length).toBe(checkpoint.tensors.length);
      expect(progress.at(-1)).toBe(checkpoint.totalBytes);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      return allBytes(checkpoint);
    });
    const original = await withCheckpoint(openLocalCheckpoint(fixturePath('mamba-tiny-orig')), allBytes);
    expect([...original.keys()].sort()).toEqual([...hf.keys()].sort());
    for (const [key, bytes] of hf)
      expect(Buffer.from(original.get(key)!).equals(Buffer.from(bytes)), key).toBe(true);
  });

  it('uses an explicit lm_head when embeddings are untied', async () => {
    const config = { ...parseMambaConfig(configText('mamba-tiny-orig')), tieEmbeddings: false };
    await withCheckpoint(
      openLocalCheckpoint(fixturePath('mamba-tiny-orig'), { config }),
      async (checkpoint) => {
        expect(checkpoint.tensor('lmHead')).toMatchObject({ name: 'lm_head.weight', shape: [512, 64] });
        expect(checkpoint.unusedTensors).toEqual([]);
      },
    );
    await expect(
      openLocalCheckpoint(fixturePath('mamba-tiny'), {
        config: { ...parseMambaConfig(configText('mamba-tiny')), tieEmbeddings: false },
      }),
    ).rejects.toMatchObject({
      reason: 'missing-tensor',
      tensor: 'lm_head.weight',
    });
  });

  it('opens from in-memory files and Blobs (browser file picker)', async () => {
    const store = memoryStore({
      'config.json': fixtureBytes('mamba-tiny-bf16/config.json'),
      'model.safetensors': new Blob([fixtureBytes('mamba-tiny-bf16/model.safetensors')]),
      'tokenizer.json': new TextEncoder().encode('{"model":{}}'),
    });
    await withCheckpoint(openCheckpoint(store), async (checkpoint) => {
      expect(checkpoint.tensor('layers.0.aLog').dtype).toBe('BF16');
      expect((await checkpoint.readTensor('layers.0.aLog')).bytes.byteLength).toBe(128 * 16 * 2);
      expect(await checkpoint.readTokenizerJson()).toBe('{"model":{}}');
    });
  });
});

describe('sharded checkpoints', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamba-sharded-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeSharded(
    folder: string,
    target: string,
    mutateIndex?: (map: Record<string, string>) => void,
  ) {
    const tensors = await fixtureTensors(folder);
    const half = Math.ceil(tensors.length / 2);
    const shards = [tensors.slice(half), tensors.slice(0, half)]; // reversed: order must not matter
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      await writeFile(join(target, file), buildSafetensors(shard, { format: 'pt' }));
      for (const t of shard) weightMap[t.name] = file;
    }
    mutateIndex?.(weightMap);
    await writeFile(
      join(target, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 1 }, weight_map: weightMap }),
    );
    await writeFile(join(target, 'config.json'), configText(folder));
  }

  it('a 2-shard copy of the fixture loads the same tensors', async () => {
    for (const folder of ['mamba-tiny', 'mamba-tiny-orig']) {
      const target = join(dir, folder);
      await (await import('node:fs/promises')).mkdir(target);
      await writeSharded(folder, target);
      const sharded = await withCheckpoint(openLocalCheckpoint(target), async (checkpoint) => {
        expect(checkpoint.weightFiles.length).toBe(2);
        return allBytes(checkpoint);
      });
      const single = await withCheckpoint(openLocalCheckpoint(fixturePath(folder)), allBytes);
      expect([...sharded.keys()].sort()).toEqual([...single.keys()].sort());
      for (const [key, bytes] of single)
        expect(Buffer.from(sharded.get(key)!).equals(Buffer.from(bytes)), key).toBe(true);
    }
  });

  it('an index that disagrees with its shards, or names a missing shard, is a typed error', async () => {
    const wrong = join(dir, 'wrong');
    await (await import('node:fs/promises')).mkdir(wrong);
    await writeSharded('mamba-tiny', wrong, (map) => {
      map['backbone.norm_f.weight'] =
        map['backbone.norm_f.weight'] === 'model-00001-of-00002.safetensors'
          ? 'model-00002-of-00002.safetensors'
          : 'model-00001-of-00002.safetensors';
    });
    await expect(openLocalCheckpoint(wrong)).rejects.toMatchObject({
      reason: 'bad-index',
      tensor: 'backbone.norm_f.weight',
      file: join(wrong, 'model.safetensors.index.json'),
    });
    const missing = join(dir, 'missing');
    await (await import('node:fs/promises')).mkdir(missing);
    await writeSharded('mamba-tiny', missing, (map) => {
      map['backbone.norm_f.weight'] = 'model-00003-of-00003.safetensors';
    });
    await expect(openLocalCheckpoint(missing)).rejects.toMatchObject({
      reason: 'missing-file',
      file: join(missing, 'model-00003-of-00003.safetensors'),
    });
    const traversal = join(dir, 'traversal');
    await (await import('node:fs/promises')).mkdir(traversal);
    await writeSharded('mamba-tiny', traversal, (map) => {
      map['backbone.norm_f.weight'] = '../../etc/passwd';
    });
    await expect(openLocalCheckpoint(traversal)).rejects.toMatchObject({
      reason: 'bad-index',
      tensor: 'backbone.norm_f.weight',
    });
  });
});

describe('openCheckpoint rejects weights that do not match the config', () => {
  async function openWith(tensors: TensorToWrite[], config: unknown = JSON.parse(configText('mamba-tiny'))) {
    const store = memoryStore(
      {
        'config.json': new TextEncoder().encode(JSON.stringify(config)),
        'model.safetensors': buildSafetensors(tensors),
      },
      'ckpt',
    );
    return openCheckpoint(store);
  }

  it('missing tensor', async () => {
    const tensors = (await fixtureTensors('mamba-tiny')).filter(
      (t) => t.name !== 'backbone.layers.1.mixer.dt_proj.bias',
    );
    const error = await openWith(tensors).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetensorsError);
    expect(error).toMatchObject({
      reason: 'missing-tensor',
      tensor: 'backbone.layers.1.mixer.dt_proj.bias',
      file: 'ckpt/model.safetensors',
    });
    expect((error as Error).message).toMatch(
      /^openCheckpoint: ckpt\/model\.safetensors must hold tensor backbone\.layers\.1\.mixer\.dt_proj\.bias \(dInner\) = \(128\)/,
    );
  });

  it('wrong shape', async () => {
    const tensors = await fixtureTensors('mamba-tiny');
    const xProj = tensors.find((t) => t.name === 'backbone.layers.0.mixer.x_proj.weight')!;
    xProj.shape = [128, 36];
    const error = await openWith(tensors).catch((e: unknown) => e);
    expect(error).toMatchObject({
      reason: 'wrong-shape',
      tensor: 'backbone.layers.0.mixer.x_proj.weight',
      file: 'ckpt/model.safetensors',
    });
    expect((error as Error).message).toContain('must be (dtRank + 2*dState, dInner) = (36, 128)');
    expect((error as Error).message).toContain('got (128, 36)');
  });

  it('a config that does not belong to the weights', async () => {
    const config = { ...JSON.parse(configText('mamba-tiny')), state_size: 8 };
    await expect(openWith(await fixtureTensors('mamba-tiny'), config)).rejects.toMatchObject({
      reason: 'wrong-shape',
      tensor: 'backbone.layers.0.mixer.x_proj.weight',
    });
  });

  it('more layers in the config than in the file: one typed error before the weight spec is built', async () => {
    const tensors = await fixtureTensors('mamba-tiny');
    for (const layers of [3, 1_000_000]) {
      const config = { ...JSON.parse(configText('mamba-tiny')), num_hidden_layers: layers };
      const error = await openWith(tensors, config).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SafetensorsError);
      expect(error).toMatchObject({ reason: 'missing-tensor', tensor: 'backbone.layers.2.norm.weight' });
      expect((error as Error).message).toContain(
        `the config declares ${layers} layers but ckpt/model.safetensors holds 2`,
      );
    }
  });

  it('an unsupported weight dtype', async () => {
    const tensors = await fixtureTensors('mamba-tiny');
    const d = tensors.find((t) => t.name === 'backbone.layers.0.mixer.D')!;
    d.dtype = 'I32';
    await expect(openWith(tensors)).rejects.toMatchObject({
      reason: 'unsupported-dtype',
      tensor: 'backbone.layers.0.mixer.D',
    });
  });

  it('an unknown naming', async () => {
    const tensors = (await fixtureTensors('mamba-tiny')).map((t) => ({ ...t, name: `model.${t.name}` }));
    await expect(openWith(tensors)).rejects.toMatchObject({
      reason: 'unknown-naming',
      file: 'ckpt/model.safetensors',
    });
  });

  it('missing config or weights', async () => {
    await expect(openCheckpoint(memoryStore({}, 'empty'))).rejects.toBeInstanceOf(ConfigError);
    await expect(
      openCheckpoint(memoryStore({ 'config.json': fixtureBytes('mamba-tiny/config.json') }, 'empty')),
    ).rejects.toMatchObject({ reason: 'missing-file' });
    await expect(openCheckpoint(folderStore(join(tmpdir(), 'does-not-exist-mamba')))).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});

describe('vocab padding', () => {
  /** The tiny fixture's tensors with the vocab cut to `rows` rows (and optionally an untied head). */
  async function withVocabRows(rows: number, lmHead = false): Promise<TensorToWrite[]> {
    const tensors = await fixtureTensors('mamba-tiny');
    const embedding = tensors.find((t) => t.name === 'backbone.embeddings.weight')!;
    embedding.shape = [rows, 64];
    embedding.data = embedding.data.slice(0, rows * 64 * 4);
    if (lmHead) tensors.push({ ...embedding, name: 'lm_head.weight' });
    return tensors;
  }
  const open = (tensors: TensorToWrite[], config: unknown) =>
    openCheckpoint(
      memoryStore(
        {
          'config.json': new TextEncoder().encode(JSON.stringify(config)),
          'model.safetensors': buildSafetensors(tensors),
        },
        'v',
      ),
    );
  const hfConfig = (vocab: number, extra: object = {}) => ({
    ...JSON.parse(configText('mamba-tiny')),
    vocab_size: vocab,
    ...extra,
  });

  it('accepts embedding rows padded past the config vocab (50280 rows for 50277-style configs)', async () => {
    await withCheckpoint(open(await withVocabRows(512), hfConfig(509)), async (checkpoint) => {
      expect(checkpoint.config.vocabSize).toBe(512);
      expect(checkpoint.config.vocabSizeUnpadded).toBe(509);
    });
    const original = { d_model: 64, n_layer: 2, vocab_size: 509, pad_vocab_size_multiple: 8 };
    const tensors = (await withVocabRows(512, true)).map((t) => ({
      ...t,
      name: t.name.replace('embeddings', 'embedding'),
    }));
    await withCheckpoint(open(tensors, original), async (checkpoint) => {
      expect(checkpoint.config.vocabSize).toBe(512);
      expect(checkpoint.naming).toBe('original');
    });
  });

  it('accepts an unpadded embedding under a padding config', async () => {
    await withCheckpoint(
      open(await withVocabRows(509), hfConfig(509, { pad_vocab_size_multiple: 8 })),
      async (checkpoint) => {
        expect(checkpoint.config.vocabSize).toBe(509);
      },
    );
  });

  it('rejects fewer rows than the vocab, and an LM head whose rows differ from the embedding', async () => {
    await expect(open(await withVocabRows(500), hfConfig(509))).rejects.toMatchObject({
      reason: 'wrong-shape',
      tensor: 'backbone.embeddings.weight',
    });
    const tensors = await withVocabRows(512, true);
    const head = tensors.find((t) => t.name === 'lm_head.weight')!;
    head.shape = [510, 64];
    head.data = head.data.slice(0, 510 * 64 * 4);
    await expect(open(tensors, hfConfig(509, { tie_word_embeddings: false }))).rejects.toMatchObject({
      reason: 'wrong-shape',
      tensor: 'lm_head.weight',
    });
  });

  it('lists in_proj and out_proj biases when use_bias is set', async () => {
    const config = parseMambaConfig(hfConfig(512, { use_bias: true }));
    const keys = weightSpec(config).map((s) => s.key);
    expect(keys).toContain('layers.0.inProjBias');
    expect(keys).toContain('layers.1.outProjBias');
    await expect(
      open(await fixtureTensors('mamba-tiny'), hfConfig(512, { use_bias: true })),
    ).rejects.toMatchObject({
      reason: 'missing-tensor',
      tensor: 'backbone.layers.0.mixer.in_proj.bias',
    });
  });
});

describe('fuzzing openCheckpoint', () => {
  it('random corruption of the weights file gives only typed errors', async () => {
    const fc = (await import('fast-check')).default;
    const { MambaModelError } = await import('./errors.js');
    const valid = fixtureBytes('mamba-tiny/model.safetensors');
    const headerEnd = 8 + 2208;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ index: fc.nat(headerEnd + 64), value: fc.nat(255) }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.option(fc.nat(valid.byteLength), { nil: undefined }),
        async (mutations, cut) => {
          const bytes = valid.slice(0, cut ?? valid.byteLength);
          for (const { index, value } of mutations) if (index < bytes.byteLength) bytes[index] = value;
          const store = memoryStore({
            'config.json': fixtureBytes('mamba-tiny/config.json'),
            'model.safetensors': bytes,
          });
          try {
            const checkpoint = await openCheckpoint(store, { onWarning: () => {} });
            for await (const _tensor of checkpoint.readTensors()) {
              // read everything
            }
          } catch (error) {
            if (!(error instanceof MambaModelError)) throw error;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
