/**
 * Reads what a photo or video says about itself (capture time and zone, place, camera, exposure, rating,
 * keywords, live/motion-photo links) with exiftool, and extracts binary tags (RAW previews, the video
 * inside a motion photo). The only module that imports exiftool-vendored; one ExifTool process pool is
 * shared by everything that reads metadata, so call `close()` on shutdown.
 *
 * @example
 * const metadata = createMetadataReader()
 * const exif = await metadata.read('/photos/IMG_0001.HEIC', { sidecarPath: '/photos/IMG_0001.HEIC.xmp' })
 * // exif.dateTimeOriginal, exif.timeZone ('America/Chicago'), exif.latitude, exif.keywords ...
 * if (exif.embeddedVideoTag) await metadata.extractBinaryTag('/photos/IMG_0001.HEIC', exif.embeddedVideoTag, '/data/motion/0001.mp4')
 * await metadata.close()
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { dirname, join, basename } from 'node:path'
import tzLookup from '@photostructure/tz-lookup'
import { BinaryField, DefaultExifToolOptions, ExifTool } from 'exiftool-vendored'
import type { Tags } from 'exiftool-vendored'
import { FILE_TIME_SOURCE, resolveCaptureTime } from './capture-time.ts'
import { MetadataError } from './errors.ts'
import { extractKeywords } from './keywords.ts'

/** What Hearth stores about a file, with Immich's field names (see node/assets/exif.ts). */
export interface ExtractedMetadata {
  /** The instant the photo was taken (capture-time.ts explains the order of tags, the zone and the fallbacks). */
  dateTimeOriginal: Date | null
  /** 'Europe/Lisbon' when the place is known, else an offset such as 'UTC+01:00', else null. */
  timeZone: string | null
  /** The wall-clock time where it was taken, written as if it were UTC (as Immich stores it). */
  localDateTime: Date | null
  /** Which tag the date came from ('DateTimeOriginal', 'sidecar CreateDate', 'file modification time'). */
  dateSource: string
  /** True when the file holds no date and its modification time stands in. */
  dateFromFileTime: boolean
  latitude: number | null
  longitude: number | null
  make: string | null
  model: string | null
  lensModel: string | null
  fNumber: number | null
  /** As photographers write it: '1/250', or '2' for two seconds. */
  exposureTime: string | null
  iso: number | null
  /** In millimetres, as on the lens (not the 35 mm equivalent). */
  focalLength: number | null
  /** EXIF orientation 1-8. For HEIC/AVIF/JXL it only describes what the container's own transform already does; image.ts ignores it there. */
  orientation: number | null
  /** -1 (rejected) to 5. */
  rating: number | null
  description: string | null
  keywords: string[]
  /**
   * The pixel size as stored, before the orientation is applied (so a portrait photo from a camera held
   * upright, with orientation 6, reports width > height), which is what Immich stores too; the upright size
   * comes back from image.ts. For RAW files it is the sensor's size.
   */
  exifImageWidth: number | null
  exifImageHeight: number | null
  /** 'EQUIRECTANGULAR' for 360° panoramas (XMP GPano), else null. */
  projectionType: string | null
  /** Apple ContentIdentifier (or MediaGroupUUID): the same value in a Live Photo's HEIC/JPEG and its MOV. */
  livePhotoCID: string | null
  /** A Samsung or Google motion photo: a still with a short video inside. */
  motionPhoto: boolean
  /** The binary tag holding that video, for extractBinaryTag; null when none is embedded. */
  embeddedVideoTag: EmbeddedVideoTag | null
  /** Seconds, for videos (and animations). */
  duration: number | null
  fps: number | null
  mimeType: string | null
  fileSizeInByte: number
}

/** Binary tags worth extracting: RAW previews (largest first) and the video of a motion photo. */
export type PreviewTag = 'JpgFromRaw' | 'PreviewImage' | 'OtherImage' | 'ThumbnailImage'
export type EmbeddedVideoTag = 'MotionPhotoVideo' | 'EmbeddedVideoFile' | 'EmbeddedVideo'
export type BinaryTag = PreviewTag | EmbeddedVideoTag

export interface MetadataReader {
  read (path: string, options?: { sidecarPath?: string }): Promise<ExtractedMetadata>
  /** Writes the tag's bytes to `dest` (via a temporary name, then rename). False when the file has no such tag. */
  extractBinaryTag (path: string, tag: BinaryTag, dest: string): Promise<boolean>
  close (): Promise<void>
}

