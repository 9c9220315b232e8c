/**
 * A ZIP archive written as it is sent, files stored as they are (photos and videos do not
 * compress), so its exact length is known before the first byte (`zipLength`) and a browser shows
 * real progress. Each file's CRC-32 is worked out while it streams and follows it in a data
 * descriptor (APPNOTE 4.3.9), so every file is read once. ZIP64 (APPNOTE 4.5.3) is used only where
 * it is needed: a file of 4 GiB or more, an offset past 4 GiB, more than 65,535 files.
 *
 * A file that is not the size it was when the archive was planned (changed or cut short on the
 * share meanwhile) makes the stream fail rather than send a broken archive that looks whole.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { crc32 } from 'node:zlib'

export interface ZipEntry {
  /** The name inside the archive (UTF-8). */
  name: string
  path: string
  size: number
  modified: Date
}

const MAX32 = 0xffffffff
const MAX16 = 0xffff
const UTF8 = 0x0800
const DESCRIPTOR = 0x0008

/** MS-DOS time and date (local fields, 2-second steps; 1980 at the earliest). */
function dos (d: Date): { time: number, date: number } {
  const year = Math.max(1980, Math.min(2107, d.getUTCFullYear()))
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  }
}

/**
 * From which size or offset ZIP64 fields are written: 4 GiB, as the format needs; lower only to
 * test the ZIP64 layout with real readers on small files.
 */
export interface ZipOptions { zip64From?: number }

/** The local header: sizes and CRC follow the data; a big file says so with a ZIP64 extra field. */
function localHeader (e: ZipEntry, name: Buffer, big: (n: number) => boolean): Buffer {
  const zip64 = big(e.size)
  const h = Buffer.alloc(30 + name.length + (zip64 ? 20 : 0))
  const { time, date } = dos(e.modified)
  h.writeUInt32LE(0x04034b50, 0)
  h.writeUInt16LE(zip64 ? 45 : 20, 4)
  h.writeUInt16LE(UTF8 | DESCRIPTOR, 6)
  h.writeUInt16LE(0, 8) // stored
  h.writeUInt16LE(time, 10)
  h.writeUInt16LE(date, 12)
  h.writeUInt32LE(0, 14)
  h.writeUInt32LE(zip64 ? MAX32 : 0, 18)
  h.writeUInt32LE(zip64 ? MAX32 : 0, 22)
  h.writeUInt16LE(name.length, 26)
  h.writeUInt16LE(zip64 ? 20 : 0, 28)
  name.copy(h, 30)
  if (zip64) { h.writeUInt16LE(0x0001, 30 + name.length); h.writeUInt16LE(16, 32 + name.length) } // sizes left 0: in the descriptor
  return h
}

function descriptor (crc: number, size: number, big: (n: number) => boolean): Buffer {
  if (!big(size)) {
    const d = Buffer.alloc(16)
    d.writeUInt32LE(0x08074b50, 0); d.writeUInt32LE(crc, 4); d.writeUInt32LE(size, 8); d.writeUInt32LE(size, 12)
    return d
  }
  const d = Buffer.alloc(24)
  d.writeUInt32LE(0x08074b50, 0); d.writeUInt32LE(crc, 4); d.writeBigUInt64LE(BigInt(size), 8); d.writeBigUInt64LE(BigInt(size), 16)
  return d
}

function centralHeader (e: ZipEntry, name: Buffer, crc: number, offset: number, big: (n: number) => boolean): Buffer {
  const extras: bigint[] = []
  if (big(e.size)) extras.push(BigInt(e.size), BigInt(e.size))
  if (big(offset)) extras.push(BigInt(offset))
  const extraLen = extras.length === 0 ? 0 : 4 + 8 * extras.length
  const h = Buffer.alloc(46 + name.length + extraLen)
  const { time, date } = dos(e.modified)
  const zip64 = extras.length > 0
  h.writeUInt32LE(0x02014b50, 0)
  h.writeUInt16LE((3 << 8) | 45, 4) // made by: Unix, 4.5
  h.writeUInt16LE(zip64 ? 45 : 20, 6)
  h.writeUInt16LE(UTF8 | DESCRIPTOR, 8)
  h.writeUInt16LE(0, 10)
  h.writeUInt16LE(time, 12)
  h.writeUInt16LE(date, 14)
  h.writeUInt32LE(crc, 16)
  h.writeUInt32LE(big(e.size) ? MAX32 : e.size, 20)
  h.writeUInt32LE(big(e.size) ? MAX32 : e.size, 24)
  h.writeUInt16LE(name.length, 28)
  h.writeUInt16LE(extraLen, 30)
  h.writeUInt16LE(0, 32) // comment
  h.writeUInt16LE(0, 34) // disk
  h.writeUInt16LE(0, 36) // internal attributes
  h.writeUInt32LE((0o100644 << 16) >>> 0, 38) // a regular file, rw-r--r--
  h.writeUInt32LE(big(offset) ? MAX32 : offset, 42)
  name.copy(h, 46)
  if (zip64) {
    let at = 46 + name.length
    h.writeUInt16LE(0x0001, at); h.writeUInt16LE(8 * extras.length, at + 2); at += 4
    for (const v of extras) { h.writeBigUInt64LE(v, at); at += 8 }
  }
  return h
}

