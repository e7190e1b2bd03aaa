// A tiny page built by the install test with vite against the installed tarballs: it imports the
// browser entries only (no /node), so a bundle that pulls Node built-ins fails the build check.
import { loadModelFromStore, urlStore } from '@mamba-webgpu/mamba-model';
import { getGpuContext } from '@mamba-webgpu/tensor';
import { Tokenizer } from '@mamba-webgpu/tokenizer';

async function main(out: HTMLElement): Promise<void> {
  const ctx = await getGpuContext();
  const model = await loadModelFromStore(urlStore('./models/mamba-tiny/'), { ctx });
  const [ids] = await model.generate([[1, 2, 3]], { maxTokens: 8, eos: false });
  out.textContent = `${ctx.describe()}: ${JSON.stringify(ids)} (Tokenizer: ${typeof Tokenizer})`;
  model.dispose();
}

const out = document.getElementById('out')!;
main(out).catch((error: unknown) => {
  out.textContent = String(error);
});
