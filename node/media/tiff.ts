/**
 * Wraps decoded pixels and their ICC profile in a minimal uncompressed TIFF, in memory. sharp takes raw
 * pixels but no ICC profile with them, so pixels that a WebAssembly decoder produced in Display P3 (every
 * iPhone HEIC) would be read as sRGB and look dull; as a TIFF with the profile attached, libvips converts
 * them to sRGB like any other file.
 *
 * @example
 * const tiff = rawToTiff({ data, width: 4032, height: 3024, channels: 3, icc })
 * await sharp(tiff).resize(250).webp().toFile('thumb.webp')
 */

export interface RawImage {
  data: Uint8Array
  width: number
  height: number
  /** 3 (RGB) or 4 (RGBA, unassociated alpha), 8 bits each. */
  channels: 3 | 4
  icc?: Uint8Array
}

const SHORT = 3
const LONG = 4
const UNDEFINED = 7

export function rawToTiff (image: RawImage): Buffer {
  const { data, width, height, channels, icc } = image
  if (data.length !== width * height * channels) throw new RangeError(`expected ${width * height * channels} bytes of pixels, got ${data.length}`)
  const entries: Array<[tag: number, type: number, count: number, value: number | 'bits' | 'icc' | 'data']> = [
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, channels, 'bits'],
    [259, SHORT, 1, 1], // no compression
    [262, SHORT, 1, 2], // RGB
    [273, LONG, 1, 'data'],
    [277, SHORT, 1, channels],
    [278, LONG, 1, height],
    [279, LONG, 1, data.length],
    [284, SHORT, 1, 1], // interleaved
  ]
  if (channels === 4) entries.push([338, SHORT, 1, 2]) // the 4th channel is unassociated alpha
  if (icc !== undefined && icc.length > 0) entries.push([34675, UNDEFINED, icc.length, 'icc'])

  const ifdOffset = 8
  const ifdLength = 2 + entries.length * 12 + 4
  const bitsOffset = ifdOffset + ifdLength
  const iccOffset = bitsOffset + channels * 2
  const iccLength = icc === undefined ? 0 : icc.length + (icc.length % 2)
  const dataOffset = iccOffset + iccLength
  const header = Buffer.alloc(dataOffset)
  header.write('II', 0, 'latin1')
  header.writeUInt16LE(42, 2)
  header.writeUInt32LE(ifdOffset, 4)
  header.writeUInt16LE(entries.length, ifdOffset)
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdOffset + 2 + i * 12
    header.writeUInt16LE(tag, at)
    header.writeUInt16LE(type, at + 2)
    header.writeUInt32LE(count, at + 4)
    const resolved = value === 'bits' ? bitsOffset : value === 'icc' ? iccOffset : value === 'data' ? dataOffset : value
    // A single SHORT sits in the first two bytes of the value field (little-endian: same as a LONG).
    header.writeUInt32LE(resolved, at + 8)
  })
  header.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12)
  for (let c = 0; c < channels; c++) header.writeUInt16LE(8, bitsOffset + c * 2)
  if (icc !== undefined) header.set(icc, iccOffset)
  return Buffer.concat([header, data])
}
