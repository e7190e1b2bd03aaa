// The order in which selectiveScan tries its automatic kernel versions: newest first on a GPU (the
// H200 pick, v2-chunked), v1-sequential first on a CPU adapter, where it is the fastest.
import { describe, expect, it } from 'vitest';
import { SCAN_KERNELS } from './kernels.js';
import { CPU_ADAPTER_SCAN_KERNEL, automaticScanKernels } from './selective-scan.js';
import type { ScanKernelVersion } from './types.js';

const names = (kernels: ScanKernelVersion[]) => kernels.map((k) => k.name);
const gpu = { isCpu: false };
const cpu = { isCpu: true };

describe('automaticScanKernels', () => {
  it('keeps the GPU pick: the newest automatic version first (v2-chunked), v3 not automatic', () => {
    expect(names(automaticScanKernels(SCAN_KERNELS, gpu))).toEqual(['v2-chunked', 'v1-sequential']);
  });

  it('tries v1-sequential first on a CPU adapter, then the others newest first', () => {
    expect(CPU_ADAPTER_SCAN_KERNEL).toBe('v1-sequential');
    expect(names(automaticScanKernels(SCAN_KERNELS, cpu))).toEqual(['v1-sequential', 'v2-chunked']);
  });

  it('never adds a version that is not automatic, on either adapter', () => {
    const fake = (name: string, automatic: boolean) => ({ ...SCAN_KERNELS[0]!, name, automatic });
    const registry = [fake('v1-sequential', false), fake('v2', true), fake('v3', true)];
    expect(names(automaticScanKernels(registry, cpu))).toEqual(['v3', 'v2']);
    expect(names(automaticScanKernels(registry, gpu))).toEqual(['v3', 'v2']);
  });
});
