// Tests of the terminal progress bar with a fake stream and clock: TTY redraws, plain lines off a
// TTY, silence for short operations, and the number formats.

import { describe, expect, it } from 'vitest';
import { createProgressBar, formatBytes, formatDuration } from './progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (s: string) => writes.push(s) } };
}

describe('createProgressBar', () => {
  it('redraws one line on a TTY with bar, bytes, %, MB/s and ETA', () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const bar = createProgressBar({ label: 'model.safetensors', total: 100e6, stream, now: () => t });
    bar.update(1e6); // before the delay: nothing
    expect(writes).toEqual([]);
    t = 1000;
    bar.update(25e6);
    t = 1050;
    bar.update(26e6); // within the redraw interval: skipped
    t = 2000;
    bar.update(50e6);
    expect(writes.length).toBe(2);
    expect(writes[1]!.startsWith('\r\u001b[K')).toBe(true);
    expect(writes[1]).toContain('model.safetensors [');
    expect(writes[1]).toContain(' 50% 50.0 MB/100 MB');
    expect(writes[1]).toContain('25.0 MB/s');
    expect(writes[1]).toContain('ETA 0:02');
    t = 4000;
    bar.update(100e6);
    bar.finish();
    expect(writes.at(-1)).toMatch(/model\.safetensors: 100 MB in 0:04 \(25\.0 MB\/s\)\n$/);
    bar.update(1);
    expect(writes.at(-1)).toMatch(/\n$/);
  });

  it('prints occasional plain lines off a TTY, and counts resumed bytes out of the speed', () => {
    let t = 0;
    const { writes, stream } = fakeStream(false);
    const bar = createProgressBar({ label: 'weights', total: 10e6, initial: 5e6, stream, now: () => t });
    for (t = 0; t <= 12_000; t += 500) bar.update(5e6 + (t / 12_000) * 5e6);
    expect(writes.length).toBe(3); // t = 500, 5500, 10500
    expect(writes.every((w) => w.startsWith('weights: ') && w.endsWith('\n') && !w.includes('\r'))).toBe(
      true,
    );
    expect(writes[1]).toContain('417 kB/s');
    bar.fail('connection reset');
    expect(writes.at(-1)).toBe('weights: failed at 10.0 MB: connection reset\n');
  });

  it('stays silent for short operations and without a stream', () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const bar = createProgressBar({ label: 'x', total: 10, stream, now: () => t });
    bar.add(5);
    t = 100;
    bar.add(5);
    bar.finish();
    expect(writes).toEqual([]);
    const none = createProgressBar({ label: 'x', stream: { write: () => undefined } });
    none.update(1);
    none.finish();
  });

  it('formats bytes and durations', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1_500_000)).toBe('1.50 MB');
    expect(formatBytes(2_310_000_000)).toBe('2.31 GB');
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(205)).toBe('3:25');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(Number.NaN)).toBe('--:--');
  });
});
