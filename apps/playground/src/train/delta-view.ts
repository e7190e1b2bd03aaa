// The Δ view: one held-out sequence, each token coloured by the learned selection gate Δ (mean
// over channels of one layer, log scale between the row's smallest and largest Δ). A large Δ
// lets the token into the state (and forgets what was there); a small one lets it pass by. After
// training on Selective Copying, data tokens get a large Δ and noise a small one. Below: the mean
// Δ per kind of token, and the model's answers against the right ones.

import type { TrainSettings } from './settings.js';
import type { DeltaSample } from './train-session.js';

/** What a position of a row is, for the task. */
export type TokenRole = 'noise' | 'data' | 'marker' | 'ordinary' | 'key' | 'value' | 'query';

/** The role of every position of `ids` (Selective Copying: noise 0, marker vocab - 1, data else). */
export function tokenRoles(
  settings: Pick<TrainSettings, 'task' | 'vocabSize'>,
  ids: Int32Array,
): TokenRole[] {
  const last = settings.vocabSize - 1;
  if (settings.task === 'selective-copying') {
    return Array.from(ids, (id) => (id === 0 ? 'noise' : id === last ? 'marker' : 'data'));
  }
  // Induction Heads: the special token (vocab - 1) appears at the key position and at the end.
  const key = ids.indexOf(last);
  return Array.from(ids, (_id, t) => {
    if (t === ids.length - 1) return 'query';
    if (t === key) return 'key';
    if (t === key + 1) return 'value';
    return 'ordinary';
  });
}

/** Mean of `values` per role, in the order roles first appear. */
export function meanByRole(values: Float32Array, roles: readonly TokenRole[]): [TokenRole, number][] {
  const sums = new Map<TokenRole, { sum: number; n: number }>();
  roles.forEach((role, t) => {
    const entry = sums.get(role) ?? { sum: 0, n: 0 };
    entry.sum += values[t]!;
    entry.n++;
    sums.set(role, entry);
  });
  return [...sums].map(([role, { sum, n }]) => [role, sum / n]);
}

/**
 * The colour scale of a row: its smallest and largest Δ, widened (about their geometric middle)
 * to span at least `minRatio`, so that a row of nearly equal Δ (an untrained model's) looks flat
 * instead of stretching tiny differences over the whole ramp.
 */
export function deltaScale(values: Float32Array, minRatio = 10): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(lo > 0) || !Number.isFinite(hi)) return [lo, hi];
  if (hi / lo >= minRatio) return [lo, hi];
  const middle = Math.sqrt(lo * hi);
  const half = Math.sqrt(minRatio);
  return [middle / half, middle * half];
}

/** Position of `value` in [lo, hi] on a log scale, in [0, 1]. */
export function logPosition(value: number, lo: number, hi: number): number {
  if (!(hi > lo) || !(lo > 0)) return 0.5;
  return Math.min(1, Math.max(0, Math.log(value / lo) / Math.log(hi / lo)));
}

/** Background colour of a token with Δ at log-position p: pale to saturated orange. */
export function deltaColour(p: number): string {
  return `hsl(28 95% ${Math.round(96 - 52 * p)}%)`;
}

/** What the token styles mean, for the task. */
function roleKey(settings: Pick<TrainSettings, 'task'>): string {
  return settings.task === 'selective-copying'
    ? 'Bold underlined: data tokens; dashed: markers (the answers are due there); grey: noise.'
    : 'Dashed: the special token (its first occurrence, and the query at the end); bold underlined: the token to recall.';
}

function formatDelta(v: number): string {
  return v >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Renders the sample's tokens, Δ legend, per-role means and answers into `root`. */
export function renderDeltaView(
  root: HTMLElement,
  sample: DeltaSample,
  settings: TrainSettings,
  layer: number,
): void {
  const delta = sample.meanDelta[Math.min(layer, sample.meanDelta.length - 1)]!;
  const roles = tokenRoles(settings, sample.ids);
  const [lo, hi] = deltaScale(delta);
  const tokens = el('div', 'tokens');
  tokens.dataset.layer = String(layer);
  sample.ids.forEach((id, t) => {
    const span = el('span', `token role-${roles[t]}`, String(id));
    span.style.background = deltaColour(logPosition(delta[t]!, lo, hi));
    span.title = `position ${t}: token ${id} (${roles[t]}), Δ ${formatDelta(delta[t]!)}`;
    span.dataset.delta = delta[t]!.toPrecision(4);
    tokens.append(span);
  });
  const legend = el('p', 'hint delta-legend');
  legend.append(`Δ (layer ${layer}, mean over channels, log scale): `);
  const ramp = el('span', 'ramp');
  ramp.style.background = `linear-gradient(to right, ${deltaColour(0)}, ${deltaColour(1)})`;
  legend.append(formatDelta(lo), ' ', ramp, ' ', formatDelta(hi), '. ', roleKey(settings));
  const means = el(
    'p',
    'delta-means',
    'mean Δ by token: ' +
      meanByRole(delta, roles)
        .map(([role, v]) => `${role} ${formatDelta(v)}`)
        .join(' · '),
  );
  const answers = el('p', 'answers');
  answers.append('answer: ');
  const right = sample.predicted.filter((p, i) => p === sample.answers[i]).length;
  sample.answers.forEach((expected, i) => {
    const got = sample.predicted[i]!;
    const span = el('span', `answer ${got === expected ? 'right' : 'wrong'}`, String(got));
    span.title = got === expected ? 'right' : `wrong: the answer is ${expected}`;
    answers.append(span, ' ');
  });
  answers.append(
    `(expected ${Array.from(sample.answers).join(' ')}: ${right} of ${sample.answers.length} right)`,
  );
  answers.dataset.right = String(right);
  root.replaceChildren(tokens, legend, means, answers);
}
