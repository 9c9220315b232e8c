/**
 * What the ingest pipeline needs from the media adapters in node/media/ (sharp, exiftool, ffmpeg).
 * Declared here so the pipeline can be tested with any implementation and never imports them.
 */
export interface ExtractedMetadata {
  dateTimeOriginal: Date | null
  /** True when the file holds no date and its modification time stands in. */
  dateFromFileTime: boolean
  timeZone: string | null
  localDateTime: Date | null
  latitude: number | null
  longitude: number | null
  make: string | null
  model: string | null
  lensModel: string | null
  fNumber: number | null
  exposureTime: string | null
  iso: number | null
  focalLength: number | null
  orientation: number | null
  rating: number | null
  description: string | null
  keywords: string[]
  exifImageWidth: number | null
  exifImageHeight: number | null
  projectionType: string | null
  livePhotoCID: string | null
  motionPhoto: boolean
  /** The tag holding a motion photo's video, for extractBinaryTag. */
  embeddedVideoTag?: string | null
  duration: number | null
}

export interface MetadataPort {
  read(path: string, options?: { sidecarPath?: string }): Promise<ExtractedMetadata>
  /** Writes an embedded binary (a motion photo's video, a RAW's preview) to `dest`; false when absent. */
  extractBinaryTag(path: string, tag: string, dest: string): Promise<boolean>
  close(): Promise<void>
}

export interface ImagePort {
  generate(
    input: { path: string, mimeType: string, orientation?: number | null },
    out: { thumbnailPath: string, previewPath: string },
    options?: { signal?: AbortSignal },
  ): Promise<{ width: number, height: number, thumbhash: Buffer }>
}

export interface VideoInfo {
  /** Seconds; null when the container does not say. */
  duration: number | null
  /** As displayed (after rotation). */
  width: number
  height: number
  rotation: number
  videoCodec: string | null
  audioCodec: string | null
  container: string
  fps: number | null
  creationTime?: Date | null
}

export interface VideoPort {
  probe(path: string): Promise<VideoInfo>
  poster(path: string, outJpegPath: string, options?: { atSeconds?: number }): Promise<void>
  needsTranscode(info: VideoInfo): boolean
  transcode(path: string, outMp4Path: string, options?: { targetHeight?: number, signal?: AbortSignal, onProgress?: (fraction: number) => void }): Promise<void>
}

/** Media errors the adapters throw for a file that cannot be read: the asset fails with this reason, no retry. */
export const isUnreadableFileError = (err: unknown): boolean =>
  ['ImageError', 'VideoError', 'MetadataError'].includes((err as Error).name)
