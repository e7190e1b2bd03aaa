// Stop strings over streamed text: text is released as soon as it can no longer be the start of
// a stop string, and the output ends just before the first stop string that appears (which may
// span several tokens).

export class StopMatcher {
  private held = '';
  private stopped = false;

  constructor(private readonly stops: readonly string[]) {}

  /** Whether a stop string was found (the text before it has been released). */
  get done(): boolean {
    return this.stopped;
  }

  /** Adds text; returns what can be released now. */
  push(text: string): string {
    if (this.stopped) return '';
    const all = this.held + text;
    let cut = -1;
    for (const stop of this.stops) {
      const at = all.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.stopped = true;
      this.held = '';
      return all.slice(0, cut);
    }
    // Hold back the longest tail that is a proper prefix of some stop string.
    let keep = 0;
    for (const stop of this.stops) {
      for (let k = Math.min(stop.length - 1, all.length); k > keep; k--) {
        if (all.endsWith(stop.slice(0, k))) {
          keep = k;
          break;
        }
      }
    }
    this.held = all.slice(all.length - keep);
    return all.slice(0, all.length - keep);
  }

  /** Releases the held tail at the end of generation. */
  flush(): string {
    const rest = this.stopped ? '' : this.held;
    this.held = '';
    return rest;
  }
}
