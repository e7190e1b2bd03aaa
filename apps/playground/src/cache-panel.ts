// The "Model cache" panel of the Generate page: opens the browser's model cache (OPFS, through
// `openModelCache`), lists the cached models (location, files, size) with a Clear button each and
// Clear all, and shows its errors beside the button that caused them. Where the browser has no
// cache, the panel says why and models load uncached.

import { type CachedModel, type ModelCache, openModelCache } from '@mamba-webgpu/mamba-model';
import { describeError, displayMessage, formatBytes } from './format.js';

/** What the page needs of the panel. */
export interface CachePanel {
  /** The cache, or undefined where the browser has none (the panel shows why). */
  cache(): Promise<ModelCache | undefined>;
  /** Lists the cached models again (after a load). */
  refresh(): Promise<void>;
  /** Disables the Clear buttons (while a model loads from the cache). */
  setDisabled(disabled: boolean): void;
}

interface CacheElements {
  status: HTMLElement;
  table: HTMLTableElement;
  refresh: HTMLButtonElement;
  clearAll: HTMLButtonElement;
  error: HTMLElement;
}

function describeModel(model: CachedModel): string {
  const partial = model.partialBytes > 0 ? ` + ${formatBytes(model.partialBytes)} unfinished` : '';
  return `${formatBytes(model.totalBytes)}${partial}`;
}

/** Wires the panel's elements; opens the cache at once and lists it. */
export function mountCachePanel(ui: CacheElements): CachePanel {
  let disabled = false;
  const opened: Promise<ModelCache | undefined> = openModelCache().then(
    (cache) => cache,
    (error: unknown) => {
      ui.status.dataset.state = 'unavailable';
      ui.refresh.disabled = true;
      ui.clearAll.disabled = true;
      ui.status.textContent = `No model cache in this browser, models load uncached: ${displayMessage(error)}`;
      ui.status.title = describeError(error);
      console.warn('model cache:', error);
      return undefined;
    },
  );

  const showError = (where: HTMLElement, action: string, error: unknown) => {
    console.error(`model cache: ${action}:`, error);
    where.hidden = false;
    where.dataset.state = 'error';
    where.textContent = `${action} failed: ${displayMessage(error)}`;
    where.title = describeError(error);
  };

  async function clear(location: string | undefined, errorCell: HTMLElement): Promise<void> {
    const cache = await opened;
    if (!cache || disabled) return;
    ui.error.hidden = true;
    try {
      await cache.clear(location);
    } catch (error) {
      showError(errorCell, location === undefined ? 'Clear all' : 'Clear', error);
      return;
    }
    await refresh();
  }

  function render(models: readonly CachedModel[], usage: string): void {
    const body = ui.table.tBodies[0]!;
    body.replaceChildren();
    for (const model of models) {
      const row = body.insertRow();
      row.dataset.location = model.location;
      row.dataset.bytes = String(model.totalBytes);
      row.insertCell().textContent = model.location;
      row.insertCell().textContent = model.files.map((f) => f.file).join(', ') || '(none complete)';
      row.insertCell().textContent = describeModel(model);
      const actions = row.insertCell();
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'cache-clear';
      button.textContent = 'Clear';
      button.disabled = disabled;
      const error = document.createElement('span');
      error.className = 'status cache-row-error action-error';
      error.hidden = true;
      button.addEventListener('click', () => void clear(model.location, error));
      actions.append(button, error);
    }
    ui.table.hidden = models.length === 0;
    ui.status.dataset.state = 'ready';
    ui.status.textContent =
      models.length === 0
        ? `The cache is empty${usage}.`
        : `${models.length} cached model${models.length === 1 ? '' : 's'}${usage}.`;
  }

  async function refresh(): Promise<void> {
    const cache = await opened;
    if (!cache) return;
    try {
      const models = await cache.list();
      const estimate = await cache.backend.estimate?.().catch(() => undefined);
      const usage =
        estimate?.quota === undefined
          ? ''
          : ` (this site uses ${formatBytes(estimate.usage ?? 0)} of ${formatBytes(estimate.quota)} of browser storage)`;
      render(models, usage);
    } catch (error) {
      ui.status.dataset.state = 'error';
      ui.status.textContent = 'Could not list the cache.';
      showError(ui.error, 'List', error);
    }
  }

  ui.refresh.addEventListener('click', () => void refresh());
  ui.clearAll.addEventListener('click', () => void clear(undefined, ui.error));
  void refresh();

  return {
    cache: () => opened,
    refresh,
    setDisabled(value) {
      disabled = value;
      ui.clearAll.disabled = value;
      for (const button of ui.table.querySelectorAll<HTMLButtonElement>('button.cache-clear')) {
        button.disabled = value;
      }
    },
  };
}
