// Device health: collects the device's uncaptured errors and its loss, and turns them into typed
// errors (GpuValidationError, DeviceLostError) naming the caller. Shader compile failures come
// from the pipeline cache and win over the generic errors they cause.

import { DeviceLostError, GpuValidationError } from '../errors.js';
import type { PipelineCache } from './pipeline-cache.js';

/** Watches one device for errors and loss. */
export class DeviceHealth {
  private readonly uncaptured: GPUError[] = [];
  private lostInfo: GPUDeviceLostInfo | undefined;

  constructor(
    private readonly device: GPUDevice,
    private readonly pipelines: PipelineCache,
  ) {
    device.addEventListener('uncapturederror', (event) => {
      this.uncaptured.push((event as GPUUncapturedErrorEvent).error);
    });
    void device.lost.then((info) => {
      this.lostInfo = info;
    });
  }

  /** Throws DeviceLostError naming `caller` once the device was lost. */
  assertAlive(caller: string): void {
    if (this.lostInfo) {
      throw new DeviceLostError(
        `${caller}: the GPU device was lost (${this.lostInfo.reason}: ${this.lostInfo.message})`,
      );
    }
  }

  /**
   * Throws the first problem since the last check: a shader that failed to compile
   * (ShaderCompileError), else the first uncaptured device error (GpuValidationError); clears both.
   */
  async check(caller: string): Promise<void> {
    const compileFailure = await this.pipelines.takeFailure();
    const error = this.uncaptured.shift();
    this.uncaptured.length = 0;
    if (compileFailure) throw compileFailure;
    if (error) {
      const kind = error.constructor?.name?.replace(/^GPU|Error$/g, '').toLowerCase() || 'validation';
      throw new GpuValidationError(`${caller}: the GPU reported a ${kind} error: ${error.message}`, kind);
    }
  }

  /**
   * Runs `fn` and then `settle` inside validation + out-of-memory error scopes and throws
   * GpuValidationError naming `label` when one was raised (or the ShaderCompileError of a
   * pipeline `fn` created).
   */
  async withErrorScope<T>(label: string, fn: () => T | Promise<T>, settle: () => void): Promise<T> {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    // The scopes must be popped whatever `fn` does; a GPU error then wins over fn's own error,
    // which it usually caused. (No throw inside `finally`: it would swallow fn's error silently.)
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    try {
      settle();
    } catch (error) {
      if (outcome.ok) outcome = { ok: false, error };
    }
    const validation = await this.device.popErrorScope();
    const oom = await this.device.popErrorScope();
    const compileFailure = await this.pipelines.takeFailure();
    if (compileFailure) throw compileFailure;
    const gpuError = validation ?? oom;
    if (gpuError) {
      throw new GpuValidationError(
        `${label}: ${gpuError.message}`,
        validation ? 'validation' : 'out-of-memory',
      );
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}
