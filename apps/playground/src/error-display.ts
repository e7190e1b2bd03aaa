// Where the page shows errors: beside the action that caused them (the short message without the
// library's internal prefixes; the full one with its causes in the tooltip and the console), or,
// for errors no button caused (uncaught ones, a lost device), in the panel at the top.

import { describeError, displayMessage } from './format.js';

/** Shows and clears errors; `near` is the element beside the action (`.action-error`). */
export interface ErrorDisplay {
  show(where: string, error: unknown, near?: HTMLElement): void;
  clear(near: HTMLElement): void;
}

/** The page's error display over its top panel (`panel`, with its `list`). */
export function errorDisplay(panel: HTMLElement, list: HTMLUListElement): ErrorDisplay {
  return {
    show(where, error, near) {
      console.error(`${where}:`, error);
      const shown = near ?? document.createElement('li');
      shown.textContent = near ? displayMessage(error) : `${where}: ${displayMessage(error)}`;
      shown.title = `${where}: ${describeError(error)}`;
      shown.hidden = false;
      if (near) return;
      list.append(shown);
      panel.hidden = false;
    },
    clear(near) {
      near.hidden = true;
      near.textContent = '';
      near.removeAttribute('title');
    },
  };
}
