// A training run's loss curve as a self-contained SVG (and an HTML page around it): steps on x,
// loss on a linear y axis, with axis ticks. No dependencies; written beside the checkpoint.

/** One logged step. */
export interface MetricsPoint {
  readonly step: number;
  readonly loss: number;
  readonly gradNorm?: number;
  readonly lr?: number;
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) ticks.push(Number(v.toPrecision(6)));
  return ticks;
}

const escapeXml = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** The loss curve of `points` as an SVG document. */
export function lossChartSvg(points: readonly MetricsPoint[], title = 'training loss'): string {
  const [w, h, left, right, top, bottom] = [640, 360, 56, 16, 32, 40];
  const finite = points.filter((p) => Number.isFinite(p.loss));
  const steps = finite.map((p) => p.step);
  const losses = finite.map((p) => p.loss);
  const x0 = Math.min(...steps, 0);
  const x1 = Math.max(...steps, 1);
  const y0 = Math.min(0, ...losses);
  const y1 = Math.max(...losses, 1e-9);
  const sx = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * (w - left - right);
  const sy = (v: number) => top + (1 - (v - y0) / (y1 - y0 || 1)) * (h - top - bottom);
  const path = finite
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.step).toFixed(1)},${sy(p.loss).toFixed(1)}`)
    .join(' ');
  const yTicks = niceTicks(y0, y1)
    .map(
      (v) =>
        `<line x1="${left}" x2="${w - right}" y1="${sy(v)}" y2="${sy(v)}" stroke="#ddd"/><text x="${left - 6}" y="${sy(v) + 4}" text-anchor="end">${v}</text>`,
    )
    .join('');
  const xTicks = niceTicks(x0, x1)
    .map((v) => `<text x="${sx(v)}" y="${h - bottom + 16}" text-anchor="middle">${v}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11">
<title>${escapeXml(title)}</title><rect width="${w}" height="${h}" fill="white"/>
<text x="${w / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(title)}</text>
${yTicks}${xTicks}
<text x="${w / 2}" y="${h - 6}" text-anchor="middle">step</text>
<text x="14" y="${h / 2}" text-anchor="middle" transform="rotate(-90 14 ${h / 2})">loss</text>
<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
</svg>
`;
}

/** An HTML page with the chart and the last step's figures. */
export function lossChartHtml(points: readonly MetricsPoint[], title = 'training loss'): string {
  const last = points[points.length - 1];
  const summary = last
    ? `step ${last.step}: loss ${last.loss.toFixed(4)}${last.gradNorm !== undefined ? `, grad norm ${last.gradNorm.toFixed(4)}` : ''}`
    : 'no steps';
  return `<!doctype html><meta charset="utf-8"><title>${escapeXml(title)}</title><body style="font-family:sans-serif">${lossChartSvg(points, title)}<p>${escapeXml(summary)}</p></body>\n`;
}
