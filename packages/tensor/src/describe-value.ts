// Values in error messages: NaN and Infinity as themselves (JSON.stringify prints null), bounded.

/**
 * A value for error messages that keeps NaN and Infinity (JSON.stringify prints them as null):
 * `[2, NaN]`, `"abc"`, `undefined`; long arrays cut after 8 items. Never throws.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map((v) => (Array.isArray(v) ? '[…]' : describeValue(v)));
    return `[${items.join(', ')}${value.length > 8 ? ', …' : ''}]`;
  }
  if (value === null || typeof value !== 'object') return String(value);
  return ArrayBuffer.isView(value) ? value.constructor.name : 'an object';
}
