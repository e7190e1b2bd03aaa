// The scan kernels the benchmark runs: every version in the scan-kernels registry
// (`SCAN_KERNELS`, run by name through `selectiveScan`), plus `selectiveScan`'s own pick, named
// after the version it tries first on this adapter (v1-sequential on a CPU adapter).

import { type SelectiveScanArgs, type SelectiveScanResult, selectiveScan } from '@mamba-webgpu/scan-kernels';
import { SCAN_KERNELS, automaticScanKernels } from '@mamba-webgpu/scan-kernels/internal';
import type { AdapterSummary, GpuContext } from '@mamba-webgpu/tensor';

/** One way to run the scan: a named kernel version, or the auto pick. */
export interface ScanRunner {
  name: string;
  run(ctx: GpuContext, args: SelectiveScanArgs): SelectiveScanResult;
}

/** Every registered kernel version, then `selectiveScan` as users call it on `adapter`. */
export function scanRunners(adapter: Pick<AdapterSummary, 'isCpu'>): ScanRunner[] {
  const first = automaticScanKernels(SCAN_KERNELS, adapter)[0]?.name ?? 'none';
  return [
    ...SCAN_KERNELS.map((kernel) => ({
      name: kernel.name,
      run: (ctx: GpuContext, args: SelectiveScanArgs) => selectiveScan(ctx, { ...args, kernel: kernel.name }),
    })),
    { name: `selectiveScan (auto: ${first})`, run: selectiveScan },
  ];
}
