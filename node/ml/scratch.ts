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
