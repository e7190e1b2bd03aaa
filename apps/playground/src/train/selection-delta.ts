// The learned selection gate Δ per token of one sequence, and the model's answers to it, from one
// run of the training forward (`languageModelHidden`, the code the Trainer differentiates) on a
// tape without parameters: nothing is recorded for a backward. A Tape subclass sees every op the
// forward records; at each layer's selective scan it keeps a reference to the scan's `delta`
// (before bias and softplus) and `deltaBias` inputs, exactly the tensors the scan consumed. On the
// host: Δ[c, t] = softplus(delta[c, t] + deltaBias[c]) (the scan's own `deltaSoftplus`, PyTorch's
// threshold 20), averaged over the dInner channels per token. The LTI ablation's delta is zero,
// so its Δ = softplus(dt_proj.bias) is the same at every token (it cannot select).

import {
  argmaxRows,
  isLtiParameters,
  languageModelHidden,
  type MambaParameters,
} from '@mamba-webgpu/mamba-model';
import { matmul, retain, softplusRef, Tape, type TapeNode, Tensor } from '@mamba-webgpu/tensor';

/** Name and input order of the selective scan node the training forward records (ssm-ops.ts). */
const SCAN_NODE = 'selectiveScan';
const SCAN_INPUTS = 8; // u, delta, A, B, C, D, z, deltaBias
const DELTA_INPUT = 1;
const DELTA_BIAS_INPUT = 7;

/** A tape without parameters that keeps each scan's delta and deltaBias inputs. */
class ScanInputProbe extends Tape {
  readonly scans: { delta: Tensor; deltaBias: Tensor }[] = [];

  override record(node: TapeNode): readonly Tensor[] {
    if (node.name === SCAN_NODE) {
      if (node.inputs.length !== SCAN_INPUTS) {
        throw new Error(
          `selectionDelta: the ${SCAN_NODE} node must have ${SCAN_INPUTS} inputs (u, delta, A, B, C, D, z, deltaBias), got ${node.inputs.length}`,
        );
      }
      // Views keep the storage alive after the forward frees its intermediates.
      this.scans.push({
        delta: retain(node.inputs[DELTA_INPUT]!),
        deltaBias: retain(node.inputs[DELTA_BIAS_INPUT]!),
      });
    }
    return super.record(node);
  }

  override dispose(): void {
    for (const s of this.scans) {
      s.delta.dispose();
      s.deltaBias.dispose();
    }
    this.scans.length = 0;
    super.dispose();
  }
}

/** Δ of one sequence, per layer, and the model's argmax at every position. */
export interface SelectionDelta {
  /** Per layer: mean over channels of softplus(dt + bias), one value per token (seqLen). */
  meanDelta: Float32Array[];
  /** The model's argmax token at every position (seqLen): its answer at the answer positions. */
  predicted: Int32Array;
}

/**
 * Runs `params` on one sequence `ids` (seqLen) and returns Δ per token of every layer and the
 * argmax prediction per position. Borrows `params`; frees everything it made.
 */
export async function selectionDelta(params: MambaParameters, ids: Int32Array): Promise<SelectionDelta> {
  const { config } = params;
  const seqLen = ids.length;
  const embedding = params.get('backbone.embeddings.weight');
  const ctx = embedding.ctx;
  const idTensor = Tensor.fromArray(ctx, ids, [1, seqLen], 'i32', 'playground/delta-ids');
  const probe = new ScanInputProbe();
  try {
    const hidden = languageModelHidden(
      probe,
      config,
      params,
      { ids: idTensor, hostIds: ids, batch: 1, seqLen },
      { selective: !isLtiParameters(params) },
    );
    if (probe.scans.length !== config.nLayer) {
      throw new Error(
        `selectionDelta: expected one ${SCAN_NODE} per layer (${config.nLayer}), saw ${probe.scans.length}`,
      );
    }
    const head = config.tieEmbeddings ? embedding : params.get('lm_head.weight');
    const logits = matmul(hidden, head); // (seqLen, vocab)
    const reads = probe.scans.map(
      async ({ delta, deltaBias }) => [await delta.read(), await deltaBias.read()] as const,
    );
    const [values, ...layers] = await Promise.all([logits.read(), ...reads]);
    logits.dispose();
    const meanDelta = layers.map(([delta, bias]) =>
      meanSoftplus(delta as Float32Array, bias as Float32Array, seqLen),
    );
    return { meanDelta, predicted: argmaxRows(values as Float32Array, config.vocabSize) };
  } finally {
    probe.dispose();
    idTensor.dispose();
  }
}

/**
 * Per token t: mean over channels c of softplus(delta[c, t] + bias[c]).
 * delta: (dInner, seqLen) row-major (batch 1); bias: (dInner).
 */
export function meanSoftplus(delta: Float32Array, bias: Float32Array, seqLen: number): Float32Array {
  const channels = bias.length;
  if (delta.length !== channels * seqLen) {
    throw new Error(
      `meanSoftplus: delta must be (dInner, seqLen) = (${channels}, ${seqLen}), got ${delta.length} values`,
    );
  }
  const out = new Float32Array(seqLen);
  for (let t = 0; t < seqLen; t++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += softplusRef(delta[c * seqLen + t]! + bias[c]!);
    out[t] = sum / channels;
  }
  return out;
}
