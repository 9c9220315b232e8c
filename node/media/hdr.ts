/**
 * Turns wide-gamut and HDR pixels that libvips does not colour-manage (HEIF/AVIF described by an nclx
 * box rather than an ICC profile: Display P3 or BT.2020 primaries, PQ or HLG transfer) into 8-bit sRGB
 * for thumbnails and previews. Without this a 10-bit PQ AVIF comes out grey and flat, and a P3 one
 * desaturated.
 *
 * The mapping: decode the transfer function to linear light with SDR reference white (203 cd/m², ITU-R
 * BT.2408) at 1.0, convert the primaries to BT.709/sRGB, compress highlights above 0.8 with a smooth
 * shoulder applied to the brightest channel (so hues keep their ratios), clip what is out of gamut, and
 * encode with the sRGB curve. It runs on the preview-sized buffer, not the full image.
 *
 * @example
 * if (needsColourMapping(nclx)) pixels8 = mapToSrgb8(pixels16, channels, nclx)
 */
import type { Nclx } from './image-format.ts'

const PQ = 16
const HLG = 18
const referenceWhiteNits = 203

/** Linear-light conversion matrices to BT.709/sRGB primaries (both D65 white), row-major. */
const toSrgbPrimaries: Record<number, number[]> = {
  // Display P3 (SMPTE EG 432-1) and DCI-P3 (RP 431-2, treated as P3-D65).
  12: [1.2249401, -0.2249404, 0, -0.0420569, 1.0420571, 0, -0.0196376, -0.0786361, 1.0982735],
  11: [1.2249401, -0.2249404, 0, -0.0420569, 1.0420571, 0, -0.0196376, -0.0786361, 1.0982735],
  // BT.2020 / BT.2100.
  9: [1.6604910, -0.5876411, -0.0728499, -0.1245505, 1.1328999, -0.0083494, -0.0181508, -0.1005789, 1.1187297],
}

/** True when the nclx says something libvips would get wrong: wide primaries or an HDR transfer. */
export function needsColourMapping (nclx: Nclx | undefined): nclx is Nclx {
  if (nclx === undefined) return false
  return nclx.transfer === PQ || nclx.transfer === HLG || nclx.primaries in toSrgbPrimaries
}

const srgbToLinear = (v: number) => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4

function pqToLinear (v: number): number {
  const m1 = 0.1593017578125
  const m2 = 78.84375
  const c1 = 0.8359375
  const c2 = 18.8515625
  const c3 = 18.6875
  const p = v ** (1 / m2)
  const nits = 10000 * (Math.max(p - c1, 0) / (c2 - c3 * p)) ** (1 / m1)
  return nits / referenceWhiteNits
}

function hlgToLinear (v: number): number {
  const a = 0.17883277
  const b = 0.28466892
  const c = 0.55991073
  const scene = v <= 0.5 ? (v * v) / 3 : (Math.exp((v - c) / a) + b) / 12
  // A 1000 cd/m² display's OOTF (system gamma 1.2), applied per channel as an approximation.
  return (1000 * scene ** 1.2) / referenceWhiteNits
}

const lutCache = new Map<string, Float32Array>()

/** Linear value for each possible input code, for the given transfer and bit depth. */
function decodeTable (transfer: number, bits: 8 | 16): Float32Array {
  const key = `${transfer}/${bits}`
  const cached = lutCache.get(key)
  if (cached !== undefined) return cached
  const max = bits === 8 ? 255 : 65535
  const table = new Float32Array(max + 1)
  const curve = transfer === PQ ? pqToLinear : transfer === HLG ? hlgToLinear : srgbToLinear
  for (let i = 0; i <= max; i++) table[i] = curve(i / max)
  lutCache.set(key, table)
  return table
}

const encodeSteps = 4096
const encodeTable = (() => {
  const table = new Uint8Array(encodeSteps + 1)
  for (let i = 0; i <= encodeSteps; i++) {
    const v = i / encodeSteps
    const encoded = v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055
    table[i] = Math.round(Math.min(1, Math.max(0, encoded)) * 255)
  }
  return table
})()

const knee = 0.8
const shoulder = (x: number) => x <= knee ? x : knee + (1 - knee) * (x - knee) / ((x - knee) + (1 - knee))

/**
 * Maps interleaved pixels (8- or 16-bit, 3 or 4 channels, the 4th being alpha) to 8-bit sRGB.
 */
export function mapToSrgb8 (pixels: Uint16Array | Uint8Array, channels: number, nclx: Nclx): Buffer {
  const bits = pixels instanceof Uint8Array ? 8 : 16
  const table = decodeTable(nclx.transfer, bits)
  const matrix = toSrgbPrimaries[nclx.primaries] ?? [1, 0, 0, 0, 1, 0, 0, 0, 1]
  const hdr = nclx.transfer === PQ || nclx.transfer === HLG
  const alphaScale = bits === 8 ? 1 : 1 / 257
  const out = Buffer.alloc(pixels.length)
  for (let i = 0; i < pixels.length; i += channels) {
    const r0 = table[pixels[i]]
    const g0 = table[pixels[i + 1]]
    const b0 = table[pixels[i + 2]]
    let r = Math.max(0, matrix[0] * r0 + matrix[1] * g0 + matrix[2] * b0)
    let g = Math.max(0, matrix[3] * r0 + matrix[4] * g0 + matrix[5] * b0)
    let b = Math.max(0, matrix[6] * r0 + matrix[7] * g0 + matrix[8] * b0)
    const peak = Math.max(r, g, b)
    if (hdr && peak > knee) {
      const scale = shoulder(peak) / peak
      r *= scale
      g *= scale
      b *= scale
    }
    out[i] = encodeTable[Math.round(Math.min(1, r) * encodeSteps)]
    out[i + 1] = encodeTable[Math.round(Math.min(1, g) * encodeSteps)]
    out[i + 2] = encodeTable[Math.round(Math.min(1, b) * encodeSteps)]
    if (channels === 4) out[i + 3] = Math.round(pixels[i + 3] * alphaScale)
  }
  return out
}
