import { describe, expect, it } from 'vitest';
import { ProgressReporter, renderBar } from './progress.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 80, write: (text: string) => chunks.push(text) };
}

describe('progress', () => {
  it('draws bars proportional to progress', () => {
    expect(renderBar(0, 4, 8)).toBe('[........]');
    expect(renderBar(1, 4, 8)).toBe('[##......]');
    expect(renderBar(9, 4, 8)).toBe('[########]');
    expect(renderBar(3, 0, 8)).toBe('[........]');
  });

  it('redraws one line in place on a TTY and clears it at the end', () => {
    const s = stream(true);
    let t = 0;
    const p = new ProgressReporter({ stream: s, now: () => t, tickMs: 0 });
    p.start('scan');
    t += 50;
    p.update(1, 4, 'skipped: redrawn at most every 100 ms');
    t += 150;
    p.update(2, 4, 'v2-chunked');
    p.finish('ok scan: 3 rows in 1.0 s');
    expect(s.chunks.every((c, i) => i === s.chunks.length - 1 || c.startsWith('\r'))).toBe(true);
    expect(s.chunks).toHaveLength(4);
    expect(s.chunks[1]).toContain('[############............] 2/4 0.2s v2-chunked');
    expect(s.chunks.at(-1)).toBe('ok scan: 3 rows in 1.0 s\n');
  });

  it('prints a plain line at most every few seconds elsewhere', () => {
    const s = stream(false);
    let t = 0;
    const p = new ProgressReporter({ stream: s, now: () => t, lineIntervalSeconds: 5, tickMs: 0 });
    p.start('model');
    for (let i = 1; i <= 10; i++) {
      t += 1000;
      p.update(i, 10, `step ${i}`);
    }
    p.finish('ok model');
    expect(s.chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(s.chunks).toHaveLength(4); // start, t=5 s, t=10 s, finish
    expect(s.chunks[1]).toContain('5/10 5.0s step 5');
  });
});
