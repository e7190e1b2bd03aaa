// The Train page's view: settings, Train / Stop / Continue, live loss and accuracy charts and the
// Δ view. It holds no state of its own: everything is read from the TrainSession, so the page can
// be unmounted and mounted again (switching pages) while a run goes on, and comes back the same.

import { type Series, drawChart, smooth } from './chart.js';
import { renderDeltaView } from './delta-view.js';
import {
  chanceAccuracy,
  checkSettings,
  TASK_PRESETS,
  type TaskName,
  type TrainSettings,
} from './settings.js';
import { applyPreset, buildForm, fillForm, formDraft, readForm, showTaskFields } from './train-form.js';
import type { TrainSession } from './train-session.js';

const TEMPLATE = `
<section class="card" aria-labelledby="train-title">
  <h2 id="train-title">Train on a synthetic task</h2>
  <p class="hint">
    The Mamba paper's selection tasks (§4.1), trained from scratch on this page's GPU with the
    library's <code>Trainer</code>: fresh seeded rows every step, the loss on the answer positions
    only, held-out accuracy every few steps. One optimizer step per animation frame.
  </p>
  <div id="train-settings" class="settings"></div>
  <div class="row">
    <button id="train-start" type="button">Train</button>
    <button id="train-stop" type="button" disabled>Stop</button>
    <button id="train-continue" type="button" disabled>Continue</button>
    <span id="train-status" class="status" data-state="idle"></span>
  </div>
  <p id="train-error" class="action-error" role="alert" hidden></p>
  <p id="train-stats" class="status"></p>
  <div class="charts">
    <figure>
      <figcaption>Training loss (cross-entropy at the answers; line: moving average)</figcaption>
      <svg id="loss-chart" class="chart" role="img" aria-label="training loss per step"></svg>
    </figure>
    <figure>
      <figcaption>Held-out accuracy (answer tokens; dashed: whole rows)</figcaption>
      <svg id="accuracy-chart" class="chart" role="img" aria-label="held-out accuracy per step"></svg>
    </figure>
  </div>
</section>
<section class="card" aria-labelledby="delta-title">
  <h2 id="delta-title">Selection gate Δ per token</h2>
  <p class="hint">
    One held-out sequence through the training forward: each token coloured by
    Δ = softplus(dt + bias) of the chosen layer, averaged over its channels. Large Δ: the token is
    written into the state; small Δ: it is ignored. Hover a token for its value.
  </p>
  <div class="row">
    <label>Layer <select id="delta-layer"></select></label>
    <button id="delta-next" type="button" disabled>Another sequence</button>
    <span id="delta-caption" class="status"></span>
  </div>
  <p id="delta-error" class="action-error" role="alert" hidden></p>
  <div id="delta-view" class="delta-view"><p class="hint">Train to see Δ.</p></div>
</section>`;

const CHART = { width: 400, height: 190 };
/**
 * Mounts the Train page into `root`; returns the function that unmounts it (the run goes on).
 * `showError` shows an error beside the element given (`#train-error`, `#delta-error`).
 */
