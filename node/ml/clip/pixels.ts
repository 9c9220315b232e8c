/**
 * The pixel adapter for CLIP and perceptual hashing: decodes a preview JPEG with sharp and returns
 * the numbers a model or a hash needs. Kept here so the CLIP and duplicate services never import
 * sharp themselves.
 *
 * @example
 * const chw = await clipInput('/data/thumbs/ab/abcd-preview.jpeg')      // Float32Array(3*224*224)
 * const gray = await grayscale('/data/thumbs/ab/abcd-preview.jpeg', 32) // Float64Array(32*32), 0..255
 */
import sharp from 'sharp'
import { ImageError } from '../../media/errors.ts'

/** CLIP ViT-B/32's normalisation (OpenAI's, also Immich's). */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const

export interface ClipInputOptions {
  size?: number
  mean?: readonly number[]
  std?: readonly number[]
  /**
   * Refuse a corrupt or truncated image (ImageError) instead of using what decodes of it (a
   * preview Hearth made is taken as it is; bytes a client sent are checked). `pixelLimit` caps the
   * image's pixels (sharp's limitInputPixels).
   */
  strict?: { pixelLimit: number }
}

/**
 * CLIP's preprocessing: shortest side resized to `size` (bicubic), centre crop `size`x`size`, RGB,
 * (x/255 - mean) / std, planar (CHW). Accepts a path or an encoded image.
 */
export async function clipInput (image: string | Buffer, { size = 224, mean = CLIP_MEAN, std = CLIP_STD, strict }: ClipInputOptions = {}): Promise<Float32Array> {
  const decode = () => sharp(image, strict === undefined ? { failOn: 'none' } : { failOn: 'error', limitInputPixels: strict.pixelLimit })
    .rotate() // previews are upright already; a raw upload may not be
    .removeAlpha()
    .toColourspace('srgb')
    .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const { data, info } = strict === undefined
    ? await decode()
    : await decode().catch((err: unknown) => { throw new ImageError('the image could not be decoded', typeof image === 'string' ? image : 'the image sent', { cause: err }) })
  if (info.channels !== 3 || info.width !== size || info.height !== size) throw new Error(`unexpected decoded image ${info.width}x${info.height}x${info.channels}`)
  const plane = size * size
  const out = new Float32Array(3 * plane)
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (data[i * 3 + c]! / 255 - mean[c]!) / std[c]!
  }
  return out
}

/** The image squashed to `size`x`size` grey levels (0..255), aspect ignored, as pHash wants. */
export async function grayscale (image: string | Buffer, size: number): Promise<Float64Array> {
  const { data, info } = await sharp(image, { failOn: 'none' })
    .rotate()
    .removeAlpha()
    .resize(size, size, { fit: 'fill', kernel: 'cubic' })
    .grayscale()
    .raw()
    .toBuffer({ resolveWithObject: true })
  if (info.width !== size || info.height !== size) throw new Error(`unexpected decoded image ${info.width}x${info.height}`)
  const out = new Float64Array(size * size)
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels]!
  return out
}

/** Width and height of an encoded image (for picking the best copy among duplicates). */
export async function imageSize (image: string | Buffer): Promise<{ width: number, height: number }> {
  const m = await sharp(image).metadata()
  return { width: m.width, height: m.height }
}
