// The bench result file (`--json FILE`, schema 2): run metadata (adapter, limits, commit, date,
// what the spread means, the anchors), the status of each suite and every measured row. Read back
// by `--compare` and `--headline`, which also accept schema 1 (spread = (max - min) / median).
import { execFileSync } from 'node:child_process';
import type { GpuContext } from '@mamba-webgpu/tensor';
import type { BenchRow, BenchSizing } from './types.js';

/** 2: `spread` is MAD / median (was (max - min) / median in 1); rows may carry `official`, `outliers`. */
export const RESULT_SCHEMA = 2;
/** The schemas parseResult reads. */
export const READABLE_SCHEMAS = [1, 2] as const;

/** What a row's `spread` means, by schema. */
export const SPREAD_MEANING = {
  1: '(max - min) / median',
  2: 'median absolute deviation / median',
} as const;
export type SpreadMeaning = (typeof SPREAD_MEANING)[keyof typeof SPREAD_MEANING];

/** Whether the run's adapter is the anchors' GPU, and the line the bench printed about it. */
export interface ResultAnchors {
  matched: boolean;
  /** e.g. `not this adapter (...)`. */
  note: string;
}

/** The adapter as recorded in the result (AdapterSummary plus the one-line description). */
export interface ResultAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isCpu: boolean;
  /** `GpuContext.describe()`. */
  summary: string;
}

export interface ResultMeta {
  /** ISO 8601 date of the run's start. */
  date: string;
  gitCommit: string;
  node: string;
  /** `linux-x64`. */
  platform: string;
  /** The adapter, or null when none was available (only CPU suites ran). */
  adapter: ResultAdapter | null;
  /** The device's limits (numbers only). */
  limits: Record<string, number>;
  /** The device's features. */
  features: string[];
  sizing: BenchSizing;
  budgetSeconds: number;
  /** The CLI arguments of the run. */
  argv: string[];
  /** What `spread` means (absent in schema-1 files: parseResult fills it in). */
  spread?: SpreadMeaning;
  /** Whether the anchors applied (absent in schema-1 files). */
  anchors?: ResultAnchors;
}

export interface SuiteStatus {
  name: string;
  /** False when the suite threw or was skipped. */
  ok: boolean;
  /** The suite's error (`Name: message`) when it failed. */
  error?: string;
  /** Why the suite did not run (e.g. no GPU adapter). */
  skipped?: string;
  /** Wall-clock seconds the suite took. */
  seconds: number;
  /** Rows the suite produced. */
  rows: number;
}

export interface BenchResult {
  schema: (typeof READABLE_SCHEMAS)[number];
  meta: ResultMeta;
  suites: SuiteStatus[];
  rows: BenchRow[];
}

/** The limits every report shows, in this order. */
export const KEY_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Every WebGPU limit name (GPUSupportedLimits' getters are not enumerable own properties in Dawn). */
const ALL_LIMITS = [
  'maxTextureDimension1D',
  'maxTextureDimension2D',
  'maxTextureDimension3D',
  'maxTextureArrayLayers',
  'maxBindGroups',
  'maxBindGroupsPlusVertexBuffers',
  'maxBindingsPerBindGroup',
  'maxDynamicUniformBuffersPerPipelineLayout',
  'maxDynamicStorageBuffersPerPipelineLayout',
  'maxSampledTexturesPerShaderStage',
  'maxSamplersPerShaderStage',
  'maxStorageBuffersPerShaderStage',
  'maxStorageTexturesPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'maxStorageBufferBindingSize',
  'minUniformBufferOffsetAlignment',
  'minStorageBufferOffsetAlignment',
  'maxVertexBuffers',
  'maxBufferSize',
  'maxVertexAttributes',
  'maxVertexBufferArrayStride',
  'maxInterStageShaderVariables',
  'maxColorAttachments',
  'maxColorAttachmentBytesPerSample',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'minSubgroupSize',
  'maxSubgroupSize',
];

/** The device's limits as a plain object (only those that are numbers). */
export function limitsOf(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of ALL_LIMITS) {
    const value = (limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') out[key] = value;
  }
  return out;
}

/** The adapter, limits and features of a GPU context for the result's meta. */
export function describeGpu(
  gpu: GpuContext | undefined,
): Pick<ResultMeta, 'adapter' | 'limits' | 'features'> {
  if (!gpu) return { adapter: null, limits: {}, features: [] };
  return {
    adapter: { ...gpu.adapter, summary: gpu.describe() },
    limits: limitsOf(gpu.limits),
    features: [...gpu.device.features].map(String).sort(),
  };
}

/** env `GIT_COMMIT` when set, else `git rev-parse HEAD` in `cwd`, else `unknown`. */
export function gitCommit(cwd = process.cwd()): string {
  // An explicit GIT_COMMIT wins: a copied checkout (the lent GPU machine's) can report a stale HEAD.
  if (process.env.GIT_COMMIT) return process.env.GIT_COMMIT;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    if (/^[0-9a-f]{7,64}$/.test(out)) return out;
  } catch {
    // not a git checkout, or git is absent: fall through
  }
  return 'unknown';
}

/**
 * Throws with a message naming `file` when `data` is not a bench result of a readable schema;
 * fills in `meta.spread` from the schema when the file lacks it.
 */
export function parseResult(data: unknown, file: string): BenchResult {
  const fail = (what: string): never => {
    throw new Error(`readResult: ${file} is not a bench result (${what})`);
  };
  if (typeof data !== 'object' || data === null) return fail('not a JSON object');
  const r = data as Partial<BenchResult>;
  if (!READABLE_SCHEMAS.includes(r.schema as never))
    return fail(`schema ${String(r.schema)}, expected ${READABLE_SCHEMAS.join(' or ')}`);
  if (typeof r.meta !== 'object' || r.meta === null) return fail('no meta');
  if (!Array.isArray(r.rows)) return fail('no rows array');
  if (!Array.isArray(r.suites)) return fail('no suites array');
  for (const [i, row] of r.rows.entries()) {
    if (
      typeof row?.suite !== 'string' ||
      typeof row.name !== 'string' ||
      typeof row.shape !== 'string' ||
      typeof row.value !== 'number' ||
      typeof row.unit !== 'string'
    ) {
      fail(`row ${i} lacks suite/name/shape/value/unit`);
    }
  }
  const result = r as BenchResult;
  result.meta.spread ??= SPREAD_MEANING[result.schema];
  return result;
}
