// Run by the install test in a fresh npm project: imports the packages from their tarballs and
// generates greedily on the mamba-tiny fixture through loadModel, as an npm user would; exits 1
// (naming what differs) unless the ids equal Hugging Face's. Args: <model folder> <tokenizer.json>.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesSource, decodeToInt32, readAllTensors } from '@mamba-webgpu/mamba-model';
import { loadModel } from '@mamba-webgpu/mamba-model/node';
import { selectiveScanRef } from '@mamba-webgpu/scan-kernels';
import { getGpuContext } from '@mamba-webgpu/tensor';
import { fromFile } from '@mamba-webgpu/tokenizer/node';

const [modelDir, tokenizerPath] = process.argv.slice(2);
if (!modelDir || !tokenizerPath) throw new Error('usage: node generate.mjs <model folder> <tokenizer.json>');

const ctx = await getGpuContext(); // throws NoAdapterError (with the remedy) when there is no adapter
console.log(`adapter: ${ctx.describe()}`);

const expected = await readAllTensors(
  bytesSource(new Uint8Array(await readFile(join(modelDir, 'expected.safetensors'))), 'expected.safetensors'),
);
const promptIds = Array.from(decodeToInt32(expected.get('prompt_ids')));
const want = Array.from(decodeToInt32(expected.get('greedy_ids'))).slice(promptIds.length);

const model = await loadModel(modelDir, { ctx, progress: false });
const [ids] = await model.generate([promptIds], { maxTokens: want.length, eos: false });
model.dispose();

const tokenizer = await fromFile(tokenizerPath);
const helloIds = tokenizer.encode('Hello world');

const result = { ids, want, helloIds, scanRef: typeof selectiveScanRef };
console.log(`result: ${JSON.stringify(result)}`);
if (JSON.stringify(ids) !== JSON.stringify(want)) {
  console.error(
    `generate.mjs: greedy ids ${JSON.stringify(ids)} differ from Hugging Face's ${JSON.stringify(want)}`,
  );
  process.exit(1);
}
process.exit(0); // Dawn's instance would keep the process alive
