import type { Database } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { createAssetRepo } from '../assets/repo.ts'
import { createAlbumRepo, type AlbumRow } from './repo.ts'

export type BulkIdResult = { id: string, success: true } | { id: string, success: false, error: 'duplicate' | 'no_permission' | 'not_found' }

/** Albums of one's own assets. Sharing with other users and public links come with the UI issue. */
export function createAlbumService ({ db }: { db: Database }) {
  const repo = createAlbumRepo(db)
  const assets = createAssetRepo(db)

  async function get (ownerId: string, id: string): Promise<AlbumRow> {
    const album = await repo.byId(ownerId, id)
    if (album === undefined) throw new NotFoundError('Album')
    return album
  }

  return {
    repo,
    get,
    async create (ownerId: string, { albumName, description = '', assetIds = [] }: { albumName: string, description?: string, assetIds?: string[] }) {
      const id = uuidv7()
      await db.transaction(async (tx) => {
        await repo.insert({ id, ownerId, name: albumName, description }, tx)
        const owned = await assets.ownedIds(ownerId, assetIds, tx)
        await repo.addAssets(id, owned, tx)
      })
      return get(ownerId, id)
    },
    async addAssets (ownerId: string, albumId: string, ids: string[]): Promise<BulkIdResult[]> {
      await get(ownerId, albumId)
      const unique = [...new Set(ids)]
      const owned = new Set(await assets.ownedIds(ownerId, unique))
      const added = new Set(await repo.addAssets(albumId, [...owned]))
      return ids.map((id): BulkIdResult => {
        if (!owned.has(id)) return { id, success: false, error: 'no_permission' }
        return added.delete(id) ? { id, success: true } : { id, success: false, error: 'duplicate' }
      })
    },
    async removeAssets (ownerId: string, albumId: string, ids: string[]): Promise<BulkIdResult[]> {
      await get(ownerId, albumId)
      const removed = new Set(await repo.removeAssets(albumId, ids))
      return ids.map((id): BulkIdResult => removed.has(id) ? { id, success: true } : { id, success: false, error: 'not_found' })
    },
  }
}

export type AlbumService = ReturnType<typeof createAlbumService>
