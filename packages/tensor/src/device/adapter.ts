// Adapter choice: finds the WebGPU entry point, picks an adapter (power preference, fallback, a
// name filter from options or MAMBA_WEBGPU_* variables) and opens a device with the adapter's
// real limits and the optional features it has.

import { NoAdapterError } from '../errors.js';
import { getGpu, noAdapterRemedy, noImplementationRemedy } from './gpu-provider.js';

export interface GpuContextOptions {
  /** `high-performance` (default) or `low-power`. Env: `MAMBA_WEBGPU_POWER`. */
  powerPreference?: GPUPowerPreference;
  /**
   * Require an adapter whose vendor/architecture/device/description contains this text
   * (case-insensitive), e.g. `nvidia`, `llvmpipe`, `swiftshader`. Env: `MAMBA_WEBGPU_ADAPTER`.
   */
  adapter?: string;
  /** Ask for the fallback (software) adapter. Env: `MAMBA_WEBGPU_FALLBACK=1`. */
  forceFallbackAdapter?: boolean;
  /** Extra Dawn flags (Node only, first creation only). */
  dawnFlags?: string[];
  /** Optional features to skip even if present (e.g. to test the non-subgroup fallbacks). */
  disableFeatures?: GPUFeatureName[];
}

/** What the adapter says it is. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU adapters (lavapipe, SwiftShader, WARP): benches size themselves down. */
  isCpu: boolean;
}

/** The optional features the device was opened with. */
export interface GpuFeatures {
  subgroups: boolean;
  timestampQuery: boolean;
  shaderF16: boolean;
}

/** A device opened by `openDevice`, with what was learnt about its adapter. */
export interface OpenedDevice {
  device: GPUDevice;
  adapter: AdapterSummary;
  features: GpuFeatures;
}

const OPTIONAL_FEATURES: GPUFeatureName[] = ['subgroups', 'timestamp-query', 'shader-f16'];

/** Limits requested at the adapter's values (the defaults are far lower on real GPUs). */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxBindGroups',
] as const;

function envString(name: string): string | undefined {
  return typeof process !== 'undefined' ? process.env?.[name] || undefined : undefined;
}

function adapterText(a: AdapterSummary): string {
  return `${a.vendor} ${a.architecture} ${a.device} ${a.description}`.toLowerCase();
}

function summarize(info: GPUAdapterInfo): AdapterSummary {
  const summary = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isCpu: false,
  };
  summary.isCpu = /llvmpipe|lavapipe|swiftshader|warp|software|cpu/.test(adapterText(summary));
  return summary;
}

async function requestAdapter(options: GpuContextOptions): Promise<GPUAdapter> {
  const gpu = await getGpu(options.dawnFlags);
  if (!gpu)
    throw new NoAdapterError(`createGpuContext: no WebGPU implementation found; ${noImplementationRemedy()}`);
  const powerPreference =
    options.powerPreference ??
    (envString('MAMBA_WEBGPU_POWER') as GPUPowerPreference | undefined) ??
    'high-performance';
  const forceFallbackAdapter = options.forceFallbackAdapter ?? envString('MAMBA_WEBGPU_FALLBACK') === '1';
  const adapter = await gpu.requestAdapter({ powerPreference, forceFallbackAdapter });
  if (!adapter)
    throw new NoAdapterError(`createGpuContext: no WebGPU adapter available; ${noAdapterRemedy()}`);
  return adapter;
}

/**
 * Requests an adapter and a device with the adapter's real limits and the optional features it
 * has (`subgroups`, `timestamp-query`, `shader-f16`) unless `disableFeatures` names them.
 * @throws NoAdapterError with the remedy when no (matching) adapter exists.
 */
export async function openDevice(options: GpuContextOptions = {}): Promise<OpenedDevice> {
  const adapter = await requestAdapter(options);
  const summary = summarize(adapter.info);
  const wanted = options.adapter ?? envString('MAMBA_WEBGPU_ADAPTER');
  if (wanted && !adapterText(summary).includes(wanted.toLowerCase())) {
    throw new NoAdapterError(
      `createGpuContext: adapter matching "${wanted}" requested, got "${adapterText(summary).trim()}"; unset MAMBA_WEBGPU_ADAPTER or pick another powerPreference`,
    );
  }
  const disabled = new Set(options.disableFeatures ?? []);
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && !disabled.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const key of RAISED_LIMITS) requiredLimits[key] = adapter.limits[key];
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'mamba-webgpu' });
  const has = (f: GPUFeatureName) => device.features.has(f);
  return {
    device,
    adapter: summary,
    features: {
      subgroups: has('subgroups'),
      timestampQuery: has('timestamp-query'),
      shaderF16: has('shader-f16'),
    },
  };
}

/** A one-line description of an adapter and its features for logs and bench headers. */
export function describeAdapter(adapter: AdapterSummary, features: GpuFeatures): string {
  const name = [adapter.vendor, adapter.architecture, adapter.device, adapter.description]
    .filter(Boolean)
    .join(' / ');
  const on = Object.entries(features)
    .filter(([, enabled]) => enabled)
    .map(([key]) => key)
    .join(', ');
  return `${name || 'unknown adapter'}${adapter.isCpu ? ' (CPU)' : ''}; features: ${on || 'none'}`;
}
