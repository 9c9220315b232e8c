/** Reply shapes of the album, sharing and account APIs (Immich-compatible) read by these screens. */
import type { Asset } from '../types.ts'

export interface UserRef { id: string, name: string, email?: string }
export interface AlbumUser { user: UserRef, role: 'editor' | 'viewer' }
export interface AlbumFull {
  id: string, albumName: string, description: string, ownerId: string, owner: UserRef, albumThumbnailAssetId: string | null
  assetCount: number, assets: Asset[], albumUsers: AlbumUser[], shared: boolean, hasSharedLink: boolean, order: 'asc' | 'desc', isActivityEnabled: boolean
  startDate?: string, endDate?: string
}
export interface SharedLink {
  id: string, key: string, type: 'ALBUM' | 'INDIVIDUAL', owner?: UserRef, description: string | null, hasPassword: boolean, expiresAt: string | null
  allowDownload: boolean, showMetadata: boolean, album?: AlbumFull, assets: Asset[]
}
export type BulkResult = Array<{ id: string, success: boolean, error?: string }>
