// The playground page: finds the WebGPU adapter, loads a model from a URL (through the browser's
// model cache, src/cache-panel.ts) or picked files with a progress bar, streams generated tokens
// with tokens/s, and runs the scan benchmark; the Train
// page (`#train`, src/train/) trains a model on the paper's synthetic tasks. A caught error shows
// beside the button that caused it, without the library's internal prefixes (the full text in its
// tooltip and the console); uncaught errors and a lost device go to the panel at the top.

import {
  type CheckpointStore,
  type GenerateOptions,
  loadModelFromStore,
  type MambaModel,
  ModelCacheError,
  urlStore,
} from '@mamba-webgpu/mamba-model';
import { type GpuContext, getGpuContext } from '@mamba-webgpu/tensor';
import { mountCachePanel } from './cache-panel.js';
import { errorDisplay } from './error-display.js';
import { describeError, displayMessage, formatBytes, isAbort } from './format.js';
import { progressText, stoppedText, tokenTiming, tokens, waitingText } from './generation-stats.js';
import { storeFromFiles } from './model-files.js';
import { parsePromptIds } from './prompt-ids.js';
import { runScanBench } from './scan-bench.js';
import { mountTrainPage } from './train/train-page.js';
import { TrainSession } from './train/train-session.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`playground: the page has no #${id}`);
  return found as T;
}

const ui = {
  adapter: element<HTMLParagraphElement>('adapter'),
  errors: element<HTMLElement>('errors'),
  errorList: element<HTMLUListElement>('error-list'),
  clearErrors: element<HTMLButtonElement>('clear-errors'),
  urlForm: element<HTMLFormElement>('url-form'),
  modelUrl: element<HTMLInputElement>('model-url'),
  loadUrl: element<HTMLButtonElement>('load-url'),
  useCache: element<HTMLInputElement>('use-cache'),
  modelFiles: element<HTMLInputElement>('model-files'),
  pickFolder: element<HTMLInputElement>('pick-folder'),
  loadProgress: element<HTMLProgressElement>('load-progress'),
  loadStatus: element<HTMLParagraphElement>('load-status'),
  loadError: element<HTMLParagraphElement>('load-error'),
  prompt: element<HTMLTextAreaElement>('prompt'),
  temperature: element<HTMLInputElement>('temperature'),
  topK: element<HTMLInputElement>('top-k'),
  topP: element<HTMLInputElement>('top-p'),
  maxTokens: element<HTMLInputElement>('max-tokens'),
  seed: element<HTMLInputElement>('seed'),
  stopAtEos: element<HTMLInputElement>('stop-at-eos'),
  generate: element<HTMLButtonElement>('generate'),
  stop: element<HTMLButtonElement>('stop'),
  genStats: element<HTMLSpanElement>('gen-stats'),
  genError: element<HTMLParagraphElement>('gen-error'),
  output: element<HTMLPreElement>('output'),
  runBench: element<HTMLButtonElement>('run-bench'),
  benchStatus: element<HTMLSpanElement>('bench-status'),
  benchError: element<HTMLParagraphElement>('bench-error'),
  benchTable: element<HTMLTableElement>('bench-table'),
};

const cachePanel = mountCachePanel({
  status: element('cache-status'),
  table: element<HTMLTableElement>('cache-table'),
  refresh: element<HTMLButtonElement>('cache-refresh'),
  clearAll: element<HTMLButtonElement>('cache-clear-all'),
  error: element('cache-error'),
});

let model: MambaModel | undefined;
let busy: 'loading' | 'generating' | 'benchmarking' | undefined;
let generation: AbortController | undefined;

// ----- errors ---------------------------------------------------------------------------------

const errors = errorDisplay(ui.errors, ui.errorList);
const showError = errors.show;
const clearError = errors.clear;

