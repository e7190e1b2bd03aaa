// Byte counts for messages and progress lines, in decimal units as download sizes are quoted.
// Browser-safe (the loading layer's errors use it; progress.ts re-exports it for Node).

/** `1.5 MB`, `812 B`, `2.31 GB` (decimal units, as download sizes are usually quoted). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}
