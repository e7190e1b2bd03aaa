// The official CUDA stack's training figures on the H200 (mamba_ssm, f32), copied from the
// workspace's anchors/h200-official.json with their provenance, so the bench prints them beside
// ours without ../shared. `how` says how each was measured.

/** Official scan forward/backward ms and mamba-130m training step figures. */
export const OFFICIAL_TRAINING = {
  source:
    '../shared/anchors/h200-official.json (copied: the project tests and benches itself without ../shared)',
  measured:
    '2026-12-02, one device command (GPU UUID c930b84f), the official fwd+bwd fp32-real selective_scan and causal-conv1d fwd+bwd+update built from the same commits; gradients of the official scan kernels checked against float64 autograd: relative L2 <= 2.6e-7 for every input',
  scan_fwd_bwd_ms: {
    how: 'selective_scan_cuda.fwd / .bwd as MambaInnerFn calls them (z, D, delta_bias, softplus; bwd recomputes out_z and writes dz), one call between CUDA events with the GPU kept busy while the host enqueues; median of 40',
    '(8,1536,2048,16)': {
      fwd: 0.896,
      bwd: 2.063,
      'fwd+bwd': 2.922,
    },
    '(1,1536,2048,16)': {
      fwd: 0.144,
      bwd: 0.307,
      'fwd+bwd': 0.433,
    },
    '(8,1536,8192,16)': {
      fwd: 3.723,
      bwd: 8.309,
      'fwd+bwd': 12.017,
    },
  },
  train_step: {
    how: 'MambaLMHeadModel mamba-130m config (129,135,360 parameters), f32, random ids, forward + cross-entropy (all positions) + backward + clip_grad_norm 1.0 + torch AdamW (foreach; lr 1e-3, betas 0.9/0.95, eps 1e-8, wd 0.1 except A_log/D/bias/norm); 2 warm-up steps, median of 8 timed steps; peak = torch.cuda.max_memory_allocated over the timed steps (reserved in brackets)',
    f32_highest: {
      '8x2048': {
        tok_s: 45225,
        step_ms: 362.3,
        peak_gib: 23.09,
        reserved_gib: 28.52,
      },
      '1x8192': {
        tok_s: 43464,
        step_ms: 188.5,
        peak_gib: 12.31,
        reserved_gib: 13.1,
      },
      '1x2048': {
        tok_s: 29640,
        step_ms: 69.1,
        peak_gib: 4.21,
        reserved_gib: 4.54,
      },
      '8x512': {
        tok_s: 35044,
        step_ms: 116.9,
        peak_gib: 6.94,
        reserved_gib: 7.65,
      },
    },
    tf32_matmuls: {
      '8x2048': {
        tok_s: 105073,
        step_ms: 155.9,
        peak_gib: 23.09,
        note: 'allow_tf32: what most PyTorch users run; not f32-exact',
      },
    },
  },
} as const;