ui.clearErrors.addEventListener('click', () => {
  ui.errorList.replaceChildren();
  ui.errors.hidden = true;
});
window.addEventListener('error', (event) => showError('uncaught', event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showError('unhandled promise', event.reason));

function setBusy(state: typeof busy): void {
  busy = state;
  ui.loadUrl.disabled = state !== undefined;
  ui.modelFiles.disabled = state !== undefined;
  ui.generate.disabled = state !== undefined || model === undefined;
  ui.stop.disabled = state !== 'generating';
  ui.runBench.disabled = state !== undefined;
  cachePanel.setDisabled(state === 'loading'); // a load may be reading the cached files
}

// ----- adapter --------------------------------------------------------------------------------

const context: Promise<GpuContext> = getGpuContext();
context.then(
  (ctx) => {
    ui.adapter.textContent = `WebGPU adapter: ${ctx.describe()}`;
    ui.adapter.dataset.state = 'ready';
    void ctx.device.lost.then((info) => {
      if (info.reason !== 'destroyed') showError('GPU device lost', info.message);
    });
  },
  (error: unknown) => {
    console.error('WebGPU:', error);
    ui.adapter.textContent = `No WebGPU adapter: ${displayMessage(error)}`;
    ui.adapter.title = describeError(error);
    ui.adapter.dataset.state = 'error';
  },
);

// ----- loading --------------------------------------------------------------------------------

function setLoadStatus(text: string, state: 'idle' | 'loading' | 'ready' | 'error'): void {
  ui.loadStatus.textContent = text;
  ui.loadStatus.dataset.state = state;
}

/** How a load went through the cache: `note` ends the status line. */
interface CacheUse {
  note: () => string;
}

/** Where the model comes from: a store, and what the load status says about the cache. */
type StoreSource = () => Promise<{ store: CheckpointStore; cacheUse?: CacheUse }>;

async function loadFrom(makeStore: StoreSource): Promise<void> {
  if (busy) return;
  setBusy('loading');
  clearError(ui.loadError);
  model?.dispose();
  model = undefined;
  ui.loadProgress.value = 0;
  const started = performance.now();
  try {
    const { store, cacheUse } = await makeStore();
    setLoadStatus(`Opening ${store.location}…`, 'loading');
    const ctx = await context;
    model = await loadModelFromStore(store, {
      ctx,
      onProgress(progress) {
        ui.loadProgress.max = Math.max(1, progress.totalBytes);
        ui.loadProgress.value = progress.loadedBytes;
        setLoadStatus(
          `Loading ${progress.tensor}: ${formatBytes(progress.loadedBytes)} of ${formatBytes(progress.totalBytes)}`,
          'loading',
        );
      },
    });
    ui.loadProgress.value = ui.loadProgress.max;
    const c = model.config;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setLoadStatus(
      `Loaded ${store.location} in ${seconds} s: ${c.nLayer} layers, dModel ${c.dModel}, vocab ${c.vocabSize}, ` +
        (model.tokenizer ? 'with tokenizer' : 'no tokenizer.json: prompt with token ids') +
        `${cacheUse?.note() ?? ''}.`,
      'ready',
    );
    if (!model.tokenizer) setPromptMode('ids');
  } catch (error) {
    const quota = error instanceof ModelCacheError && error.reason === 'quota';
    setLoadStatus(
      quota
        ? 'Loading failed: not enough browser storage to cache it; clear cached models below or untick "cache downloads".'
        : 'Loading failed.',
      'error',
    );
    showError('load model', error, ui.loadError);
  } finally {
    setBusy(undefined);
    void cachePanel.refresh();
  }
}

/** A urlStore for the URL field, through the model cache when ticked and available. */
async function urlSource(): Promise<{ store: CheckpointStore; cacheUse?: CacheUse }> {
  const url = new URL(ui.modelUrl.value.trim(), window.location.href).href;
  const base = url.endsWith('/') ? url : `${url}/`;
  if (!ui.useCache.checked) return { store: urlStore(base) };
  const cache = await cachePanel.cache();
  if (!cache) {
    return {
      store: urlStore(base),
      cacheUse: { note: () => ' (not cached: this browser has no model cache)' },
    };
  }
  let downloaded = 0;
  const store = urlStore(base, {
    cache,
    onDownloadProgress(progress) {
      downloaded = progress.loadedBytes;
      if (progress.totalBytes !== undefined) {
        ui.loadProgress.max = Math.max(1, progress.totalBytes);
        ui.loadProgress.value = progress.loadedBytes;
      }
      const total = progress.totalBytes === undefined ? '' : ` of ${formatBytes(progress.totalBytes)}`;
      setLoadStatus(
        `Downloading ${progress.file} into the cache: ${formatBytes(progress.loadedBytes)}${total}`,
        'loading',
      );
    },
  });
  return {
    store,
    cacheUse: { note: () => (downloaded > 0 ? ', downloaded into the cache' : ', from the cache') },
  };
}

ui.urlForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void loadFrom(urlSource);
});

