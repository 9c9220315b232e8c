/** Shapes of the API's replies (Immich-compatible) that the UI reads. */
export interface User { id: string, email: string, name: string, isAdmin: boolean, storageLabel?: string | null, quotaSizeInBytes?: number | null, quotaUsageInBytes?: number | null }
export interface ServerConfig { isInitialized: boolean, trashDays: number, loginPageMessage: string, externalDomain: string }
export interface ServerFeatures { smartSearch: boolean, facialRecognition: boolean, map: boolean, ocr: boolean, trash: boolean, search: boolean }

export interface ExifInfo {
  make: string | null, model: string | null, exifImageWidth: number | null, exifImageHeight: number | null, fileSizeInByte: number
  orientation: string | null, dateTimeOriginal: string | null, timeZone: string | null, lensModel: string | null
  fNumber: number | null, focalLength: number | null, iso: number | null, exposureTime: string | null
  latitude: number | null, longitude: number | null, city: string | null, state: string | null, country: string | null
  description: string, projectionType: string | null, rating: number | null, keywords?: string[] | null
}

export interface Asset {
  id: string, ownerId?: string, type: 'IMAGE' | 'VIDEO' | 'AUDIO' | 'OTHER', originalFileName: string, originalMimeType: string, fileSize?: number
  thumbhash: string | null, fileCreatedAt: string, localDateTime: string, isFavorite: boolean, isTrashed: boolean, isArchived: boolean
  visibility?: 'timeline' | 'archive' | 'hidden' | 'locked'
  duration: string, livePhotoVideoId: string | null, width: number | null, height: number | null
  ingestStatus?: string, failureReason?: string | null, exifInfo?: ExifInfo
  /** The owner's tags (GET /api/assets/{id}, for the owner only). */
  tags?: Tag[]
  /** The stack it is in (GET /api/assets/{id}, for the owner only). */
  stack?: { id: string, primaryAssetId: string, assetCount: number } | null
}

/** A tag (Immich's TagResponseDto): `value` is the whole path ("Family/Grandma"). */
export interface Tag { id: string, name: string, value: string, parentId?: string, color?: string }

/** GET /api/auth/status: whether a locked-folder PIN is set, and whether this session has the folder open. */
export interface AuthStatus { pinCode: boolean, isElevated: boolean, pinExpiresAt?: string }
export interface TimeBucket { timeBucket: string, count: number }

/** One month of the timeline, in Immich's columnar form. */
export interface BucketColumns {
  id: string[], ownerId?: string[], ratio: number[], isFavorite: boolean[], isTrashed: boolean[], isImage: boolean[], thumbhash: Array<string | null>
  fileCreatedAt: string[], localOffsetHours: number[], duration: Array<string | null>, livePhotoVideoId: Array<string | null>
  city: Array<string | null>, country: Array<string | null>, visibility: string[]
  /** With withStacked: [stack id, how many] for a stack's cover, else null. */
  stack?: Array<[string, string] | null>
}

export interface Album { id: string, albumName: string, assetCount: number, albumThumbnailAssetId: string | null }

export interface SearchResult { assets: { total: number, count: number, items: Asset[], nextPage: string | null } }

/** Why a smart search result matched (node/search/smart.ts MatchReason). */
export type MatchReason =
  | { kind: 'date' | 'place' | 'person' | 'camera', value: string }
  | { kind: 'words', term: string, fields: Array<'text' | 'file name' | 'folder' | 'keyword' | 'tag' | 'description' | 'album'> }
  | { kind: 'looks', text: string, similarity: number }
  | { kind: 'similar', similarity: number }

export interface SmartSearchResult { assets: { total: number, items: Array<Asset & { hearth?: { reasons?: MatchReason[] } }> } }
