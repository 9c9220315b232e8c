/**
 * A 64-bit perceptual hash (DCT pHash): the image squashed to 32x32 grey levels, its 2-D DCT, and
 * one bit per low-frequency coefficient (the 8x8 top-left block) saying whether it is above the
 * block's median. Resizing, recompression and small edits move few bits; a different picture moves
 * about half. Compared by Hamming distance.
 *
 * @example
 * const h = phash(await grayscale(previewPath, 32))   // bigint, 64 bits
 * hamming(h, other)                                     // 0..64
 */

export const PHASH_SIZE = 32
const LOW = 8

// cos((2x+1) u pi / 2N) for the 8 lowest frequencies, computed once.
const cosines = (() => {
  const t = new Float64Array(LOW * PHASH_SIZE)
  for (let u = 0; u < LOW; u++) for (let x = 0; x < PHASH_SIZE; x++) t[u * PHASH_SIZE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * PHASH_SIZE))
  return t
})()

/** The hash of a 32x32 grey image (row-major, any scale). */
export function phash (gray: Float64Array): bigint {
  if (gray.length !== PHASH_SIZE * PHASH_SIZE) throw new Error(`phash needs ${PHASH_SIZE}x${PHASH_SIZE} pixels`)
  // Separable DCT, only the 8x8 low frequencies: rows first, then columns.
  const rows = new Float64Array(PHASH_SIZE * LOW)
  for (let y = 0; y < PHASH_SIZE; y++) {
    for (let u = 0; u < LOW; u++) {
      let s = 0
      for (let x = 0; x < PHASH_SIZE; x++) s += gray[y * PHASH_SIZE + x]! * cosines[u * PHASH_SIZE + x]!
      rows[y * LOW + u] = s
    }
  }
  const coef = new Float64Array(LOW * LOW)
  for (let v = 0; v < LOW; v++) {
    for (let u = 0; u < LOW; u++) {
      let s = 0
      for (let y = 0; y < PHASH_SIZE; y++) s += rows[y * LOW + u]! * cosines[v * PHASH_SIZE + y]!
      coef[v * LOW + u] = s
    }
  }
  // The median leaves out the DC term (overall brightness), which would dominate it.
  const sorted = [...coef.subarray(1)].sort((a, b) => a - b)
  const median = (sorted[31]! + sorted[32]!) / 2
  let h = 0n
  for (let i = 0; i < 64; i++) if (coef[i]! > median) h |= 1n << BigInt(i)
  return h
}

export function hamming (a: bigint, b: bigint): number {
  let x = BigInt.asUintN(64, a ^ b)
  let n = 0
  while (x !== 0n) { x &= x - 1n; n++ }
  return n
}

/** As stored in a bigint column (signed 64-bit, same bits). */
export const toSigned = (h: bigint) => BigInt.asIntN(64, h)
