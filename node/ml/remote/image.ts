/**
 * The image adapter of Hearth's ML server (the only file in remote/ that imports sharp): decodes the
 * bytes a client sent, upright (EXIF orientation applied, as Immich's ML service does), to packed
 * RGB, scaled down to at most `maxSide` on the long side.
 *
 * @example
 * const { image, width, height } = await decodeUpright(bytes, { maxSide: 2048 })
 */
import sharp from 'sharp'
import type { RgbImage } from '../../media/pixels.ts'

/** The bytes are not an image this server can read (a client error: 400). */
export class UndecodableImageError extends Error {}

export async function decodeUpright (bytes: Buffer, { maxSide = 2048, pixelLimit = 100_000_000 } = {}): Promise<{ image: RgbImage, width: number, height: number }> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: pixelLimit, failOn: 'error' }).metadata()
    const swap = (meta.orientation ?? 1) >= 5
    const width = swap ? meta.height : meta.width
    const height = swap ? meta.width : meta.height
    const { data, info } = await sharp(bytes, { limitInputPixels: pixelLimit, failOn: 'error' })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha().toColourspace('srgb').raw()
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`)
    return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, width, height }
  } catch (err) {
    throw new UndecodableImageError(`the image could not be decoded (${(err as Error).message})`, { cause: err })
  }
}
