// Progress display for suites: on a TTY one bar redrawn in place on stderr; elsewhere (CI logs,
// pipes) a plain line every few seconds, so logs stay short but show the run is alive.

export interface ProgressOptions {
  /** Where to draw (stderr in the CLI). */
  stream: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Seconds between lines when not a TTY. Default 5. */
  lineIntervalSeconds?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
  /**
   * Re-show the last state every this many ms so the elapsed time moves while a suite waits on
   * the GPU without reporting; 0 turns it off (tests). Default 1000.
   */
  tickMs?: number;
}

const BAR_WIDTH = 24;

/** One bar `[#########...........]` for `done` of `total`. */
export function renderBar(done: number, total: number, width = BAR_WIDTH): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** Shows the progress of one suite at a time. */
export class ProgressReporter {
  private suite = '';
  private started = 0;
  private lastLine = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private last: [number, number, string] = [0, 1, ''];
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;
  private readonly interval: number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.interval = (options.lineIntervalSeconds ?? 5) * 1000;
  }

  private get tty(): boolean {
    return this.options.stream.isTTY === true;
  }

  /** Starts a suite's bar. */
  start(suite: string): void {
    this.suite = suite;
    this.started = this.now();
    this.lastLine = Number.NEGATIVE_INFINITY;
    this.update(0, 1, 'starting');
    const tick = this.options.tickMs ?? 1000;
    if (tick > 0) {
      this.ticker = setInterval(() => this.update(...this.last), tick);
      this.ticker.unref?.();
    }
  }

  /** The `progress` callback given to suites. */
  update(done: number, total: number, label: string): void {
    this.last = [done, total, label];
    const elapsed = ((this.now() - this.started) / 1000).toFixed(1);
    const count = total > 0 ? `${done}/${total}` : `${done}`;
    const text = `${this.suite.padEnd(9)} ${renderBar(done, total)} ${count} ${elapsed}s ${label}`;
    if (this.tty) {
      // Redraw at most every 100 ms (suites may report thousands of steps).
      if (this.now() - this.lastLine < 100 && done < total) return;
      const columns = this.options.stream.columns || 100;
      this.options.stream.write(`\r\x1b[2K${text.slice(0, Math.max(20, columns - 1))}`);
      this.drawn = true;
      this.lastLine = this.now();
    } else if (this.now() - this.lastLine >= this.interval) {
      this.options.stream.write(`${text}\n`);
      this.lastLine = this.now();
    }
  }

  /** Ends the suite's bar with a final line (`ok` mark, rows, seconds or the failure). */
  finish(line: string): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.tty && this.drawn) this.options.stream.write('\r\x1b[2K');
    this.drawn = false;
    this.options.stream.write(`${line}\n`);
  }
}
