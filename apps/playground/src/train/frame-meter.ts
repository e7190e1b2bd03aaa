// Measures how smoothly the page draws while it trains: the gaps between animation frames (at
// 60 Hz ~16.7 ms; a gap over 50 ms drops at least two frames) and the main thread's long tasks
// (over 50 ms, from the browser's Long Tasks API where it has one). The two differ: the loop's
// own work shows in long tasks, while frame gaps also count time the browser's GPU process spends
// elsewhere (on a CPU WebGPU such as SwiftShader, long compute passes hold up compositing too).

/** Frame statistics since `start()`. */
export interface FrameStats {
  frames: number;
  /** Longest gap between two frames (ms). */
  longestMs: number;
  /** Gaps over 50 ms. */
  slowFrames: number;
  /** Main-thread tasks over 50 ms (undefined: the browser does not report them). */
  longTasks: number | undefined;
  /** The longest of them (ms). */
  longestTaskMs: number;
}

export class FrameMeter {
  private stats: FrameStats = FrameMeter.zero();
  private observer: PerformanceObserver | undefined;
  private last: number | undefined;
  private handle: number | undefined;
  /** After the tab was hidden, the next gap is the hidden time, not a dropped frame. */
  private readonly onVisibility = () => {
    this.last = undefined;
  };

  private static zero(): FrameStats {
    const longTasks = PerformanceObserver.supportedEntryTypes?.includes('longtask') ? 0 : undefined;
    return { frames: 0, longestMs: 0, slowFrames: 0, longTasks, longestTaskMs: 0 };
  }

  get current(): Readonly<FrameStats> {
    return this.stats;
  }

  /** Starts counting (from zero); idempotent while running. */
  start(): void {
    if (this.handle !== undefined) return;
    this.stats = FrameMeter.zero();
    this.last = undefined;
    if (this.stats.longTasks !== undefined) {
      this.observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          this.stats.longTasks = (this.stats.longTasks ?? 0) + 1;
          this.stats.longestTaskMs = Math.max(this.stats.longestTaskMs, entry.duration);
        }
      });
      this.observer.observe({ type: 'longtask' });
    }
    const tick = (now: number) => {
      if (this.last !== undefined) {
        const gap = now - this.last;
        this.stats.frames++;
        this.stats.longestMs = Math.max(this.stats.longestMs, gap);
        if (gap > 50) this.stats.slowFrames++;
      }
      this.last = now;
      this.handle = requestAnimationFrame(tick);
    };
    document.addEventListener('visibilitychange', this.onVisibility);
    this.handle = requestAnimationFrame(tick);
  }

  /** Stops counting; the statistics stay readable. */
  stop(): void {
    if (this.handle !== undefined) cancelAnimationFrame(this.handle);
    this.handle = undefined;
    this.observer?.disconnect();
    this.observer = undefined;
    document.removeEventListener('visibilitychange', this.onVisibility);
  }
}
