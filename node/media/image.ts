/**
 * Makes a photo's thumbnail (WebP), preview (JPEG) and thumbhash placeholder, upright and in sRGB, from
 * any format Hearth accepts: what libvips reads (JPEG, PNG, WebP, GIF, TIFF, AVIF 8/10-bit), HEIC/HEIF and
 * JPEG XL through WebAssembly decoders (wasm-decoder.ts), and RAW files through the JPEG preview their
 * camera embedded (extracted by metadata.ts). The only module that imports sharp.
 *
 * Sizes follow Immich: the *smaller* side becomes 250 px (thumbnail) or 1440 px (preview), never
 * upscaled, so a 4032x3024 photo gives a 333x250 thumbnail and a 1920x1440 preview. The longer side is
 * also capped at four times that, so a 30:1 panorama does not make a 43,000-pixel-wide preview (WebP
 * cannot exceed 16,383 px anyway).
 *
 * @example
 * const images = createImageProcessor({ metadata })
 * const { width, height, thumbhash } = await images.generate(
 *   { path: '/photos/IMG_0001.HEIC', mimeType: 'image/heic', orientation: 6 },
 *   { thumbnailPath: '/data/thumbs/ab/abcd-thumbnail.webp', previewPath: '/data/thumbs/ab/abcd-preview.jpeg' })
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm } from 'node:fs/promises'
import { availableParallelism, totalmem } from 'node:os'
import { basename, dirname, join } from 'node:path'
import sharp from 'sharp'
import type { Sharp, SharpOptions } from 'sharp'
import { rgbaToThumbHash } from 'thumbhash'
import { ImageError, ImageTooLargeError, MediaError } from './errors.ts'
import { mapToSrgb8, needsColourMapping } from './hdr.ts'
import { readHead, readNclx, sniffFormat } from './image-format.ts'
import type { Nclx } from './image-format.ts'
import type { MetadataReader, PreviewTag } from './metadata.ts'
import { rawMimeTypes } from '../assets/media-types.ts'
import { rawToTiff } from './tiff.ts'
import { createWasmDecoder } from './wasm-decoder.ts'

export interface ImageInput {
  path: string
  mimeType: string
  /**
   * EXIF orientation 1-8 from metadata.ts (an XMP sidecar's wins over the file's); when absent, the
   * file's own tag is used. Ignored for HEIF, AVIF and JPEG XL, whose decoders already apply the
   * container's rotation and mirroring, and where the EXIF tag only repeats it.
   */
  orientation?: number | null
}

export interface ImageOutput { thumbnailPath: string, previewPath: string }

export interface GeneratedImage {
  /** The upright size of what was rendered: the original, or for RAW files the camera's embedded preview. */
  width: number
  height: number
  /** ThumbHash bytes (about 25), for a blurred placeholder while the thumbnail loads. */
  thumbhash: Buffer
}

export interface ImageProcessor {
  generate (input: ImageInput, out: ImageOutput, options?: { signal?: AbortSignal }): Promise<GeneratedImage>
  close (): Promise<void>
}

export interface ImageProcessorOptions {
  /** Images with more pixels are refused (decompression bombs). Default 100 megapixels. */
  pixelLimit?: number
  thumbnailSize?: number
  previewSize?: number
  /** Needed for RAW files, whose embedded preview is extracted with exiftool. */
  metadata?: Pick<MetadataReader, 'extractBinaryTag'>
  /** Worker threads for the WebAssembly decoders. Default: 1, or more with ≥ 4 cores and ≥ 4 GB. */
  decodeWorkers?: number
}

const previewTags: PreviewTag[] = ['JpgFromRaw', 'PreviewImage', 'OtherImage', 'ThumbnailImage']

/** The (rotate, mirror) that sharp needs for each EXIF orientation; checked by pixels in image.test.ts. */
const orientationOps: Record<number, { rotate?: 90 | 180 | 270, flip?: boolean, flop?: boolean }> = {
  1: {}, 2: { flop: true }, 3: { rotate: 180 }, 4: { flip: true }, 5: { rotate: 90, flip: true }, 6: { rotate: 90 }, 7: { rotate: 270, flip: true }, 8: { rotate: 270 },
}

/**
 * A decoded source: a sharp pipeline factory over the full image (not yet upright), how to make it
 * upright, its upright size, the nclx colour description when libvips would misread the colours.
 */
interface Source {
  open (): Sharp
  orientation: number | 'auto'
  width: number
  height: number
  nclx?: Nclx
  cleanup (): Promise<void>
}

