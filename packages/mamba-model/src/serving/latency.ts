// Serving latency figures: time to first token (a Prometheus histogram plus the recent samples for
// percentiles) and the generation rate over a sliding window. Clock: performance.now() (ms).

/** Upper bounds (seconds) of the time-to-first-token histogram's buckets. */
export const TTFT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface HistogramSnapshot {
  /** Cumulative counts per bound of TTFT_BUCKETS (Prometheus `le`), then +Inf = count. */
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface LatencySnapshot {
  /** Time to first token (seconds): from a row's submit to its first token handed out. */
  readonly ttft: HistogramSnapshot;
  /** TTFT percentiles (seconds) over the last RECENT rows; NaN before the first. */
  readonly ttftP50: number;
  readonly ttftP99: number;
  /** Tokens handed out per second over the last WINDOW_MS. */
  readonly tokensPerSecond: number;
}

const RECENT = 4096;
const WINDOW_MS = 10_000;

export class LatencyTracker {
  private readonly counts = new Array<number>(TTFT_BUCKETS.length).fill(0);
  private sum = 0;
  private count = 0;
  private readonly recent: number[] = [];
  /** [time ms, tokens] per delivery, oldest first, within WINDOW_MS of the newest. */
  private readonly deliveries: [number, number][] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A row's first token arrived `seconds` after its submit. */
  firstToken(seconds: number): void {
    for (let i = 0; i < TTFT_BUCKETS.length; i++) if (seconds <= TTFT_BUCKETS[i]!) this.counts[i]!++;
    this.sum += seconds;
    this.count++;
    this.recent.push(seconds);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  /** `tokens` tokens were handed out now. */
  delivered(tokens: number): void {
    if (tokens <= 0) return;
    const t = this.now();
    this.deliveries.push([t, tokens]);
    this.prune(t);
  }

  snapshot(): LatencySnapshot {
    const t = this.now();
    this.prune(t);
    let tokens = 0;
    for (const [, n] of this.deliveries) tokens += n;
    const span = this.deliveries.length > 0 ? Math.max(1000, t - this.deliveries[0]![0]) : WINDOW_MS;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return {
      ttft: { buckets: [...this.counts], sum: this.sum, count: this.count },
      ttftP50: percentile(sorted, 0.5),
      ttftP99: percentile(sorted, 0.99),
      tokensPerSecond: (tokens * 1000) / span,
    };
  }

  private prune(t: number): void {
    while (this.deliveries.length > 0 && this.deliveries[0]![0] < t - WINDOW_MS) this.deliveries.shift();
  }
}

/** The nearest-rank percentile q (0..1) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}