function end (count: number, cdOffset: number, cdSize: number, big: (n: number) => boolean): Buffer {
  const zip64 = count >= MAX16 || big(cdOffset) || big(cdSize) || big(cdOffset + cdSize)
  const eocd = Buffer.alloc(22)
  eocd.writeUInt32LE(0x06054b50, 0)
  eocd.writeUInt16LE(zip64 ? MAX16 : count, 8)
  eocd.writeUInt16LE(zip64 ? MAX16 : count, 10)
  eocd.writeUInt32LE(zip64 ? MAX32 : cdSize, 12)
  eocd.writeUInt32LE(zip64 ? MAX32 : cdOffset, 16)
  if (!zip64) return eocd
  const rec = Buffer.alloc(56)
  rec.writeUInt32LE(0x06064b50, 0)
  rec.writeBigUInt64LE(44n, 4)
  rec.writeUInt16LE((3 << 8) | 45, 12)
  rec.writeUInt16LE(45, 14)
  rec.writeBigUInt64LE(BigInt(count), 24)
  rec.writeBigUInt64LE(BigInt(count), 32)
  rec.writeBigUInt64LE(BigInt(cdSize), 40)
  rec.writeBigUInt64LE(BigInt(cdOffset), 48)
  const locator = Buffer.alloc(20)
  locator.writeUInt32LE(0x07064b50, 0)
  locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8)
  locator.writeUInt32LE(1, 16)
  return Buffer.concat([rec, locator, eocd])
}

const nameOf = (e: ZipEntry) => Buffer.from(e.name, 'utf8')
const bigFrom = (o: ZipOptions) => { const from = Math.min(o.zip64From ?? MAX32, MAX32); return (n: number) => n >= from }

/** The archive's length in bytes, exactly, before it is written. */
export function zipLength (entries: ZipEntry[], o: ZipOptions = {}): number {
  const big = bigFrom(o)
  let offset = 0
  let cd = 0
  for (const e of entries) {
    const name = nameOf(e)
    cd += centralHeader(e, name, 0, offset, big).length
    offset += localHeader(e, name, big).length + e.size + (big(e.size) ? 24 : 16)
  }
  return offset + cd + end(entries.length, offset, cd, big).length
}

/** The archive, as chunks (for `Readable.from`). */
export async function * zipStream (entries: ZipEntry[], o: ZipOptions = {}): AsyncGenerator<Buffer> {
  const big = bigFrom(o)
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = nameOf(e)
    const header = localHeader(e, name, big)
    yield header
    let crc = 0
    let read = 0
    if (e.size > 0) {
      for await (const chunk of createReadStream(e.path, { start: 0, end: e.size - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        crc = crc32(chunk, crc)
        read += chunk.length
        yield chunk
      }
    }
    const now = read === e.size ? (await stat(e.path)).size : read
    if (now !== e.size) throw new Error(`${e.name} changed while it was being archived (${now} bytes, not ${e.size})`)
    const tail = descriptor(crc, e.size, big)
    yield tail
    central.push(centralHeader(e, name, crc, offset, big))
    offset += header.length + e.size + tail.length
  }
  const cd = Buffer.concat(central)
  yield cd
  yield end(entries.length, offset, cd.length, big)
}

/** Unique names in an archive, as Immich gives them: the second IMG_1.jpg becomes IMG_1+1.jpg. */
export function uniqueNames (names: string[]): string[] {
  const seen = new Map<string, number>()
  const taken = new Set<string>()
  return names.map((n) => {
    const key = n.toLowerCase()
    let count = seen.get(key) ?? 0
    let out = n
    while (taken.has(out.toLowerCase())) {
      count++
      const dot = n.lastIndexOf('.')
      out = dot > 0 ? `${n.slice(0, dot)}+${count}${n.slice(dot)}` : `${n}+${count}`
    }
    seen.set(key, count)
    taken.add(out.toLowerCase())
    return out
  })
}
