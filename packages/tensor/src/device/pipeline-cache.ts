// The pipeline cache: one compute pipeline per key + entry point + override constants, compiled
// once, with its bind group layout; bind groups are made here. A new pipeline is checked in the
// background: a failure becomes a ShaderCompileError that the next error check throws.

import { ShaderCompileError, type ShaderMessage } from '../errors.js';
import type { Binding, ParamsRange } from './command-sink.js';

/** Compute pipelines by key, with their compile checks. */
export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  private readonly failed = new Map<string, ShaderCompileError>();
  private readonly pending = new Set<Promise<void>>();
  private unreported: ShaderCompileError | undefined;

  constructor(private readonly device: GPUDevice) {}

  /**
   * The pipeline for `key` (its label) + entry point + constants, compiled on first use.
   * @throws ShaderCompileError when an earlier compile of the same pipeline is known to have failed.
   */
  get(
    key: string,
    code: string | (() => string),
    constants: Record<string, number>,
    entryPoint: string,
  ): GPUComputePipeline {
    let constantsKey = '';
    for (const name in constants) constantsKey += `${name}=${constants[name]},`;
    const cacheKey = `${key}|${entryPoint}|${constantsKey}`;
    const cached = this.pipelines.get(cacheKey);
    if (cached) return cached;
    const failure = this.failed.get(cacheKey);
    if (failure) throw failure;
    const pipeline = this.compile(
      cacheKey,
      key,
      typeof code === 'string' ? code : code(),
      constants,
      entryPoint,
    );
    this.pipelines.set(cacheKey, pipeline);
    return pipeline;
  }

  /**
   * Waits for the compile checks still running and returns the first failure not reported yet
   * (then forgets it: each failure is reported once; the pipeline's later uses throw it).
   */
  async takeFailure(): Promise<ShaderCompileError | undefined> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    const failure = this.unreported;
    this.unreported = undefined;
    return failure;
  }

  /** Creates a bind group for `pipeline` (group 0): params at binding 0 if given, then storage. */
  bindGroup(
    pipeline: GPUComputePipeline,
    bindings: readonly Binding[],
    params?: ParamsRange,
    label?: string,
  ): GPUBindGroup {
    const entries: GPUBindGroupEntry[] = [];
    let index = 0;
    if (params) entries.push({ binding: index++, resource: params });
    for (const b of bindings) {
      const resource: GPUBufferBinding = 'buffer' in b ? b : { buffer: b };
      entries.push({ binding: index++, resource });
    }
    // getBindGroupLayout creates a new wrapper per call in Dawn's Node binding: cache it.
    let layout = this.layouts.get(pipeline);
    if (!layout) {
      layout = pipeline.getBindGroupLayout(0);
      this.layouts.set(pipeline, layout);
    }
    return this.device.createBindGroup({ layout, entries, ...(label ? { label } : {}) });
  }

  private compile(
    cacheKey: string,
    label: string,
    code: string,
    constants: Record<string, number>,
    entryPoint: string,
  ): GPUComputePipeline {
    // Dawn reports shader errors asynchronously; a scope keeps them from the uncaptured-error
    // stream so that they surface once, as a ShaderCompileError naming the kernel.
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code, label });
    const pipeline = this.device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint, constants },
      label,
    });
    const check: Promise<void> = this.device
      .popErrorScope()
      .then(async (error) => {
        if (!error) return;
        const failure = await compileFailure(label, module, code, error.message);
        this.pipelines.delete(cacheKey);
        this.failed.set(cacheKey, failure);
        this.unreported ??= failure;
      })
      .catch(() => undefined) // device lost: reported as DeviceLostError by the context
      .finally(() => this.pending.delete(check));
    this.pending.add(check);
    return pipeline;
  }
}

/** A ShaderCompileError from a shader module's compilation messages (or the pipeline's error). */
async function compileFailure(
  label: string,
  module: GPUShaderModule,
  code: string,
  pipelineError: string,
): Promise<ShaderCompileError> {
  let messages: ShaderMessage[] = [];
  try {
    const info = await module.getCompilationInfo();
    const lines = code.split('\n');
    messages = info.messages.map((m) => ({
      type: m.type,
      message: m.message,
      line: m.lineNum,
      column: m.linePos,
      sourceLine: m.lineNum > 0 ? (lines[m.lineNum - 1] ?? '') : '',
    }));
  } catch {
    // No compilation info (a lost device): the pipeline's error message still says why.
  }
  const errors = messages.filter((m) => m.type === 'error');
  const body =
    errors.length > 0
      ? `WGSL failed to compile (${errors.length} error${errors.length > 1 ? 's' : ''}):\n${errors.map(formatShaderMessage).join('\n')}`
      : `the pipeline was refused: ${pipelineError}`;
  return new ShaderCompileError(`pipeline(${label}): ${body}`, label, messages);
}

/** `12:5 error: message`, then the source line and a caret under the column. */
export function formatShaderMessage(m: ShaderMessage): string {
  const head = `  ${m.line}:${m.column} ${m.type}: ${m.message}`;
  if (!m.sourceLine) return head;
  const caret = m.column > 0 ? `\n    ${' '.repeat(m.column - 1)}^` : '';
  // One space per tab keeps the caret under the column (columns count a tab as one).
  return `${head}\n    ${m.sourceLine.replace(/\t/g, ' ')}${caret}`;
}