ui.pickFolder.addEventListener('change', () => {
  ui.modelFiles.webkitdirectory = ui.pickFolder.checked;
});

ui.modelFiles.addEventListener('change', () => {
  const files = [...(ui.modelFiles.files ?? [])];
  ui.modelFiles.value = ''; // picking the same files again must fire `change` again
  if (files.length > 0) void loadFrom(async () => ({ store: storeFromFiles(files) }));
});

// ----- generation -----------------------------------------------------------------------------

function promptMode(): 'text' | 'ids' {
  const checked = document.querySelector<HTMLInputElement>('input[name="prompt-mode"]:checked');
  return checked?.value === 'ids' ? 'ids' : 'text';
}

function setPromptMode(mode: 'text' | 'ids'): void {
  const radio = document.querySelector<HTMLInputElement>(`input[name="prompt-mode"][value="${mode}"]`);
  if (radio) radio.checked = true;
  ui.prompt.placeholder = mode === 'ids' ? '1, 2, 3' : 'Once upon a time';
}

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="prompt-mode"]')) {
  radio.addEventListener('change', () => setPromptMode(promptMode()));
}

function numberSetting(input: HTMLInputElement, name: string): number {
  const value = input.valueAsNumber;
  if (!Number.isFinite(value)) throw new Error(`settings: ${name} must be a number, got "${input.value}"`);
  return value;
}

function readSettings(signal: AbortSignal): GenerateOptions {
  return {
    maxTokens: numberSetting(ui.maxTokens, 'max tokens'),
    temperature: numberSetting(ui.temperature, 'temperature'),
    topK: numberSetting(ui.topK, 'top-k'),
    topP: numberSetting(ui.topP, 'top-p'),
    seed: numberSetting(ui.seed, 'seed'),
    eos: ui.stopAtEos.checked,
    signal,
  };
}

function encodePrompt(current: MambaModel): number[] {
  if (promptMode() === 'ids') return parsePromptIds(ui.prompt.value, current.config.vocabSize);
  if (!current.tokenizer) {
    throw new Error('generate: this model has no tokenizer.json; switch the prompt to token ids');
  }
  const ids = current.tokenizer.encode(ui.prompt.value);
  if (ids.length === 0) throw new Error('generate: the prompt is empty');
  return ids;
}

function setGenStats(text: string, state: 'waiting' | 'running' | 'done' | 'stopped' | 'error'): void {
  ui.genStats.textContent = text;
  ui.genStats.dataset.state = state;
}

