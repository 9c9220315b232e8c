import { createHash, randomBytes } from 'node:crypto'

let lastMs = 0
let seq = 0

/** A UUID version 7 (RFC 9562): time-ordered, so new rows land at the end of their indexes. */
export function uuidv7 (): string {
  let ms = Date.now()
  if (ms <= lastMs) { seq++; ms = lastMs } else { seq = 0; lastMs = ms }
  const b = randomBytes(16)
  b.writeUIntBE(ms, 0, 6)
  // 12-bit counter in rand_a keeps ids from one millisecond in order.
  b[6] = 0x70 | ((seq >> 8) & 0x0f)
  b[7] = seq & 0xff
  b[8] = (b[8] & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A UUID version 5 style id named by `name` (SHA-1): the same name, the same id, for things not stored. */
export function nameUuid (name: string): string {
  const b = createHash('sha1').update(name).digest().subarray(0, 16)
  b[6] = 0x50 | (b[6]! & 0x0f)
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (s: unknown): s is string => typeof s === 'string' && uuidPattern.test(s)
