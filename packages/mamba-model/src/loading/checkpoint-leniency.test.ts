// What the loader tolerates, as transformers does, and says so: tensors the config does not use
// (conv biases under use_conv_bias: false) are ignored with a warning naming them and the key;
// torch_dtype float64 (and torch's aliases) is accepted and F64 weights are rounded to f32 with a
// warning; undeclared vocab padding is accepted with a warning, and embedding rows far past the
// vocab are a typed error, not padding.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildSafetensors, fixtureBytes, type TensorToWrite } from '../../test/loading/helpers.js';
import { bytesSource } from './byte-source.js';
import { type CheckpointWarning, MAX_VOCAB_PADDING_ROWS, openCheckpoint } from './checkpoint.js';
import { parseMambaConfig } from './config.js';
import { ConfigError, SafetensorsError } from './errors.js';
import { decodeToFloat32, readAllTensors } from './safetensors.js';
import { memoryStore } from './store.js';

async function fixtureTensors(): Promise<TensorToWrite[]> {
  const tensors = await readAllTensors(bytesSource(fixtureBytes('mamba-tiny/model.safetensors')));
  return [...tensors.values()].map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    data: t.bytes.slice(),
  }));
}

const baseConfig = () =>
  JSON.parse(new TextDecoder().decode(fixtureBytes('mamba-tiny/config.json'))) as Record<string, unknown>;

/** Opens config + tensors from memory, collecting the warnings. */
async function open(tensors: TensorToWrite[], config: object) {
  const warnings: CheckpointWarning[] = [];
  const store = memoryStore(
    {
      'config.json': new TextEncoder().encode(JSON.stringify(config)),
      'model.safetensors': buildSafetensors(tensors),
    },
    'ckpt',
  );
  const checkpoint = await openCheckpoint(store, { onWarning: (w) => warnings.push(w) });
  return { checkpoint, warnings };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('unused tensors', () => {
  it('use_conv_bias: false with conv biases in the file: ignored, with a warning naming them', async () => {
    const { checkpoint, warnings } = await open(await fixtureTensors(), {
      ...baseConfig(),
      use_conv_bias: false,
    });
    expect(checkpoint.config.convBias).toBe(false);
    expect(checkpoint.tensors.some((t) => t.role === 'conv1dBias')).toBe(false);
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning!.kind).toBe('unused-tensors');
    expect(warning!.tensors).toEqual([
      'backbone.layers.0.mixer.conv1d.bias',
      'backbone.layers.1.mixer.conv1d.bias',
    ]);
    expect(warning!.message).toMatch(
      /^openCheckpoint: ckpt\/model\.safetensors holds 2 tensor\(s\) the config does not use, ignored/,
    );
    expect(warning!.message).toContain('use_conv_bias is false in the config');
    expect(checkpoint.warnings).toEqual(warnings);
  });

  it('the original format names ssm_cfg.conv_bias; an unknown tensor is listed too', async () => {
    const tensors = (await fixtureTensors()).map((t) => ({
      ...t,
      name: t.name.replace('embeddings', 'embedding'),
    }));
    tensors.push({ name: 'extra.scale', dtype: 'F32', shape: [1], data: new Uint8Array(4) });
    const config = { d_model: 64, n_layer: 2, vocab_size: 512, ssm_cfg: { conv_bias: false } };
    const { warnings } = await open(tensors, config);
    expect(warnings[0]!.tensors).toContain('extra.scale');
    expect(warnings[0]!.message).toContain('ssm_cfg.conv_bias is false');
  });

  it('a stored head of a tied checkpoint is not warned about; the default warns on the console', async () => {
    const tensors = await fixtureTensors();
    const embedding = tensors.find((t) => t.name === 'backbone.embeddings.weight')!;
    expect(
      (await open([...tensors, { ...embedding, name: 'lm_head.weight' }], baseConfig())).warnings,
    ).toEqual([]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = memoryStore({
      'config.json': new TextEncoder().encode(JSON.stringify({ ...baseConfig(), use_conv_bias: false })),
      'model.safetensors': buildSafetensors(tensors),
    });
    await (await openCheckpoint(store)).close();
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]![0])).toMatch(/^openCheckpoint: .*conv1d\.bias/);
  });

  it('a bad onWarning is an InvalidArgumentError', async () => {
    await expect(openCheckpoint(memoryStore({}), { onWarning: 'log' as never })).rejects.toThrow(
      /openCheckpoint: onWarning must be a function/,
    );
  });
});

