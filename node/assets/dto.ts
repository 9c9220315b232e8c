import { relative } from 'node:path'
import type { AssetRow } from './repo.ts'

/** Immich's AssetResponseDto (the fields Hearth has so far); paths are relative to the data folder. */
export function toAssetDto (a: AssetRow, dataDir: string) {
  return {
    id: a.id,
    deviceAssetId: a.device_asset_id,
    deviceId: a.device_id,
    ownerId: a.owner_id,
    libraryId: null,
    type: a.type,
    originalPath: relative(dataDir, a.original_path),
    originalFileName: a.original_file_name,
    originalMimeType: a.mime_type,
    fileSize: a.file_size,
    thumbhash: null,
    fileCreatedAt: a.file_created_at.toISOString(),
    fileModifiedAt: a.file_modified_at.toISOString(),
    localDateTime: a.local_date_time.toISOString(),
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
    isFavorite: a.is_favorite,
    isArchived: a.visibility === 'archive',
    isTrashed: a.deleted_at !== null,
    isOffline: false,
    visibility: a.visibility,
    duration: '0:00:00.00000',
    livePhotoVideoId: null,
    people: [],
    checksum: a.checksum_sha1.toString('base64'),
    checksumSha256: a.checksum_sha256.toString('hex'),
    hasSidecar: a.sidecar_path !== null,
    stack: null,
    duplicateId: null,
    hasMetadata: false,
    resized: false,
  }
}