async function generate(): Promise<void> {
  const current = model;
  if (busy || !current) return;
  setBusy('generating');
  clearError(ui.genError);
  generation = new AbortController();
  const ids: number[] = [];
  ui.output.dataset.ids = '';
  ui.output.dataset.state = 'running';
  setGenStats('', 'running');
  const promptSpan = document.createElement('span');
  promptSpan.className = 'prompt';
  const generated = document.createElement('span');
  ui.output.replaceChildren(promptSpan, generated);
  let started = performance.now();
  let firstAt: number | undefined;
  let rate: number | undefined;
  const timing = () => tokenTiming(firstAt === undefined ? undefined : firstAt - started, rate);
  const stopped = () => {
    setGenStats(stoppedText(ids.length, timing()), 'stopped');
    ui.output.dataset.state = 'stopped';
  };
  try {
    const mode = promptMode();
    const prompt = encodePrompt(current);
    const settings = readSettings(generation.signal);
    promptSpan.textContent = mode === 'ids' ? prompt.join(', ') : ui.prompt.value;
    setGenStats(waitingText(prompt.length), 'waiting');
    started = performance.now();
    for await (const token of current.stream(prompt, settings)) {
      const now = performance.now();
      if (token.id < 0) {
        // The tokenizer's last flushed text, not a token.
        generated.textContent += mode === 'ids' ? '' : token.text;
        continue;
      }
      firstAt ??= now;
      ids.push(token.id);
      generated.textContent += mode === 'ids' || !current.tokenizer ? `, ${token.id}` : token.text;
      ui.output.dataset.ids = ids.join(',');
      rate = ids.length > 1 ? ((ids.length - 1) / (now - firstAt)) * 1000 : undefined;
      setGenStats(progressText(ids.length, timing()), 'running');
    }
    if (generation.signal.aborted) {
      stopped();
    } else {
      const last = current.lastStats;
      setGenStats(progressText(ids.length, timing(), firstAt === undefined ? undefined : last), 'done');
      ui.output.dataset.state = 'done';
    }
  } catch (error) {
    if (isAbort(error) || generation.signal.aborted) {
      stopped();
    } else {
      setGenStats(ids.length > 0 ? `failed after ${tokens(ids.length)}` : 'failed', 'error');
      ui.output.dataset.state = 'error';
      showError('generate', error, ui.genError);
    }
  } finally {
    generation = undefined;
    setBusy(undefined);
  }
}

ui.generate.addEventListener('click', () => void generate());
ui.stop.addEventListener('click', () => generation?.abort());

// ----- scan benchmark -------------------------------------------------------------------------

async function runBench(): Promise<void> {
  if (busy) return;
  setBusy('benchmarking');
  clearError(ui.benchError);
  const body = ui.benchTable.tBodies[0]!;
  body.replaceChildren();
  ui.benchTable.hidden = true;
  ui.benchStatus.dataset.state = 'running';
  ui.benchStatus.textContent = 'Running…';
  try {
    const ctx = await context;
    const rows = await runScanBench(ctx, {
      onRow(row) {
        const tr = body.insertRow();
        for (const cell of [
          row.kernel,
          `${row.batch} × ${row.dInner} × ${row.seqLen}`,
          row.unsupported ? 'unsupported' : row.medianMs.toFixed(3),
          row.unsupported ? '' : row.clock,
          row.unsupported ? '' : row.megaElementsPerSecond.toFixed(1),
        ]) {
          tr.insertCell().textContent = cell;
        }
        ui.benchTable.hidden = false;
      },
    });
    ui.benchStatus.textContent = `${rows.length} measurements on ${ctx.adapter.isCpu ? 'a CPU adapter (small sizes)' : 'the GPU'}.`;
    ui.benchStatus.dataset.state = 'done';
  } catch (error) {
    ui.benchStatus.textContent = 'Benchmark failed.';
    ui.benchStatus.dataset.state = 'error';
    showError('scan benchmark', error, ui.benchError);
  } finally {
    setBusy(undefined);
  }
}

ui.runBench.addEventListener('click', () => void runBench());

setBusy(undefined);

// ----- pages ----------------------------------------------------------------------------------

// The training run lives here, outside the Train page's DOM: leaving the page unmounts the view
// (the run goes on), coming back renders it again from the session.
const trainSession = new TrainSession(context);
/** A debugging handle for the devtools console (and the e2e test): the Train page's session. */
(window as unknown as { mambaPlayground: unknown }).mambaPlayground = { train: trainSession };
const trainPage = element<HTMLElement>('page-train');
let unmountTrain: (() => void) | undefined;

function showPage(): void {
  const train = window.location.hash === '#train';
  element<HTMLElement>('page-generate').hidden = train;
  trainPage.hidden = !train;
  element<HTMLAnchorElement>('nav-generate').toggleAttribute('aria-current', !train);
  element<HTMLAnchorElement>('nav-train').toggleAttribute('aria-current', train);
  if (train && !unmountTrain) unmountTrain = mountTrainPage(trainPage, trainSession, showError);
  if (!train && unmountTrain) {
    unmountTrain();
    unmountTrain = undefined;
  }
}

window.addEventListener('hashchange', showPage);
showPage();
