// What every synthetic task shares: a row is generated position by position from its own seeded
// stream (so a long sequence can be read chunk by chunk in constant memory), its answers sit at
// the last `answerCount` positions, and a batch carries IGNORE_INDEX targets everywhere else
// (the loss is taken on the answers only).

import { IGNORE_INDEX, InvalidArgumentError } from '@mamba-webgpu/tensor';
import { TaskRandom, rowSeed } from './random.js';

/** One generated sequence: its answers, and its tokens emitted in order. */
export interface RowSource {
  /** The tokens the model must output at the last `answers.length` positions. */
  readonly answers: Int32Array;
  /** Writes the next `count` tokens of the row into `out` from `offset`. */
  emit(out: Int32Array, offset: number, count: number): void;
}

/** A synthetic sequence task: sizes, and a seeded generator of rows. */
export interface SyntheticTask {
  readonly name: 'selective-copying' | 'induction-heads';
  readonly vocabSize: number;
  readonly seqLen: number;
  /** Answers per row, at positions [seqLen - answerCount, seqLen). */
  readonly answerCount: number;
  /** The row drawn from `rng` (a row's whole content comes from its stream). */
  row(rng: TaskRandom): RowSource;
  /** The same task at another sequence length. */
  withSeqLen(seqLen: number): SyntheticTask;
}

/** A batch of rows: ids and targets (batch, seqLen), answers (batch, answerCount). */
export interface TaskBatch {
  readonly ids: Int32Array;
  /** answers at the answer positions, IGNORE_INDEX elsewhere. */
  readonly targets: Int32Array;
  readonly answers: Int32Array;
  readonly batch: number;
  readonly seqLen: number;
}

/** Rows [first, first + batch) of a task's seeded stream, read left to right in chunks. */
export class TaskStream {
  readonly answers: Int32Array;
  private readonly sources: RowSource[];
  private read = 0;

  constructor(
    readonly task: SyntheticTask,
    seed: number,
    first: number,
    readonly batch: number,
  ) {
    if (!Number.isSafeInteger(batch) || batch < 1) {
      throw new InvalidArgumentError(`TaskStream: batch must be an integer >= 1, got ${batch}`, 'batch');
    }
    this.sources = Array.from({ length: batch }, (_, b) =>
      task.row(new TaskRandom(rowSeed(seed, first + b))),
    );
    this.answers = new Int32Array(batch * task.answerCount);
    for (const [b, s] of this.sources.entries()) this.answers.set(s.answers, b * task.answerCount);
  }

  /** Positions read so far. */
  get position(): number {
    return this.read;
  }

  /** The next `length` positions of every row: (batch, length) ids, row-major. */
  next(length: number): Int32Array {
    const left = this.task.seqLen - this.read;
    if (!Number.isSafeInteger(length) || length < 1 || length > left) {
      throw new InvalidArgumentError(
        `TaskStream.next: length must be an integer in [1, ${left}] (positions left of ${this.task.seqLen}), got ${length}`,
        'length',
      );
    }
    const out = new Int32Array(this.batch * length);
    for (const [b, s] of this.sources.entries()) s.emit(out, b * length, length);
    this.read += length;
    return out;
  }
}

/** Rows [first, first + batch) of stream `seed` as one batch, with their answer targets. */
export function taskBatch(task: SyntheticTask, seed: number, first: number, batch: number): TaskBatch {
  const stream = new TaskStream(task, seed, first, batch);
  const { seqLen, answerCount } = task;
  const ids = stream.next(seqLen);
  const targets = new Int32Array(batch * seqLen).fill(IGNORE_INDEX);
  for (let b = 0; b < batch; b++) {
    targets.set(
      stream.answers.subarray(b * answerCount, (b + 1) * answerCount),
      (b + 1) * seqLen - answerCount,
    );
  }
  return { ids, targets, answers: stream.answers, batch, seqLen };
}

/** Fresh batches from one seeded stream: each call to `next` takes the following rows. */
export class TaskSampler {
  private rows = 0;

  constructor(
    readonly task: SyntheticTask,
    readonly seed: number,
  ) {}

  /** Rows drawn so far. */
  get drawn(): number {
    return this.rows;
  }

  next(batch: number): TaskBatch {
    const out = taskBatch(this.task, this.seed, this.rows, batch);
    this.rows += batch;
    return out;
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkIntegerIn(
  caller: string,
  argument: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidArgumentError(
      `${caller}: ${argument} must be an integer ${range}, got ${String(value)}`,
      argument,
    );
  }
  return value;
}
