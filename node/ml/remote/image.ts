/**
 * Hearth's ML server's decode: the bytes a client sent, upright (EXIF orientation applied, as
 * Immich's ML service does), to packed RGB (node/media/pixels.ts), as a client error when they are
 * not an image.
 *
 * @example
 * const { image, width, height } = await decodeUpright(bytes)
 */
import { decodeUpright as decode, type RgbImage } from '../../media/pixels.ts'

/** The bytes are not an image this server can read (a client error: 400). */
export class UndecodableImageError extends Error {}

export async function decodeUpright (bytes: Buffer, options: { maxPixels?: number, pixelLimit?: number } = {}): Promise<{ image: RgbImage, width: number, height: number }> {
  try {
    return await decode(bytes, options)
  } catch (err) {
    throw new UndecodableImageError(`the image could not be decoded (${(err as Error).message})`, { cause: err })
  }
}
