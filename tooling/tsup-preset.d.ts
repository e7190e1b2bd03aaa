import type { Options } from 'tsup';
export function tsupPreset(options: Options & { dtsLibs?: string[] }): Options;