export interface MetadataReaderOptions {
  /** ExifTool processes to run at most. Default: one per core, since ingest reads one file per core. */
  maxProcs?: number
  /** A file that takes longer than this is given up (exiftool is restarted). Default 60 s. */
  taskTimeoutMs?: number
}

const geoTz = (lat: number, lon: number) => tzLookup(lat, lon)

export function createMetadataReader (options: MetadataReaderOptions = {}): MetadataReader {
  const exiftool = new ExifTool({
    maxProcs: options.maxProcs ?? Math.max(1, availableParallelism()),
    taskTimeoutMillis: options.taskTimeoutMs ?? 60_000,
    // Plain tag names, and the order of date tags decided in capture-time.ts rather than by MWG's
    // composites (which would, for example, put XMP photoshop:DateCreated before IPTC's date and time).
    useMWG: false,
    numericTags: [...DefaultExifToolOptions.numericTags, 'FocalLength', 'FNumber', 'ISO', 'Rating', 'VideoFrameRate', 'ImageWidth', 'ImageHeight'],
    // No -fast: Samsung and Google motion photos keep their video after the JPEG's end, which -fast skips.
    readArgs: ['-api', 'largefilesupport=1'],
    geoTz,
  })

  async function readTags (path: string, what: string): Promise<Tags> {
    let tags: Tags
    try {
      tags = await exiftool.read(path)
    } catch (err) {
      throw new MetadataError(readableReason(err, what), path, { cause: err })
    }
    const error = (tags as Record<string, unknown>).Error
    if (typeof error === 'string' && error !== '') throw new MetadataError(readableReason(new Error(error), what), path)
    return tags
  }

  return {
    async read (path, { sidecarPath } = {}) {
      const info = await stat(path).catch((err: unknown) => { throw new MetadataError(readableReason(err, 'file'), path, { cause: err }) })
      if (!info.isFile()) throw new MetadataError('not a file', path)
      if (info.size === 0) throw new MetadataError('the file is empty', path)
      const file = await readTags(path, 'file')
      const mimeType = str(file.MIMEType)
      if (mimeType !== null && !/^(image|video|audio)\//.test(mimeType)) {
        throw new MetadataError(`not a photo or video (exiftool sees ${mimeType})`, path)
      }
      const sidecar = sidecarPath === undefined ? undefined : await readTags(sidecarPath, 'sidecar')
      return toExtracted(file, sidecar, info.mtime, info.size)
    },

    async extractBinaryTag (path, tag, dest) {
      await mkdir(dirname(dest), { recursive: true })
      const temp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.tmp`)
      try {
        await exiftool.extractBinaryTag(tag, path, temp)
      } catch (err) {
        await rm(temp, { force: true })
        if (err instanceof Error && /\b0 output files created|no such tag|not found in/i.test(err.message)) return false
        throw new MetadataError(readableReason(err, 'file'), path, { cause: err })
      }
      const written = await stat(temp).catch(() => undefined)
      if (written === undefined || written.size === 0) {
        await rm(temp, { force: true })
        return false
      }
      await rename(temp, dest)
      return true
    },

    async close () {
      await exiftool.end()
    },
  }
}

/** A reason a person can act on, from what exiftool or the file system said. */
function readableReason (err: unknown, what: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const message = err instanceof Error ? err.message : String(err)
  if (code === 'ENOENT' || /file not found/i.test(message)) return `the ${what} does not exist`
  if (code === 'EACCES' || code === 'EPERM' || /permission denied/i.test(message)) return `the ${what} cannot be read (permission denied)`
  if (/file is empty/i.test(message)) return `the ${what} is empty`
  if (/unknown file type|file format error|not a valid/i.test(message)) return `the ${what} is not a photo or video that can be read, or it is damaged`
  if (/timeout|timed out/i.test(message)) return `reading the ${what}'s metadata took too long`
  return `the ${what}'s metadata cannot be read (${message.split('\n')[0].slice(0, 200)})`
}

type TagBag = Record<string, unknown>

function toExtracted (fileTags: Tags, sidecarTags: Tags | undefined, mtime: Date, size: number): ExtractedMetadata {
  const file = fileTags as TagBag
  const sidecar = sidecarTags as TagBag | undefined
  // The sidecar wins tag by tag (dates are handled as a whole in capture-time.ts).
  const tag = (...names: string[]): unknown => {
    for (const source of sidecar === undefined ? [file] : [sidecar, file]) {
      for (const name of names) {
        const value = source[name]
        if (value !== undefined && value !== null && value !== '') return value
      }
    }
    return undefined
  }
  const position = gpsPosition(sidecar) ?? gpsPosition(file)
  let gpsZone: string | undefined
  if (position !== undefined) {
    try { gpsZone = geoTz(position.latitude, position.longitude) } catch { gpsZone = undefined }
  }
  const time = resolveCaptureTime({ file, sidecar, fileModifiedAt: mtime, gpsZone })
  const orientation = num(tag('Orientation'))
  const rating = num(tag('Rating'))
  const embeddedVideoTag = (['MotionPhotoVideo', 'EmbeddedVideoFile', 'EmbeddedVideo'] as const).find((name) => file[name] instanceof BinaryField) ?? null
  return {
    dateTimeOriginal: time.dateTimeOriginal,
    timeZone: time.timeZone,
    localDateTime: time.localDateTime,
    dateSource: time.source,
    dateFromFileTime: time.source === FILE_TIME_SOURCE,
    latitude: position?.latitude ?? null,
    longitude: position?.longitude ?? null,
    make: str(tag('Make')),
    model: str(tag('Model')),
    lensModel: lensModel(tag('LensModel'), tag('LensID'), tag('Lens')),
    fNumber: positive(tag('FNumber')),
    exposureTime: exposure(tag('ExposureTime')),
    iso: positive(first(tag('ISO'))),
    focalLength: positive(tag('FocalLength')),
    orientation: orientation !== null && Number.isInteger(orientation) && orientation >= 1 && orientation <= 8 ? orientation : null,
    rating: rating !== null && rating >= -1 && rating <= 5 ? Math.round(rating) : null,
    description: description(tag('Description', 'ImageDescription', 'Caption-Abstract')),
    keywords: extractKeywords(sidecar === undefined ? [file] : [sidecar, file]),
    exifImageWidth: positive(file.ImageWidth ?? file.ExifImageWidth),
    exifImageHeight: positive(file.ImageHeight ?? file.ExifImageHeight),
    projectionType: str(tag('ProjectionType'))?.toUpperCase() ?? null,
    livePhotoCID: str(tag('ContentIdentifier', 'MediaGroupUUID')),
    motionPhoto: embeddedVideoTag !== null || isTrue(tag('MotionPhoto')) || isTrue(tag('MicroVideo')),
    embeddedVideoTag,
    duration: positive(file.Duration),
    fps: positive(file.VideoFrameRate),
    mimeType: str(file.MIMEType),
    fileSizeInByte: size,
  }
}

function gpsPosition (tags: TagBag | undefined): { latitude: number, longitude: number } | undefined {
  if (tags === undefined) return undefined
  const latitude = num(tags.GPSLatitude)
  const longitude = num(tags.GPSLongitude)
  if (latitude === null || longitude === null) return undefined
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined
  // (0, 0) is what some phones write when they had no fix.
  if (latitude === 0 && longitude === 0) return undefined
  return { latitude, longitude }
}

const first = (value: unknown) => Array.isArray(value) ? value[0] : value

function num (value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number.parseFloat(value)
    return Number.isFinite(n) ? n : null
  }
  return null
}

const positive = (value: unknown) => {
  const n = num(value)
  return n !== null && n > 0 ? n : null
}

function str (value: unknown): string | null {
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'string') return null
  const trimmed = value.replace(/\0/g, '').trim()
  return trimmed === '' ? null : trimmed
}

