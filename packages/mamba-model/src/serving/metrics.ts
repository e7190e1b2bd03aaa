// /metrics: the engine's counters and gauges in the Prometheus text exposition format (0.0.4).
// Six series from `engine.stats()`; written here rather than through prom-client, which would
// bring a registry and process metrics for what is a pure function of one snapshot.

import type { EngineStats } from './engine.js';

const SERIES: readonly [keyof EngineStats, string, 'counter' | 'gauge', string][] = [
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
  return `${lines.join('\n')}\n`;
}