/** Smaller side to `size`, never upscaled, longer side capped at 4 × size. */
function fitSize (width: number, height: number, size: number): { width: number, height: number } {
  const scale = Math.min(1, size / Math.min(width, height), (4 * size) / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

const tempName = (path: string) => join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)

/** Writes through a temporary name in the same folder, then renames: readers never see half a file. */
async function writeAtomically (path: string, pipeline: Sharp): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const temp = tempName(path)
  try {
    await pipeline.toFile(temp)
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

/** libvips' and the file system's messages, turned into reasons a person understands. */
function imageError (err: unknown, path: string, pixelLimit: number): Error {
  if (err instanceof ImageError) return err
  if (err instanceof MediaError) return new ImageError(err.reason, path, { cause: err })
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const message = err instanceof Error ? err.message : String(err)
  if (code === 'ENOENT' || /input file is missing/i.test(message)) return new ImageError('the file does not exist', path, { cause: err })
  if (code === 'EACCES' || code === 'EPERM') return new ImageError('the file cannot be read (permission denied)', path, { cause: err })
  if (code === 'ENOSPC') return new ImageError('the disk is full: the thumbnail could not be written', path, { cause: err })
  if (/exceeds pixel limit/i.test(message)) return new ImageTooLargeError(path, Number.NaN, pixelLimit)
  if (/corrupt|invalid|bad huffman|found marker/i.test(message) && /jpeg/i.test(message)) {
    return new ImageError('not a valid JPEG: the image data is damaged', path, { cause: err })
  }
  if (/premature end|truncated|unexpected end|end of (file|stream|data)|not enough data|short read/i.test(message)) {
    return new ImageError('the file is truncated (it may not have finished copying)', path, { cause: err })
  }
  if (/unsupported image format/i.test(message)) return new ImageError('not an image format Hearth can read, or not an image at all', path, { cause: err })
  const kind = /VipsJpeg|jpeg/i.test(message) ? 'JPEG' : /png/i.test(message) ? 'PNG' : /tiff/i.test(message) ? 'TIFF' : /webp/i.test(message) ? 'WebP' : /gif/i.test(message) ? 'GIF' : /heif|avif/i.test(message) ? 'AVIF/HEIF' : undefined
  const detail = message.split('\n')[0].replace(/^Vips\w+: /, '').slice(0, 160)
  return new ImageError(kind !== undefined ? `not a valid ${kind} (${detail})` : `the image cannot be decoded (${detail})`, path, { cause: err })
}

export function createImageProcessor (options: ImageProcessorOptions = {}): ImageProcessor {
  const pixelLimit = options.pixelLimit ?? 100_000_000
  const thumbnailSize = options.thumbnailSize ?? 250
  const previewSize = options.previewSize ?? 1440
  const cores = availableParallelism()
  const wasm = createWasmDecoder({ workers: options.decodeWorkers ?? (cores >= 4 && totalmem() >= 4 * 2 ** 30 ? 2 : 1) })
  // Ingest already runs one image per core, so one libvips thread per image uses the machine without
  // oversubscribing it; and every file is read once, so libvips' operation cache only holds memory.
  sharp.concurrency(1)
  sharp.cache(false)

  // 'error' stops on truncated files and on corrupt compressed data, which would otherwise come out grey;
  // mere warnings (stray bytes after the image, odd markers) still give a picture, which is what a person wants.
  const sharpOptions: SharpOptions = { failOn: 'error', limitInputPixels: pixelLimit, sequentialRead: true }

  async function fromFile (path: string, orientation: number | 'auto', nclx?: Nclx): Promise<Omit<Source, 'cleanup'> & { hasProfile: boolean }> {
    // The header alone, without the pixel limit, so that a bomb is reported with its size.
    const info = await sharp(path, { ...sharpOptions, limitInputPixels: false }).metadata()
    if (info.width === undefined || info.height === undefined) throw new ImageError('the image declares no size', path)
    if (info.width * info.height > pixelLimit) throw new ImageTooLargeError(path, info.width * info.height, pixelLimit)
    const turned = orientation === 'auto' ? (info.orientation ?? 1) >= 5 : orientation >= 5
    return {
      open: () => sharp(path, sharpOptions),
      orientation,
      width: turned ? info.height : info.width,
      height: turned ? info.width : info.height,
      nclx,
      hasProfile: info.hasProfile === true,
    }
  }

  async function rawPreview (input: ImageInput, out: ImageOutput): Promise<Source> {
    if (options.metadata === undefined) throw new ImageError('RAW files need the metadata reader to extract their preview', input.path)
    const temp = tempName(out.previewPath)
    await mkdir(dirname(temp), { recursive: true })
    for (const tag of previewTags) {
      if (!await options.metadata.extractBinaryTag(input.path, tag, temp)) continue
      try {
        const explicit = input.orientation !== undefined && input.orientation !== null && input.orientation in orientationOps
        // The camera's orientation is in the RAW file's tags; the embedded JPEG usually has none of its own.
        const source = await fromFile(temp, explicit ? input.orientation! : 'auto')
        // Some tags hold something other than a JPEG (raw strips, a maker's own format): decode a tiny
        // version (JPEG shrink-on-load makes this cheap) and move on to the next tag if it fails.
        await source.open().resize(8, 8).raw().toBuffer()
        return { ...source, cleanup: () => rm(temp, { force: true }) }
      } catch (err) {
        await rm(temp, { force: true })
        if (err instanceof ImageTooLargeError) throw err
      }
    }
    throw new ImageError('this RAW file has no embedded preview that Hearth can show', input.path)
  }

  async function openSource (input: ImageInput, out: ImageOutput, signal?: AbortSignal): Promise<Source> {
    const noCleanup = async () => {}
    if (rawMimeTypes.test(input.mimeType)) return await rawPreview(input, out)
    const format = sniffFormat(await readHead(input.path, 64))
    if (format === 'heif' || format === 'jxl') {
      const pixels = await wasm.decode(input.path, format, { pixelLimit, signal })
      const { width, height, channels, data, icc } = pixels
      const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      const open = icc !== undefined
        ? () => sharp(rawToTiff({ data: buffer, width, height, channels, icc }), sharpOptions)
        : () => sharp(buffer, { ...sharpOptions, raw: { width, height, channels } })
      return { open, orientation: 1, width, height, cleanup: noCleanup }
    }
    if (format === 'avif') {
      // An ICC profile, when there is one, is what libvips converts with; the nclx box is only used without one.
      const nclx = await readNclx(input.path)
      const source = await fromFile(input.path, 1, needsColourMapping(nclx) ? nclx : undefined)
      return { ...source, nclx: source.hasProfile ? undefined : source.nclx, cleanup: noCleanup }
    }
    const explicit = input.orientation !== undefined && input.orientation !== null && input.orientation in orientationOps
    return { ...await fromFile(input.path, explicit ? input.orientation! : 'auto'), cleanup: noCleanup }
  }

  /** The preview-sized, upright, 8-bit sRGB pixels every output is made from: the big image is decoded once. */
  async function renderBase (source: Source): Promise<{ data: Buffer, width: number, height: number, channels: 3 | 4 }> {
    const size = fitSize(source.width, source.height, previewSize)
    let pipeline = source.open()
    if (source.orientation === 'auto') {
      pipeline = pipeline.autoOrient()
    } else {
      const ops = orientationOps[source.orientation]
      if (ops.rotate !== undefined) pipeline = pipeline.rotate(ops.rotate)
      if (ops.flip === true) pipeline = pipeline.flip()
      if (ops.flop === true) pipeline = pipeline.flop()
    }
    pipeline = pipeline.resize(size.width, size.height, { fit: 'fill' })
    if (source.nclx !== undefined) {
      // Keep the 16-bit code values: hdr.ts decodes the transfer function itself.
      const { data, info } = await pipeline.toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true })
      const channels = info.channels === 4 ? 4 : 3
      const samples = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
      return { data: mapToSrgb8(samples, channels, source.nclx), width: info.width, height: info.height, channels }
    }
    const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
    if (info.channels !== 3 && info.channels !== 4) throw new Error(`unexpected ${info.channels} channels after conversion to sRGB`)
    return { data, width: info.width, height: info.height, channels: info.channels }
  }

  return {
    async generate (input, out, { signal } = {}) {
      signal?.throwIfAborted()
      let source: Source | undefined
      try {
        source = await openSource(input, out, signal)
        signal?.throwIfAborted()
        const base = await renderBase(source)
        signal?.throwIfAborted()
        const raw = { raw: { width: base.width, height: base.height, channels: base.channels } }
        // From the original's size, not the preview's, so rounding does not drift by a pixel.
        const thumb = fitSize(source.width, source.height, thumbnailSize)
        const [thumbhash] = await Promise.all([
          sharp(base.data, raw).resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
            .then(({ data, info }) => Buffer.from(rgbaToThumbHash(info.width, info.height, data))),
          // JPEG has no alpha: transparent areas become white, as on a page, not black.
          writeAtomically(out.previewPath, sharp(base.data, raw).flatten({ background: '#ffffff' }).jpeg({ quality: 80, progressive: true })),
          writeAtomically(out.thumbnailPath, sharp(base.data, raw).resize(thumb.width, thumb.height, { fit: 'fill' }).webp({ quality: 80, effort: 4 })),
        ])
        return { width: source.width, height: source.height, thumbhash }
      } catch (err) {
        if (signal?.aborted === true) throw signal.reason
        throw imageError(err, input.path, pixelLimit)
      } finally {
        await source?.cleanup()
      }
    },
    close: () => wasm.close(),
  }
}
