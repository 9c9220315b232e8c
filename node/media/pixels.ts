/**
 * Raw pixels for the ML models: a photo (in practice its upright JPEG preview) decoded to packed
 * 8-bit RGB, and raw RGB resized, with sharp. The ML code works on these buffers and never imports
 * sharp itself.
 *
 * @example
 * const pixels = createPixelReader()
 * const img = await pixels.read('/data/thumbs/ab/cd/x-preview.jpeg')   // { data, width, height }
 * const small = await pixels.resize(img, 640, 480)
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
