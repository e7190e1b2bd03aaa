// The Train page's settings form: one labelled input per setting (ids `train-<setting>`), filled
// from a preset or a saved draft, read back into a raw record that `checkSettings` validates.

import { SETTING_LIMITS, TASK_PRESETS, type TaskName, type TrainSettings } from './settings.js';

interface Field {
  name: keyof TrainSettings;
  label: string;
  options?: readonly (readonly [string, string])[];
  /** Shown as the input's tooltip. */
  help: string;
}

const FIELDS: readonly Field[] = [
  {
    name: 'task',
    label: 'Task',
    options: [
      ['selective-copying', 'Selective Copying'],
      ['induction-heads', 'Induction Heads'],
    ],
    help: 'Selective Copying: copy the data tokens scattered among noise. Induction Heads: recall what followed the special token.',
  },
  {
    name: 'block',
    label: 'Block',
    options: [
      ['selective', 'Mamba (S6)'],
      ['lti', 'LTI ablation'],
    ],
    help: 'S6: Δ, B, C computed from the input. LTI: the same block with Δ, B, C learned constants (the paper’s S4-like baseline).',
  },
  { name: 'seqLen', label: 'Length', help: 'Sequence length L' },
  { name: 'dataTokens', label: 'Data tokens', help: 'Selective Copying: tokens to copy per row' },
  { name: 'vocabSize', label: 'Vocabulary', help: 'Token ids, including noise/marker or the special token' },
  { name: 'dModel', label: 'd_model', help: 'Residual width (dInner = 2 d_model)' },
  { name: 'dState', label: 'd_state', help: 'SSM state size per channel' },
  { name: 'nLayer', label: 'Layers', help: 'Mamba blocks' },
  { name: 'batch', label: 'Batch', help: 'Fresh rows per step' },
  { name: 'lr', label: 'Learning rate', help: 'Adam (no weight decay, clip 1); may change before Continue' },
  {
    name: 'steps',
    label: 'Steps',
    help: 'Optimizer steps of the run; raise it and press Continue to train on',
  },
  { name: 'seed', label: 'Seed', help: 'Seeds the initial weights and the training rows' },
  {
    name: 'evalEvery',
    label: 'Evaluate every',
    help: 'Steps between held-out evaluations (0: at the end only)',
  },
  { name: 'evalSequences', label: 'Held-out rows', help: 'Rows per evaluation' },
];

/** Builds the inputs into `root`; `onInput` hears every edit. */
export function buildForm(root: HTMLElement, onInput: (name: string, value: string) => void): void {
  const inputs = FIELDS.map((field) => {
    const label = document.createElement('label');
    label.title = field.help;
    label.dataset.setting = field.name;
    let input: HTMLInputElement | HTMLSelectElement;
    if (field.options) {
      input = document.createElement('select');
      for (const [value, text] of field.options) input.add(new Option(text, value));
    } else {
      input = document.createElement('input');
      input.type = 'number';
      const limits = SETTING_LIMITS[field.name as keyof typeof SETTING_LIMITS] as
        | readonly [number, number]
        | undefined;
      if (limits) [input.min, input.max, input.step] = [String(limits[0]), String(limits[1]), '1'];
      else [input.min, input.step] = ['0', 'any'];
    }
    input.id = `train-${field.name}`;
    input.name = field.name;
    input.addEventListener('input', () => onInput(field.name, input.value));
    label.append(`${field.label} `, input);
    return label;
  });
  root.replaceChildren(...inputs);
}

/** The form's input for `name`. */
export function formInput(
  root: HTMLElement,
  name: keyof TrainSettings,
): HTMLInputElement | HTMLSelectElement {
  const input = root.querySelector<HTMLInputElement | HTMLSelectElement>(`#train-${name}`);
  if (!input) throw new Error(`train form: no input for ${name}`);
  return input;
}

/** Writes `values` (settings or a draft of strings) into the inputs. */
export function fillForm(
  root: HTMLElement,
  values: Partial<Record<keyof TrainSettings, string | number>>,
): void {
  for (const field of FIELDS) {
    const value = values[field.name];
    if (value !== undefined) formInput(root, field.name).value = String(value);
  }
  showTaskFields(root);
}

/** Loads `task`'s preset into the form, keeping the seed. */
export function applyPreset(root: HTMLElement, task: TaskName): void {
  const seed = formInput(root, 'seed').value;
  fillForm(root, { ...TASK_PRESETS[task], seed });
}

/** Hides the settings the chosen task does not use. */
export function showTaskFields(root: HTMLElement): void {
  const copying = formInput(root, 'task').value === 'selective-copying';
  const dataTokens = root.querySelector<HTMLElement>('label[data-setting="dataTokens"]');
  if (dataTokens) dataTokens.hidden = !copying;
}

/** The form as a raw record: strings for the selects, numbers (NaN when empty) for the rest. */
export function readForm(root: HTMLElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const input = formInput(root, field.name);
    out[field.name] = field.options
      ? input.value
      : input.value.trim() === ''
        ? Number.NaN
        : Number(input.value);
  }
  return out;
}

/** The form's current values as strings (a draft to restore after a re-render). */
export function formDraft(root: HTMLElement): Record<string, string> {
  return Object.fromEntries(FIELDS.map((f) => [f.name, formInput(root, f.name).value]));
}
