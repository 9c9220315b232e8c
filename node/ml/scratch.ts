/**
 * Reusable input buffers for model runs, in memory shared with the inference thread
 * (SharedArrayBuffer): a tensor written here reaches the model without a copy, and the next run
 * of one analysis overwrites it instead of allocating. A fresh tensor per run cost more than
 * filling it (fresh pages fault in: 0.8 MB per face view, 16 MB per OCR page; bench/ml/README.md).
 *
 * One scratch serves one analysis at a time (a model's input is only read during its `run`, which
 * the analysis awaits); analyses running at once each take their own from a pool.
 *
 * @example
 * const pool = new ScratchPool()
 * const scratch = pool.take()
 * try {
 *   const input = scratch.get(3 * 960 * 1440, 'det')      // Float32Array, contents undefined
 *   await model.run({ x: tensor(fill(input), [1, 3, 960, 1440]) })
 * } finally { pool.give(scratch) }
 */
export class TensorScratch {
  private readonly buffers = new Map<string | number, SharedArrayBuffer>()
  /** `length` floats for `slot` (by default, one slot per length), contents undefined. */
  get (length: number, slot: string | number = length): Float32Array {
    let b = this.buffers.get(slot)
    if (b === undefined || b.byteLength < length * 4) { b = new SharedArrayBuffer(length * 4); this.buffers.set(slot, b) }
    return new Float32Array(b, 0, length)
  }
}

/** Scratches of the analyses not running now. */
export class ScratchPool {
  private readonly idle: TensorScratch[] = []
  take (): TensorScratch { return this.idle.pop() ?? new TensorScratch() }
  give (scratch: TensorScratch): void { this.idle.push(scratch) }
}

/**
 * Starts a model run for each item while the run before it is still going, and hands each result
 * to `finish` in order: the next input is written while the inference thread runs this one.
 * `start` gets a slot, 0 and 1 in turn, for its input buffer: a slot's previous run has ended
 * before it is written again. Stopped early (an error, a cancelled job), it waits for the run
 * still going, so no other analysis is given its scratch while the model reads it.
 *
 * @example
 * await overlapRuns(batches, (b, slot) => model.run(fill(scratch.get(n, `rec${slot}`), b)), (out, b) => decode(out, b))
 */
export async function overlapRuns<T, R> (items: Iterable<T> | AsyncIterable<T>, start: (item: T, slot: number) => Promise<R>, finish: (result: R, item: T) => void): Promise<void> {
  let pending: { item: T, out: Promise<R> } | undefined
  let n = 0
  try {
    for await (const item of items) {
      const out = start(item, n++ % 2)
      out.catch(() => {}) // awaited in its turn; failing before that is not an unhandled rejection
      const previous = pending
      pending = { item, out }
      if (previous !== undefined) finish(await previous.out, previous.item)
    }
    const last = pending
    pending = undefined
    if (last !== undefined) finish(await last.out, last.item)
  } finally {
    await pending?.out.catch(() => {})
  }
}

/**
 * `work` on each item, `lanes` items at a time (say, one per inference thread, so two items' model
 * runs go at once), each lane with its own scratch: `first` for the first lane, the others taken
 * from `pool` and given back. Results come in the items' order. Every lane has ended before it
 * returns or throws (the first error), so no scratch is reused while a model still reads it.
 *
 * @example
 * const faces = await inLanes(candidates, runtime.workers, scratches, scratch, (d, s) => embed(img, d, s))
 */
export async function inLanes<T, R> (items: readonly T[], lanes: number, pool: ScratchPool, first: TensorScratch, work: (item: T, scratch: TensorScratch) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, async (_, lane) => {
    const scratch = lane === 0 ? first : pool.take()
    try {
      for (let i = next++; i < items.length && !failed; i = next++) results[i] = await work(items[i]!, scratch)
    } catch (err) {
      failed = true
      throw err
    } finally {
      if (lane !== 0) pool.give(scratch)
    }
  }))
  const error = settled.find((s) => s.status === 'rejected')
  if (error !== undefined) throw error.reason
  return results
}
