/**
 * What an image file really is, from its bytes rather than its name (a '.heic' from a phone is sometimes
 * a JPEG): which decoder it needs, the size a JPEG XL declares (to refuse decompression bombs before the
 * WebAssembly decoder allocates anything), and the colour description (nclx) that HEIF/AVIF files carry
 * instead of an ICC profile, which libvips ignores.
 *
 * @example
 * const format = await sniffImageFormat('/photos/IMG_0001.HEIC') // 'heif' | 'avif' | 'jxl' | 'other'
 * const size = jxlDeclaredSize(await readHead('/photos/a.jxl'))     // { width, height } | undefined
 */
import { open } from 'node:fs/promises'

/** 'heif' needs the HEVC decoder (WebAssembly libheif); 'jxl' the JPEG XL one; everything else goes to sharp. */
export type SniffedFormat = 'heif' | 'avif' | 'jxl' | 'other'

/** The first `length` bytes of a file (fewer if it is shorter). */
export async function readHead (path: string, length = 65_536, position = 0): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buffer, 0, length, position)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

const heifBrands = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1', 'mif2'])
const avifBrands = new Set(['avif', 'avis'])

export function sniffFormat (head: Buffer): SniffedFormat {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0x0a) return 'jxl'
  if (head.length >= 12 && head.subarray(4, 10).toString('latin1') === 'JXL \r\n') return 'jxl'
  if (head.length >= 12 && head.subarray(4, 8).toString('latin1') === 'ftyp') {
    const size = Math.min(head.readUInt32BE(0), head.length)
    const brands = [head.subarray(8, 12).toString('latin1')]
    for (let at = 16; at + 4 <= size; at += 4) brands.push(head.subarray(at, at + 4).toString('latin1'))
    // AVIF files also list mif1, so look for AVIF first: libvips decodes AV1 itself.
    if (brands.some((brand) => avifBrands.has(brand))) return 'avif'
    if (brands.some((brand) => heifBrands.has(brand))) return 'heif'
  }
  return 'other'
}

export async function sniffImageFormat (path: string): Promise<SniffedFormat> {
  return sniffFormat(await readHead(path, 64))
}

/** Reads JPEG XL's bit-packed header fields: least significant bit first. */
class Bits {
  private position = 0
  private readonly bytes: Buffer
  constructor (bytes: Buffer) { this.bytes = bytes }
  read (count: number): number {
    let value = 0
    for (let i = 0; i < count; i++) {
      const byte = this.bytes[this.position >> 3]
      if (byte === undefined) throw new RangeError('header ends early')
      value += ((byte >> (this.position & 7)) & 1) * 2 ** i
      this.position++
    }
    return value
  }

  u32 (...bitCounts: [number, number, number, number]): number {
    return this.read(bitCounts[this.read(2)])
  }
}

/** The bare codestream inside a JPEG XL file: the file itself, or the first jxlc/jxlp box of the container. */
function codestreamOf (head: Buffer): Buffer | undefined {
  if (head[0] === 0xff && head[1] === 0x0a) return head
  let at = 0
  while (at + 8 <= head.length) {
    let size = head.readUInt32BE(at)
    const type = head.subarray(at + 4, at + 8).toString('latin1')
    let body = at + 8
    if (size === 1) {
      if (at + 16 > head.length) return undefined
      size = Number(head.readBigUInt64BE(at + 8))
      body = at + 16
    } else if (size === 0) {
      size = head.length - at
    }
    if (type === 'jxlc') return head.subarray(body)
    if (type === 'jxlp') return head.subarray(body + 4)
    if (size < 8) return undefined
    at += size
  }
  return undefined
}

const ratios: Array<[number, number]> = [[1, 1], [1, 1], [12, 10], [4, 3], [3, 2], [16, 9], [5, 4], [2, 1]]

/** The width and height a JPEG XL file declares (SizeHeader, ISO/IEC 18181-1), or undefined if unreadable. */
export function jxlDeclaredSize (head: Buffer): { width: number, height: number } | undefined {
  const stream = codestreamOf(head)
  if (stream === undefined || stream.length < 4 || stream[0] !== 0xff || stream[1] !== 0x0a) return undefined
  try {
    const bits = new Bits(stream.subarray(2))
    const small = bits.read(1) === 1
    const height = small ? (bits.read(5) + 1) * 8 : bits.u32(9, 13, 18, 30) + 1
    const ratio = bits.read(3)
    let width: number
    if (ratio !== 0) width = Math.floor(height * ratios[ratio][0] / ratios[ratio][1])
    else width = small ? (bits.read(5) + 1) * 8 : bits.u32(9, 13, 18, 30) + 1
    return { width, height }
  } catch {
    return undefined
  }
}

/** ISO/IEC 23091-2 code points, as HEIF and AVIF store them in a 'colr' box of type 'nclx'. */
export interface Nclx { primaries: number, transfer: number, matrix: number, fullRange: boolean }

/**
 * The first nclx colour description in the 'meta' box of a HEIF/AVIF file, if any. It walks the top-level
 * boxes (meta sometimes follows a large mdat, as in Samsung's files) and reads only the meta box.
 * Simplification: the first nclx box is taken for the primary image's; encoders write the primary's first.
 */
export async function readNclx (path: string): Promise<Nclx | undefined> {
  const handle = await open(path, 'r')
  try {
    const { size: fileSize } = await handle.stat()
    const header = Buffer.alloc(16)
    let at = 0
    for (let boxes = 0; at + 8 <= fileSize && boxes < 64; boxes++) {
      await handle.read(header, 0, 16, at)
      let size = header.readUInt32BE(0)
      const type = header.subarray(4, 8).toString('latin1')
      if (size === 1) size = Number(header.readBigUInt64BE(8))
      else if (size === 0) size = fileSize - at
      if (size < 8) return undefined
      if (type === 'meta') {
        const length = Math.min(size, 4 * 1024 * 1024)
        const meta = Buffer.alloc(length)
        await handle.read(meta, 0, length, at)
        return findNclx(meta)
      }
      at += size
    }
    return undefined
  } finally {
    await handle.close()
  }
}

export function findNclx (bytes: Buffer): Nclx | undefined {
  const at = bytes.indexOf('colrnclx', 0, 'latin1')
  if (at < 0 || at + 15 > bytes.length) return undefined
  const body = at + 8
  return {
    primaries: bytes.readUInt16BE(body),
    transfer: bytes.readUInt16BE(body + 2),
    matrix: bytes.readUInt16BE(body + 4),
    fullRange: (bytes[body + 6] & 0x80) !== 0,
  }
}
