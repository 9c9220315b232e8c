/**
 * The image adapter of the face pipeline (the only file here that imports sharp): decode a file to
 * upright raw RGB (node/media/pixels.ts), resize a region of raw RGB, and encode a face crop as JPEG. Everything else
 * (letterboxing, alignment warps, tensors) works on the raw buffers in plain code.
 *
 * @example
 * const img = await decodeRgb('/data/thumbs/…/preview.jpeg')
 * const small = await resizeRegion(img, { left: 0, top: 0, width: img.width, height: img.height }, 256, 192)
 */
import sharp from 'sharp'
import { decodeUpright, ML_MAX_PIXELS } from '../../media/pixels.ts'
import type { RgbImage } from './types.ts'

export interface Region { left: number, top: number, width: number, height: number }

/**
 * Decodes a file upright (EXIF orientation applied), as RGB; a preview as it is, anything over
 * `maxPixels` (ML_MAX_PIXELS, 4.2 MP) scaled down to that.
 */
export async function decodeRgb (path: string, { maxPixels = ML_MAX_PIXELS, limitInputPixels = 100_000_000 } = {}): Promise<RgbImage> {
  return (await decodeUpright(path, { maxPixels, pixelLimit: limitInputPixels })).image
}

/** `region` of `img`, resized (area-averaged when shrinking) to `width` x `height`. */
export async function resizeRegion (img: RgbImage, region: Region, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract(clampRegion(region, img))
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw().toBuffer({ resolveWithObject: true })
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
}

/** A square JPEG of `region` (clamped to the image), `size` pixels a side. */
export async function encodeCropJpeg (path: string, region: Region, size: number): Promise<Buffer> {
  const meta = await sharp(path).rotate().toBuffer({ resolveWithObject: true })
  const { width, height } = meta.info
  return sharp(meta.data).extract(clampRegion(region, { width, height }))
    .resize(size, size, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer()
}

function clampRegion (r: Region, img: { width: number, height: number }): Region {
  const left = Math.max(0, Math.min(img.width - 1, Math.round(r.left)))
  const top = Math.max(0, Math.min(img.height - 1, Math.round(r.top)))
  const width = Math.max(1, Math.min(img.width - left, Math.round(r.width)))
  const height = Math.max(1, Math.min(img.height - top, Math.round(r.height)))
  return { left, top, width, height }
}
