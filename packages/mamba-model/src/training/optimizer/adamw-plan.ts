// Launch planning of the multi-tensor AdamW kernel (pure, no GPU): parameters are cut into
// pieces that fit one binding, and consecutive pieces whose parameters, gradients and moments
// share buffers (views of flat arenas) are packed into one launch with a segment table.

/** One parameter as the planner sees it: element offsets into opaque buffers. */
export interface PlanItem {
  readonly numel: number;
  /** The buffer holding the parameter and the element index of its first element. */
  readonly param: { readonly buffer: object; readonly offset: number };
  readonly grad: { readonly buffer: object; readonly offset: number };
  /** Which moment chunk holds its exp_avg / exp_avg_sq, and where in it. */
  readonly state: { readonly chunk: number; readonly offset: number };
  readonly decays: boolean;
}

/** Elements [begin, end) of a buffer that one launch binds. */
export interface PlanSpan {
  readonly buffer: object;
  readonly begin: number;
  readonly end: number;
}

/** One row of a launch's segment table: a piece of a parameter (absolute element offsets). */
export interface PlanSegment {
  /** The launch's first workgroup (block) that works on this segment. */
  readonly firstBlock: number;
  readonly numel: number;
  readonly param: number;
  readonly grad: number;
  readonly state: number;
  readonly decays: boolean;
}

/** One dispatch: the spans it binds and its segments. */
export interface AdamWLaunch {
  readonly param: PlanSpan;
  readonly grad: PlanSpan;
  readonly chunk: number;
  readonly state: { readonly begin: number; readonly end: number };
  readonly segments: readonly PlanSegment[];
  /** Workgroups of the launch (`blockElements` elements each). */
  readonly blocks: number;
}

/** Limits of a plan. */
export interface PlanLimits {
  /** The most elements one binding may span. */
  readonly spanElements: number;
  /** The most segments of one launch. */
  readonly maxSegments: number;
  /** Elements one workgroup updates. */
  readonly blockElements: number;
}

interface OpenLaunch {
  param: { buffer: object; begin: number; end: number };
  grad: { buffer: object; begin: number; end: number };
  chunk: number;
  state: { begin: number; end: number };
  segments: PlanSegment[];
  blocks: number;
}

/** The span covering `span` and [begin, end), if it stays within `limit` elements. */
function widen(span: { begin: number; end: number }, begin: number, end: number, limit: number) {
  const merged = { begin: Math.min(span.begin, begin), end: Math.max(span.end, end) };
  return merged.end - merged.begin <= limit ? merged : undefined;
}

/**
 * The launches updating every item, in item order: each item is cut into pieces of at most
 * `spanElements` elements; a piece joins the open launch when it uses the same three buffers,
 * every span stays within `spanElements` and the launch has room for a segment.
 */
export function planAdamW(items: readonly PlanItem[], limits: PlanLimits): AdamWLaunch[] {
  const launches: OpenLaunch[] = [];
  let open: OpenLaunch | undefined;
  for (const item of items) {
    for (let start = 0; start < item.numel; start += limits.spanElements) {
      const numel = Math.min(limits.spanElements, item.numel - start);
      const p = item.param.offset + start;
      const g = item.grad.offset + start;
      const s = item.state.offset + start;
      const blocks = Math.ceil(numel / limits.blockElements);
      const fits =
        open !== undefined &&
        open.param.buffer === item.param.buffer &&
        open.grad.buffer === item.grad.buffer &&
        open.chunk === item.state.chunk &&
        open.segments.length < limits.maxSegments;
      const param = fits ? widen(open!.param, p, p + numel, limits.spanElements) : undefined;
      const grad = fits ? widen(open!.grad, g, g + numel, limits.spanElements) : undefined;
      const state = fits ? widen(open!.state, s, s + numel, limits.spanElements) : undefined;
      if (open && param && grad && state) {
        open.param = { buffer: item.param.buffer, ...param };
        open.grad = { buffer: item.grad.buffer, ...grad };
        open.state = state;
      } else {
        open = {
          param: { buffer: item.param.buffer, begin: p, end: p + numel },
          grad: { buffer: item.grad.buffer, begin: g, end: g + numel },
          chunk: item.state.chunk,
          state: { begin: s, end: s + numel },
          segments: [],
          blocks: 0,
        };
        launches.push(open);
      }
      open.segments.push({
        firstBlock: open.blocks,
        numel,
        param: p,
        grad: g,
        state: s,
        decays: item.decays,
      });
      open.blocks += blocks;
    }
  }
  return launches;
}
