import { describe, expect, it } from 'vitest';
import { prometheusMetrics } from './metrics.js';

describe('prometheusMetrics', () => {
  it('writes every stat as a typed Prometheus series', () => {
    const text = prometheusMetrics({
      slots: 8,
      activeRows: 3,
      queuedRows: 2,
      decodeSteps: 41,
      generatedTokens: 97,
      requests: 5,
    });
    expect(text).toContain('# TYPE mamba_requests_total counter\nmamba_requests_total 5\n');
    expect(text).toContain('# TYPE mamba_generated_tokens_total counter\nmamba_generated_tokens_total 97\n');
    expect(text).toContain('mamba_decode_steps_total 41\n');
    expect(text).toContain('# TYPE mamba_active_rows gauge\nmamba_active_rows 3\n');
    expect(text).toContain('mamba_queued_rows 2\n');
    expect(text).toContain('mamba_slots 8\n');
    // Every sample line is `name value`, with HELP and TYPE before it.
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(samples).toHaveLength(6);
    for (const s of samples) expect(s).toMatch(/^mamba_[a-z_]+ \d+$/);
  });
});
