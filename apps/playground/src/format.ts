// Small formatting helpers for the page: byte sizes, rates and error messages (the full one for
// tooltips and the console, a short one without the library's internal prefixes for display).

/** `1536` -> `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** An error's name and message, with its causes (`cause` chains), for the error panel. */
export function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof Error) {
      lines.push(`${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      lines.push(String(current));
      current = undefined;
    }
  }
  return lines.join('\n  caused by ');
}

/**
 * The library's prefixes that name where an error was thrown, not what went wrong:
 * `loadModelFromStore: `, `MambaModel.generate: `, `TypeError: `, repeated. A file name such as
 * `config.json: ` is kept (lower-case after the dot).
 */
const INTERNAL_PREFIX = /^(?:(?:[A-Za-z_$][\w$]*|[A-Z][\w$]*\.[a-z_$][\w$]*): )+/;

/** `message` without its internal prefixes, starting with a capital letter (not a file name or URL). */
export function withoutPrefixes(message: string): string {
  const stripped = message.replace(INTERNAL_PREFIX, '').trim() || message.trim();
  if (/[./]/.test(stripped.split(/\s/, 1)[0]!)) return stripped;
  return stripped.charAt(0).toUpperCase() + stripped.slice(1);
}

/**
 * What the page shows beside the action that failed: the message without the error's name and
 * the internal prefixes, and its first cause's the same way when that says more (a fetch failure
 * under a load error). The full text is `describeError`'s (tooltip and console).
 */
export function displayMessage(error: unknown): string {
  if (!(error instanceof Error)) return withoutPrefixes(String(error));
  const shown = withoutPrefixes(error.message);
  const cause = error.cause instanceof Error ? withoutPrefixes(error.cause.message) : '';
  if (!cause || shown.toLowerCase().includes(cause.toLowerCase())) return shown;
  return `${shown.replace(/[.:]$/, '')}: ${cause.charAt(0).toLowerCase()}${cause.slice(1)}`;
}

/** Whether an error comes from an AbortSignal (the Stop button). */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
