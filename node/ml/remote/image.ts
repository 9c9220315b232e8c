/**
 * Hearth's ML server's decode: the bytes a client sent, upright (EXIF orientation applied, as
 * Immich's ML service does), to packed RGB or to their size alone (node/media/pixels.ts), as a
 * client error when they are not an image.
 *
 * @example
 * const { image, width, height } = await decodeUpright(bytes)
 */
import { decodeUpright as decode, uprightSize as sizeOf, type RgbImage } from '../../media/pixels.ts'
import { ImageError } from '../../media/errors.ts'

/** The bytes are not an image this server can read (a client error: 400). */
export class UndecodableImageError extends Error {}

export async function decodeUpright (bytes: Buffer, options: { maxPixels?: number, pixelLimit?: number } = {}): Promise<{ image: RgbImage, width: number, height: number }> {
  try {
    return await decode(bytes, options)
  } catch (err) {
    throw undecodable(err)
  }
}

/** The image's upright size from its header (no pixel decoded), as a client error when it has none. */
export async function uprightSize (bytes: Buffer, options: { pixelLimit?: number } = {}): Promise<{ width: number, height: number }> {
  try {
    return await sizeOf(bytes, options)
  } catch (err) {
    throw undecodable(err)
  }
}

/** An adapter's ImageError (the bytes would not decode) as a client error; anything else (a model's failure) as it is. */
export function asClientError (err: unknown): unknown {
  return err instanceof ImageError ? undecodable(err.cause) : err
}

function undecodable (err: unknown): UndecodableImageError {
  return new UndecodableImageError(`the image could not be decoded (${(err as Error).message})`, { cause: err })
}
