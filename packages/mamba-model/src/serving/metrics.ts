// /metrics: the engine's counters and gauges in the Prometheus text exposition format (0.0.4).
// The series of `engine.stats()`: counters, gauges, the time-to-first-token histogram and the
// recent tokens/s; written here rather than through prom-client, which would
// bring a registry and process metrics for what is a pure function of one snapshot.

import type { EngineStats } from './engine.js';
import { TTFT_BUCKETS } from './latency.js';

const SERIES: readonly [Exclude<keyof EngineStats, 'latency'>, string, 'counter' | 'gauge', string][] = [
  [
    'requests',
    'mamba_requests_total',
    'counter',
    'Requests accepted (each of n choices counts once per request).',
  ],
  ['generatedTokens', 'mamba_generated_tokens_total', 'counter', 'Tokens generated over all rows.'],
  ['decodeSteps', 'mamba_decode_steps_total', 'counter', 'Batched decode steps run.'],
  ['slots', 'mamba_slots', 'gauge', 'State slots decoded together (the batch).'],
  ['activeRows', 'mamba_active_rows', 'gauge', 'Rows decoding now (batch occupancy).'],
  ['queuedRows', 'mamba_queued_rows', 'gauge', 'Rows waiting for a slot (queue depth).'],
];

/** The Prometheus text for one stats snapshot. */
export function prometheusMetrics(stats: EngineStats): string {
  const lines: string[] = [];
  for (const [key, name, type, help] of SERIES) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${stats[key]}`);
  }
  const { ttft, tokensPerSecond } = stats.latency;
  const h = 'mamba_time_to_first_token_seconds';
  lines.push(`# HELP ${h} From a row's submit to its first token handed out.`, `# TYPE ${h} histogram`);
  for (const [i, le] of TTFT_BUCKETS.entries()) lines.push(`${h}_bucket{le="${le}"} ${ttft.buckets[i]}`);
  lines.push(`${h}_bucket{le="+Inf"} ${ttft.count}`, `${h}_sum ${ttft.sum}`, `${h}_count ${ttft.count}`);
  const r = 'mamba_tokens_per_second';
  lines.push(`# HELP ${r} Tokens handed out per second over the last 10 s.`, `# TYPE ${r} gauge`);
  lines.push(`${r} ${Number(tokensPerSecond.toFixed(3))}`);
  return `${lines.join('\n')}\n`;
}