export function mountTrainPage(
  root: HTMLElement,
  session: TrainSession,
  showError: (where: string, error: unknown, near: HTMLElement) => void,
): () => void {
  root.innerHTML = TEMPLATE;
  const $ = <T extends Element>(selector: string) => root.querySelector(selector) as T;
  const form = $<HTMLDivElement>('#train-settings');
  const start = $<HTMLButtonElement>('#train-start');
  const stop = $<HTMLButtonElement>('#train-stop');
  const resume = $<HTMLButtonElement>('#train-continue');
  const status = $<HTMLSpanElement>('#train-status');
  const stats = $<HTMLParagraphElement>('#train-stats');
  const lossChart = $<SVGSVGElement>('#loss-chart');
  const accuracyChart = $<SVGSVGElement>('#accuracy-chart');
  const layerSelect = $<HTMLSelectElement>('#delta-layer');
  const nextSample = $<HTMLButtonElement>('#delta-next');
  const deltaCaption = $<HTMLSpanElement>('#delta-caption');
  const deltaView = $<HTMLDivElement>('#delta-view');
  const trainError = $<HTMLParagraphElement>('#train-error');
  const deltaError = $<HTMLParagraphElement>('#delta-error');

  buildForm(form, (name, value) => {
    if (name === 'task') applyPreset(form, value as TaskName);
    session.draft = formDraft(form);
    update();
  });
  fillForm(
    form,
    Object.keys(session.draft).length > 0
      ? session.draft
      : (session.settings ?? TASK_PRESETS['selective-copying']),
  );
  showTaskFields(form);

  /** The form's settings, or undefined (and a message in the status) when invalid. */
  const formSettings = (): TrainSettings | undefined => {
    try {
      return checkSettings(readForm(form));
    } catch {
      return undefined;
    }
  };

  const run = (action: (s: TrainSettings) => Promise<void>) => {
    let settings: TrainSettings;
    try {
      settings = checkSettings(readForm(form));
    } catch (error) {
      showError('train settings', error, trainError);
      return;
    }
    trainError.hidden = true;
    session.draft = formDraft(form);
    void action(settings).catch((error: unknown) => showError('train', error, trainError));
  };
  start.addEventListener('click', () => run((s) => session.train(s)));
  resume.addEventListener('click', () => run((s) => session.continue(s)));
  stop.addEventListener('click', () => session.stop());
  layerSelect.addEventListener('change', () => session.setLayer(Number(layerSelect.value)));
  nextSample.addEventListener('click', () => {
    deltaError.hidden = true;
    void session.nextSample().catch((error: unknown) => showError('Δ view', error, deltaError));
  });

  let drawnSample: unknown;
  let drawnLayer = -1;

  function update(): void {
    const s = session.settings;
    const running = session.running;
    const next = formSettings();
    start.disabled = running;
    stop.disabled = session.status !== 'running';
    const canContinue =
      !!s &&
      !running &&
      session.status !== 'error' &&
      !!next &&
      !session.needsNewRun(next) &&
      next.steps > session.stepCount;
    resume.disabled = !canContinue;
    status.dataset.state = session.status;
    status.textContent = statusText(session, next);
    stats.textContent = statsText(session);
    // The run's error, beside Train: once per mount (a re-mount shows it again).
    if (session.status === 'error' && trainError.hidden) showError('train', session.error, trainError);
    if (s) drawCharts(s);
    drawDelta(s);
  }

  function drawCharts(s: TrainSettings): void {
    const losses = session.curve.map((p) => [p.step, p.loss] as const);
    const lossSeries: Series[] = [
      { className: 'line raw', points: losses },
      { className: 'line trend', points: smooth(losses) },
    ];
    drawChart(lossChart, lossSeries, {
      ...CHART,
      xMax: s.steps,
      references: [{ y: Math.log(s.vocabSize), label: `ln ${s.vocabSize}` }],
      formatY: (v) => v.toFixed(2),
    });
    lossChart.dataset.points = String(losses.length);
    const accuracy: Series[] = [
      { className: 'line accuracy', points: session.evals.map((e) => [e.step, e.tokenAccuracy] as const) },
    ];
    if (s.task === 'selective-copying') {
      accuracy.push({
        className: 'line whole',
        points: session.evals.map((e) => [e.step, e.sequenceAccuracy] as const),
      });
    }
    drawChart(accuracyChart, accuracy, {
      ...CHART,
      yMin: 0,
      yMax: 1,
      xMax: s.steps,
      references: [{ y: chanceAccuracy(s), label: 'chance' }],
      formatY: (v) => `${Math.round(v * 100)}%`,
    });
    accuracyChart.dataset.points = String(session.evals.length);
  }

  function drawDelta(s: TrainSettings | undefined): void {
    const layers = s?.nLayer ?? 0;
    if (layerSelect.options.length !== layers) {
      layerSelect.replaceChildren(
        ...Array.from({ length: layers }, (_, i) => new Option(String(i), String(i))),
      );
    }
    layerSelect.value = String(session.layer);
    nextSample.disabled = !s || session.status === 'error';
    const sample = session.sample;
    if (!s || !sample || (sample === drawnSample && session.layer === drawnLayer)) return;
    renderDeltaView(deltaView, sample, s, session.layer);
    deltaView.dataset.step = String(sample.step);
    deltaCaption.textContent = `held-out row ${sample.row}, weights of step ${sample.step}`;
    drawnSample = sample;
    drawnLayer = session.layer;
  }

  const unsubscribe = session.subscribe(update);
  update();
  return () => {
    unsubscribe();
    root.replaceChildren();
  };
}

function statusText(session: TrainSession, next: TrainSettings | undefined): string {
  const words: Record<typeof session.status, string> = {
    idle: 'Ready.',
    running: 'Training…',
    stopping: 'Stopping after this step…',
    stopped: 'Stopped.',
    done: 'Done.',
    error: 'Training failed.',
  };
  let text = words[session.status];
  if (!next) text += ' Check the settings (a value is out of range).';
  else if (session.settings && !session.running && session.needsNewRun(next))
    text += ' Changed sizes, task or seed: Train starts a new run.';
  return text;
}

function statsText(session: TrainSession): string {
  const s = session.settings;
  const last = session.curve.at(-1);
  if (!s || !last) return '';
  const recent = session.curve.slice(-20);
  const msPerStep = recent.reduce((a, p) => a + p.stepMs, 0) / recent.length;
  const recordMs = recent.reduce((a, p) => a + p.recordMs, 0) / recent.length;
  const evalPoint = session.evals.at(-1);
  const frames = session.frames.current;
  return [
    `step ${last.step} of ${s.steps}`,
    `loss ${last.loss.toFixed(3)}`,
    `${msPerStep.toFixed(0)} ms/step (${recordMs.toFixed(1)} ms of it recording on the main thread; ${(session.trainingMs / 1000).toFixed(0)} s in all)`,
    evalPoint
      ? `held-out accuracy ${(evalPoint.tokenAccuracy * 100).toFixed(1)}% (step ${evalPoint.step})`
      : 'no evaluation yet',
    frames.longTasks === undefined
      ? 'main-thread long tasks not reported'
      : `main thread: ${frames.longTasks} tasks over 50 ms (longest ${frames.longestTaskMs.toFixed(0)} ms)`,
    `frames: ${frames.slowFrames} of ${frames.frames} over 50 ms (longest ${frames.longestMs.toFixed(0)} ms)`,
  ].join(' · ');
}
