import { describe, expect, it } from 'vitest';
import { LatencyTracker, TTFT_BUCKETS, percentile } from './latency.js';
import { prometheusMetrics } from './metrics.js';

describe('prometheusMetrics', () => {
  it('writes every stat as a typed Prometheus series, TTFT as a cumulative histogram', () => {
    let now = 0;
    const latency = new LatencyTracker(() => now);
    for (const s of [0.004, 0.02, 0.02, 0.3, 12]) latency.firstToken(s);
    latency.delivered(50);
    now = 2000;
    latency.delivered(30);
    const text = prometheusMetrics({
      slots: 8,
      activeRows: 3,
      queuedRows: 2,
      decodeSteps: 41,
      generatedTokens: 97,
      requests: 5,
      latency: latency.snapshot(),
    });
    expect(text).toContain('# TYPE mamba_requests_total counter\nmamba_requests_total 5\n');
    expect(text).toContain('# TYPE mamba_generated_tokens_total counter\nmamba_generated_tokens_total 97\n');
    expect(text).toContain('mamba_decode_steps_total 41\n');
    expect(text).toContain('# TYPE mamba_active_rows gauge\nmamba_active_rows 3\n');
    expect(text).toContain('mamba_queued_rows 2\n');
    expect(text).toContain('mamba_slots 8\n');
    expect(text).toContain('# TYPE mamba_time_to_first_token_seconds histogram\n');
    expect(text).toContain('mamba_time_to_first_token_seconds_bucket{le="0.005"} 1\n');
    expect(text).toContain('mamba_time_to_first_token_seconds_bucket{le="0.025"} 3\n');
    expect(text).toContain('mamba_time_to_first_token_seconds_bucket{le="0.5"} 4\n');
    expect(text).toContain('mamba_time_to_first_token_seconds_bucket{le="10"} 4\n');
    expect(text).toContain('mamba_time_to_first_token_seconds_bucket{le="+Inf"} 5\n');
    expect(text).toContain('mamba_time_to_first_token_seconds_count 5\n');
    // 80 tokens over the 2 s since the first delivery.
    expect(text).toContain('mamba_tokens_per_second 40\n');
    // Every sample line is `name{labels} value`, with HELP and TYPE before each family.
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(samples).toHaveLength(6 + TTFT_BUCKETS.length + 3 + 1);
    for (const s of samples) expect(s).toMatch(/^mamba_[a-z_]+(\{le="[^"]+"\})? [\d.]+$/);
  });
});

describe('LatencyTracker', () => {
  it('percentiles by nearest rank; the rate forgets deliveries older than 10 s', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(percentile([], 0.5)).toBeNaN();
    let now = 0;
    const t = new LatencyTracker(() => now);
    for (let i = 1; i <= 100; i++) t.firstToken(i / 1000);
    expect(t.snapshot().ttftP50).toBeCloseTo(0.05);
    expect(t.snapshot().ttftP99).toBeCloseTo(0.099);
    t.delivered(100);
    now = 20_000;
    t.delivered(10);
    // Only the second delivery is in the window; at least 1 s of span.
    expect(t.snapshot().tokensPerSecond).toBe(10);
  });
});
