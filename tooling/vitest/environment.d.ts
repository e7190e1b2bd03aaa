// Types of environment.js: the one way a test says it cannot run on this machine.
export interface EnvironmentNeed {
  /** The suite or test, as the banner lists it. */
  suite: string;
  /** What this machine lacks, e.g. `Chromium at /usr/bin/chromium`. */
  missing: string;
  /** The command that provides it. */
  remedy: string;
}
export interface SkipLogEntry extends EnvironmentNeed {
  package: string;
}
export const SKIP_LOG_ENV: 'MAMBA_ENV_SKIPS_FILE';
export function inCi(): boolean;
export function chromiumPath(): string;
export function chromiumNeed(): { available: boolean; missing: string; remedy: string };
export function runsHere(need: EnvironmentNeed & { available: boolean; requiredInCi?: boolean }): boolean;
export function skipHere(context: { skip(note?: string): never }, skip: EnvironmentNeed): never;
export function readSkipLog(log: string, offset?: number): SkipLogEntry[];
export function skipLogSize(log: string): number;
export function skipBanner(entries: SkipLogEntry[], options?: { color?: boolean; scope?: string }): string;
