// A dependency-free progress bar for Node terminals, shared by checkpoint loading, downloads, the
// CLI and the bench. On a TTY it redraws one line (bar, bytes, %, MB/s, ETA); otherwise it prints
// a plain line now and then. Nothing shows for operations shorter than `delayMs`.

import { formatBytes } from './format-bytes.js';

export { formatBytes };

/** Where the bar writes: `process.stderr` or anything with `write` (tests pass a fake). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Options of `createProgressBar`. */
export interface ProgressBarOptions {
  /** Shown before the bar: a file name, "loading weights". */
  label: string;
  /** Total bytes, when known (no % or ETA otherwise). */
  total?: number;
  /** Bytes already done at the start (a resumed download); not counted in the speed. */
  initial?: number;
  /** Default `process.stderr`; nothing is written when there is none (browsers). */
  stream?: ProgressStream;
  /** Nothing is drawn before this many ms have passed; default 500. */
  delayMs?: number;
  /** Minimum ms between TTY redraws; default 100. */
  redrawMs?: number;
  /** Ms between plain lines when the stream is not a TTY; default 5000. */
  plainLineMs?: number;
  /** Clock in ms (tests); default `Date.now`. */
  now?: () => number;
  /** What is counted: bytes (default) or named items (`{ item: 'step' }` prints `3/10 steps`). */
  units?: 'bytes' | { readonly item: string };
}

/** A progress bar; call `update`/`add` as bytes arrive and `finish` or `fail` once. */
export interface ProgressBar {
  /** Sets the bytes done (and optionally a total learned late). */
  update(done: number, total?: number): void;
  /** Adds `delta` bytes done. */
  add(delta: number): void;
  /** Text shown after the figures (e.g. `loss 2.31  1.2k tok/s`), kept until replaced. */
  detail(text: string): void;
  /** Draws the final state and ends the line. */
  finish(): void;
  /** Ends the line with a failure note. */
  fail(message?: string): void;
}

/** `0:07`, `3:25`, `1:02:03`; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

function defaultStream(): ProgressStream | undefined {
  return (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
}

/** Creates a progress bar (see the file header for what it draws). */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? defaultStream();
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 500;
  const redrawMs = options.redrawMs ?? 100;
  const plainLineMs = options.plainLineMs ?? 5000;
  const tty = stream?.isTTY === true;
  const start = now();
  const initial = options.initial ?? 0;
  let total = options.total;
  let done = initial;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let ended = false;

  const stats = () => {
    const elapsed = Math.max((now() - start) / 1000, 1e-9);
    const rate = (done - initial) / elapsed;
    const fraction = total !== undefined && total > 0 ? Math.min(done / total, 1) : undefined;
    const eta = total !== undefined && rate > 0 ? (total - done) / rate : Number.NaN;
    return { elapsed, rate, fraction, eta };
  };

  const units = options.units ?? 'bytes';
  let detailText = '';
  const format = (n: number) => (units === 'bytes' ? formatBytes(n) : `${Math.round(n)}`);
  const summary = (): string => {
    const { rate, fraction, eta } = stats();
    const suffix = units === 'bytes' ? '' : ` ${units.item}s`;
    const amount =
      total !== undefined ? `${format(done)}/${format(total)}${suffix}` : `${format(done)}${suffix}`;
    const percent = fraction !== undefined ? `${(fraction * 100).toFixed(0).padStart(3)}% ` : '';
    const speed = units === 'bytes' ? `${formatBytes(rate)}/s` : `${rate.toFixed(2)} ${units.item}s/s`;
    return `${percent}${amount}  ${speed}  ETA ${formatDuration(eta)}${detailText ? `  ${detailText}` : ''}`;
  };

  const draw = (force: boolean) => {
    if (stream === undefined || ended) return;
    const t = now();
    if (!force && t - start < delayMs) return;
    if (tty) {
      if (!force && t - lastDraw < redrawMs) return;
      const text = summary();
      const { fraction } = stats();
      const columns = stream.columns ?? 80;
      const width = Math.max(10, Math.min(40, columns - options.label.length - text.length - 6));
      const filled = fraction === undefined ? 0 : Math.round(fraction * width);
      const bar = fraction === undefined ? '' : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] `;
      stream.write(`\r\x1b[K${options.label} ${bar}${text}`.slice(0, columns + 8));
    } else {
      if (!force && t - lastDraw < plainLineMs) return;
      stream.write(`${options.label}: ${summary()}\n`);
    }
    lastDraw = t;
    drawn = true;
  };

  return {
    update(value, newTotal) {
      done = value;
      if (newTotal !== undefined) total = newTotal;
      draw(false);
    },
    add(delta) {
      done += delta;
      draw(false);
    },
    detail(text) {
      detailText = text;
    },
    finish() {
      if (ended || stream === undefined) return;
      const { elapsed, rate } = stats();
      // Short operations stay silent; long ones end with a summary line.
      if (!drawn && elapsed * 1000 < delayMs) {
        ended = true;
        return;
      }
      const line =
        units === 'bytes'
          ? `${options.label}: ${formatBytes(done)} in ${formatDuration(elapsed)} (${formatBytes(rate)}/s)`
          : `${options.label}: ${format(done)} ${units.item}s in ${formatDuration(elapsed)}${detailText ? `  ${detailText}` : ''}`;
      stream.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
      ended = true;
    },
    fail(message) {
      if (ended || stream === undefined) return;
      if (drawn || message !== undefined) {
        const line = `${options.label}: failed at ${format(done)}${message ? `: ${message}` : ''}`;
        stream.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
      }
      ended = true;
    },
  };
}
