import { relative } from 'node:path'
import type { AssetRow } from './repo.ts'
import { toExifDto, type ExifRow } from './exif.ts'
import type { StackSummary } from '../stacks/repo.ts'

/** "H:MM:SS.mmm000", Immich's duration format. */
function formatDuration (seconds: number | null): string {
  if (seconds === null) return '0:00:00.00000'
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${h}:${String(m).padStart(2, '0')}:${s.toFixed(6).padStart(9, '0')}`
}

/**
 * Immich's AssetResponseDto; paths are relative to the data folder for uploads, absolute for a
 * share's files (where they are on the NAS). `ingestStatus`/`failureReason` are Hearth's: why a
 * file could not be read, shown to the user.
 */
export function toAssetDto (a: AssetRow, dataDir: string, exif?: ExifRow | null, stack?: StackSummary | null) {
  return {
    id: a.id,
    deviceAssetId: a.device_asset_id,
    deviceId: a.device_id,
    ownerId: a.owner_id,
    libraryId: a.library_id,
    type: a.type,
    originalPath: a.library_id === null ? relative(dataDir, a.original_path) : a.original_path,
    originalFileName: a.original_file_name,
    originalMimeType: a.mime_type,
    fileSize: a.file_size,
    thumbhash: a.thumbhash === null ? null : a.thumbhash.toString('base64'),
    fileCreatedAt: a.file_created_at.toISOString(),
    fileModifiedAt: a.file_modified_at.toISOString(),
    localDateTime: a.local_date_time.toISOString(),
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
    isFavorite: a.is_favorite,
    isArchived: a.visibility === 'archive',
    isTrashed: a.deleted_at !== null,
    isOffline: a.is_offline,
    visibility: a.visibility,
    duration: formatDuration(a.duration_seconds),
    livePhotoVideoId: a.live_photo_video_id,
    width: a.width,
    height: a.height,
    ingestStatus: a.ingest_status,
    failureReason: a.failure_reason,
    exifInfo: toExifDto(exif, a.file_size),
    people: [],
    checksum: a.checksum_sha1.toString('base64'),
    checksumSha256: a.checksum_sha256.toString('hex'),
    hasSidecar: a.sidecar_path !== null,
    /** The stack the asset is in (filled where the caller looked it up: one asset, a stack's photos). */
    stack: stack ?? null,
    duplicateId: null,
    hasMetadata: exif !== undefined && exif !== null,
    resized: a.thumbnail_path !== null,
  }
}
