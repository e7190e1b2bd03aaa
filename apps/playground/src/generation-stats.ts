// The Generate card's stats line, as text: waiting for the first token, the running count and
// rates, done (with the prefill), stopped after N tokens, failed.

/** `1 token`, `24 tokens`. */
export function tokens(count: number): string {
  return `${count} token${count === 1 ? '' : 's'}`;
}

/** Time to the first token and the decode rate; '' before the first token. */
export function tokenTiming(firstTokenMs: number | undefined, tokensPerSecond: number | undefined): string {
  if (firstTokenMs === undefined) return '';
  return (
    `first token ${firstTokenMs.toFixed(0)} ms` +
    (tokensPerSecond === undefined ? '' : ` · ${tokensPerSecond.toFixed(1)} tokens/s`)
  );
}

/** Shown from Generate until the first token (the prefill and the first decode step). */
export function waitingText(promptTokens: number): string {
  return `waiting for the first token… (prefill of ${tokens(promptTokens)})`;
}

/** While tokens come, and at the end (`prefill` from `lastStats`). */
export function progressText(
  count: number,
  timing: string,
  prefill?: { promptTokens: number; prefillMs: number },
): string {
  const time = timing ? ` · ${timing}` : '';
  const pre = prefill
    ? ` · prefill of ${tokens(prefill.promptTokens)} ${prefill.prefillMs.toFixed(0)} ms`
    : '';
  return `${tokens(count)}${time}${pre}`;
}

/** After Stop. */
export function stoppedText(count: number, timing: string): string {
  return `stopped after ${tokens(count)}${timing ? ` · ${timing}` : ' (before the first token)'}`;
}
