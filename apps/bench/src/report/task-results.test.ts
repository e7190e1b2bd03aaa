import type { TaskExperimentResult } from '@mamba-webgpu/mamba-model';
import { describe, expect, it } from 'vitest';
import {
  CHART_FILES,
  type TaskRunRecord,
  parseTaskRunRecord,
  recordFileName,
  taskResultCharts,
  taskResultsMarkdown,
} from './task-results.js';
import { xmlProblem } from './well-formed.js';

const curve = (steps: number, final: number) =>
  Array.from({ length: steps }, (_, i) => ({
    step: i + 1,
    loss: 2.7 * Math.exp(-i / 50),
    elapsedMs: 20 * (i + 1),
    ...((i + 1) % 50 === 0 ? { accuracy: (final * (i + 1)) / steps } : {}),
  }));

function record(result: TaskExperimentResult): TaskRunRecord {
  return {
    schema: 1,
    result,
    gpu: 'NVIDIA H200 (test)',
    commit: 'abcdef0123456789',
    date: '2025-01-01T00:00:00Z',
    sizing: 'full',
  };
}

const copying = (selective: boolean, tokenAccuracy: number): TaskExperimentResult => ({
  id: selective ? 'selective-copying-s6' : 'selective-copying-lti',
  title: `Selective Copying, ${selective ? 'S6' : 'LTI'}`,
  selective,
  seqLen: 4096,
  vocabSize: 16,
  batch: 32,
  lr: 0.002,
  hyperparameters: 'AdamW lr 0.002',
  steps: 300,
  stoppedBy: selective ? 'accuracy' : 'time',
  trainMs: 450_000,
  evalMs: 9000,
  curve: curve(300, tokenAccuracy),
  score: { tokenAccuracy, sequenceAccuracy: tokenAccuracy ** 16, sequences: 1000, answersPerSequence: 16 },
});

const induction: TaskExperimentResult = {
  id: 'induction-heads-s6',
  title: 'Induction Heads, S6',
  selective: true,
  seqLen: 256,
  vocabSize: 16,
  batch: 8,
  lr: 0.001,
  hyperparameters: 'AdamW lr 0.001',
  steps: 200,
  stoppedBy: 'accuracy',
  trainMs: 60_000,
  evalMs: 30_000,
  curve: curve(200, 1),
  lengths: [64, 1024, 2 ** 20].map((seqLen) => ({ seqLen, accuracy: 1, sequences: 100, ms: 1000 })),
};

describe('task results page', () => {
  const records = [record(copying(true, 0.991)), record(copying(false, 0.31)), record(induction)];

  it('puts our figures beside the paper in both tables', () => {
    const md = taskResultsMarkdown(records, 'results');
    expect(md).toContain('| Mamba | S6 (selective) | 4096 | **99.1%** |');
    expect(md).toContain('| 99.8% |');
    expect(md).toContain('56.4% (Mamba + S4); 18.3% (S4, no gate)');
    expect(md).toContain('| 2^20 = 1,048,576 | **100.0%** | 100.0% |');
    expect(md).toContain('`abcdef012345` | NVIDIA H200 (test)');
    for (const file of Object.values(CHART_FILES)) expect(md).toContain(`](results/${file})`);
  });

  it('draws well-formed charts, the length chart on a log2 axis', () => {
    const charts = taskResultCharts(records);
    expect([...charts.keys()].sort()).toEqual(Object.values(CHART_FILES).sort());
    for (const [name, svg] of charts) expect(xmlProblem(svg), name).toBeUndefined();
    expect(charts.get(CHART_FILES.inductionLengths)).toContain('<tspan dy="-5" font-size="8">20</tspan>');
  });

  it('says when S6 misses 97% at L 4096, and the longest L that made it', () => {
    const shorter = { ...copying(true, 0.99), seqLen: 1024 };
    const md = taskResultsMarkdown([record(copying(true, 0.8)), record(shorter)], 'results');
    expect(md).toContain(
      'S6 did not reach the 97% target at L = 4096 within its budget (80.0%); the longest L that did: 1024.',
    );
  });

  it('says so when a run is missing', () => {
    const md = taskResultsMarkdown([record(induction)], 'results');
    expect(md).toContain('No Selective Copying run recorded yet.');
    expect(taskResultCharts([record(induction)]).has(CHART_FILES.copyingLoss)).toBe(false);
  });

  it('names record files by run and non-paper length; refuses other JSON', () => {
    expect(recordFileName(copying(true, 1))).toBe('selective-copying-s6.json');
    expect(recordFileName({ ...copying(true, 1), seqLen: 1024 })).toBe('selective-copying-s6-L1024.json');
    expect(recordFileName(induction)).toBe('induction-heads-s6.json');
    expect(() => parseTaskRunRecord({ schema: 2 }, 'x.json')).toThrow(/x.json is not a task run record/);
  });
});
