/**
 * Raw pixels for the ML models: a photo (in practice its upright JPEG preview) decoded to packed
 * 8-bit RGB, and raw RGB resized, with sharp. The ML code works on these buffers and never imports
 * sharp itself.
 *
 * @example
 * const pixels = createPixelReader()
 * const img = await pixels.read('/data/thumbs/ab/cd/x-preview.jpeg')   // { data, width, height }
 * const small = await pixels.resize(img, 640, 480)
 * const { image, width, height } = await decodeUpright(bytesOrPath)   // EXIF orientation applied
 */
import sharp from 'sharp'
import { ImageError } from './errors.ts'

/** Packed RGB, 3 bytes a pixel, rows top to bottom. */
export interface RgbImage { data: Uint8Array, width: number, height: number }

export interface PixelReader {
  /** Decodes a photo to RGB (alpha dropped, no rotation: previews are already upright). */
  read(path: string): Promise<RgbImage>
  /** Resizes to exactly `width` x `height` (the aspect ratio may change), with a linear filter. */
  resize(image: RgbImage, width: number, height: number): Promise<RgbImage>
}

export function createPixelReader ({ pixelLimit = 100_000_000 }: { pixelLimit?: number } = {}): PixelReader {
  return {
    async read (path) {
      try {
        const { data, info } = await sharp(path, { limitInputPixels: pixelLimit, failOn: 'error' })
          .removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
        if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`)
        return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
      } catch (err) {
        throw new ImageError('the image could not be decoded', path, { cause: err })
      }
    },
    async resize (image, width, height) {
      const { data } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize(width, height, { fit: 'fill', kernel: 'linear' }).raw().toBuffer({ resolveWithObject: true })
      return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height }
    },
  }
}

/**
 * The size of `input` upright (EXIF orientation applied), from its header alone: no pixel is
 * decoded, so a file truncated after its header passes here and fails at its decode.
 */
export async function uprightSize (input: string | Buffer, { pixelLimit = 100_000_000 } = {}): Promise<{ width: number, height: number }> {
  const meta = await sharp(input, { limitInputPixels: pixelLimit, failOn: 'error' }).metadata()
  if (meta.width === undefined || meta.height === undefined) throw new Error('the image has no size')
  const swap = (meta.orientation ?? 1) >= 5
  return swap ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height }
}

/** What the ML code decodes at most: a 1440 px preview of any usual aspect (3:2 is 3.1 MP, 16:9 3.7 MP) as it is. */
export const ML_MAX_PIXELS = 2048 * 2048

/**
 * Decodes `input` (a path or the file's bytes) upright, EXIF orientation applied, to packed RGB,
 * scaled down only when it has more than `maxPixels` pixels; `width` and `height` are the upright
 * image's own. The size is read from the header first: a bounded resize that sharp is asked for
 * but that changes nothing still cost a second pass over the pixels (twice the decode's time on a
 * 1440x1920 preview, bench/ml/README.md), and a cap on the long side resized every 3:2 preview.
 */
export async function decodeUpright (input: string | Buffer, { maxPixels = ML_MAX_PIXELS, pixelLimit = 100_000_000 } = {}): Promise<{ image: RgbImage, width: number, height: number }> {
  const { width, height } = await uprightSize(input, { pixelLimit })
  let pipeline = sharp(input, { limitInputPixels: pixelLimit, failOn: 'error' }).rotate()
  if (width * height > maxPixels) {
    const k = Math.sqrt(maxPixels / (width * height))
    pipeline = pipeline.resize(Math.max(1, Math.floor(width * k)), Math.max(1, Math.floor(height * k)), { fit: 'fill' })
  }
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`)
  return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, width, height }
}