describe('float64', () => {
  it('torch_dtype float64 and torch aliases are accepted; other dtypes are not', () => {
    for (const [value, dtype] of [
      ['float64', 'float64'],
      ['torch.float64', 'float64'],
      ['double', 'float64'],
      ['float', 'float32'],
      ['half', 'float16'],
      ['bfloat16', 'bfloat16'],
    ]) {
      expect(parseMambaConfig({ ...baseConfig(), dtype: undefined, torch_dtype: value }).dtype, value).toBe(
        dtype,
      );
    }
    expect(() => parseMambaConfig({ ...baseConfig(), dtype: undefined, torch_dtype: 'int8' })).toThrow(
      ConfigError,
    );
    expect(() => parseMambaConfig({ ...baseConfig(), dtype: 'float128' })).toThrow(/"float64"/);
  });

  it('F64 weights load rounded to f32, with a warning', async () => {
    const f32 = await fixtureTensors();
    const f64 = f32.map((t) => {
      const values = decodeToFloat32({ ...t, file: 'x', dtype: 'F32', bytes: t.data });
      return { ...t, dtype: 'F64', data: new Uint8Array(Float64Array.from(values).buffer) };
    });
    const { checkpoint, warnings } = await open(f64, {
      ...baseConfig(),
      dtype: undefined,
      torch_dtype: 'float64',
    });
    expect(checkpoint.config.dtype).toBe('float64');
    expect(warnings.map((w) => w.kind)).toEqual(['f64-weights']);
    expect(warnings[0]!.tensors).toHaveLength(f64.length);
    for await (const tensor of checkpoint.readTensors()) {
      const original = f32.find((t) => t.name === tensor.name)!;
      expect(tensor.dtype).toBe('F64');
      expect(decodeToFloat32(tensor)).toEqual(
        decodeToFloat32({ ...original, file: 'x', dtype: 'F32', bytes: original.data }),
      );
    }
  });
});

describe('vocab rows past the config vocab', () => {
  async function withRows(rows: number): Promise<TensorToWrite[]> {
    const tensors = await fixtureTensors();
    const embedding = tensors.find((t) => t.name === 'backbone.embeddings.weight')!;
    embedding.shape = [rows, 64];
    embedding.data = embedding.data.slice(0, rows * 64 * 4);
    return tensors;
  }

  it('undeclared padding (3 rows, 127 rows) is accepted with a warning', async () => {
    for (const vocab of [509, 512 - (MAX_VOCAB_PADDING_ROWS - 1)]) {
      const { checkpoint, warnings } = await open(await withRows(512), {
        ...baseConfig(),
        vocab_size: vocab,
      });
      expect(checkpoint.config.vocabSize).toBe(512);
      expect(warnings.map((w) => w.kind)).toEqual(['vocab-padding']);
      expect(warnings[0]!.message).toContain(`has 512 rows for a vocab of ${vocab}`);
    }
  });

  it('declared padding is silent', async () => {
    const config = { ...baseConfig(), vocab_size: 509, pad_vocab_size_multiple: 8 };
    expect((await open(await withRows(512), config)).warnings).toEqual([]);
  });

  it('a vocab far smaller than the embedding rows is a wrong-shape error, not padding', async () => {
    for (const vocab of [512 - MAX_VOCAB_PADDING_ROWS, 100]) {
      const error = await open(await withRows(512), { ...baseConfig(), vocab_size: vocab }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SafetensorsError);
      expect(error).toMatchObject({ reason: 'wrong-shape', tensor: 'backbone.embeddings.weight' });
      expect((error as Error).message).toContain(
        `has 512 rows, ${512 - vocab} more than the vocab size ${vocab}`,
      );
      expect((error as Error).message).toContain('that is not padding');
    }
  });
});
