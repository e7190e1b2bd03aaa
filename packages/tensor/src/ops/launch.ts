// Launch helpers: turn an element count into a workgroup grid that respects
// maxComputeWorkgroupsPerDimension (65535 by default) by folding into two dimensions.

/** Workgroups needed for `n` items at `perWorkgroup` items each. */
export function workgroupCount(n: number, perWorkgroup: number): number {
  return Math.ceil(n / perWorkgroup);
}

/**
 * A 2-D grid covering `groups` workgroups with x <= maxPerDim. The kernel recovers the linear
 * workgroup index as `wid.x + wid.y * num_workgroups.x` and must bounds-check.
 */
export function dispatch1d(groups: number, maxPerDim = 65535): [number, number] {
  if (groups <= maxPerDim) return [groups, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}
