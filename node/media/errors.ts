/**
 * Named errors of the media adapters, one class per failure. Each carries a `reason` written for the
 * person who owns the photo ("the file is truncated"), which the ingest stores on a failed asset and
 * the UI shows; `cause` keeps the tool's own message for the logs.
 *
 * @example
 * try { await images.generate(input, out) } catch (err) {
 *   if (err instanceof ImageError) await assets.markFailed(id, err.reason)
 *   else throw err
 * }
 */

/** Base of every media error: `reason` is safe to show to a user, `path` is the file concerned. */
export class MediaError extends Error {
  readonly reason: string
  readonly path: string
  constructor (reason: string, path: string, options?: { cause?: unknown }) {
    super(`${reason}: ${path}`, options)
    this.name = new.target.name
    this.reason = reason
    this.path = path
  }
}

/** Thrown when a file's metadata cannot be read (missing, empty, not a photo or video, exiftool failed). */
export class MetadataError extends MediaError {}

/** Thrown when a photo cannot be decoded or its thumbnails cannot be written (corrupt, truncated, unsupported). */
export class ImageError extends MediaError {}

/** Thrown when an image declares more pixels than the configured limit: a decompression bomb, or simply too big. */
export class ImageTooLargeError extends ImageError {
  readonly pixels: number
  readonly limit: number
  constructor (path: string, pixels: number, limit: number) {
    const size = Number.isFinite(pixels) ? `${Math.round(pixels / 1e6)} megapixels` : 'more pixels than allowed'
    super(`the image is too large to process (${size}; the limit is ${Math.round(limit / 1e6)} megapixels)`, path)
    this.pixels = pixels
    this.limit = limit
  }
}

/** Thrown when ffprobe or ffmpeg cannot read, poster or transcode a video. */
export class VideoError extends MediaError {}