const isTrue = (value: unknown) => value === 1 || value === true || value === '1' || (typeof value === 'string' && /^(yes|true)$/i.test(value))

function exposure (value: unknown): string | null {
  if (typeof value === 'number') {
    if (!(value > 0)) return null
    return value >= 1 ? String(Math.round(value * 10) / 10) : `1/${Math.round(1 / value)}`
  }
  return str(value)
}

function lensModel (...candidates: unknown[]): string | null {
  for (const candidate of candidates) {
    const name = str(candidate)
    // exiftool's LensID says 'Unknown (...)' when it cannot name the lens; '----' is a Sony placeholder.
    if (name !== null && !/^unknown\b/i.test(name) && !/^-+$/.test(name)) return name
  }
  return null
}

// Cameras fill ImageDescription with their own name; that is not something a person wrote.
const cameraDefaults = /^(OLYMPUS DIGITAL CAMERA|SONY DSC|DIGITAL CAMERA|KODAK Digital Still Camera|Default|DCIM|SAMSUNG|MINOLTA DIGITAL CAMERA|Exif_JPEG_PICTURE|LEICA DIGITAL CAMERA)$/i

function description (value: unknown): string | null {
  const text = Array.isArray(value) ? str(value.join(' ')) : str(value)
  if (text === null || cameraDefaults.test(text)) return null
  return text
}
