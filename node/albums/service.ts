import type { Database } from '../db/index.ts'
import type { NotificationService } from '../notifications/service.ts'
import { uuidv7 } from '../db/ids.ts'
import { BadRequestError, ForbiddenError, NotFoundError } from '../http/errors.ts'
import { createAssetRepo } from '../assets/repo.ts'
import { createUserRepo } from '../users/repo.ts'
import { createAlbumRepo, type AlbumOrder, type AlbumRole, type AlbumRow } from './repo.ts'

export type BulkIdResult = { id: string, success: true } | { id: string, success: false, error: 'duplicate' | 'no_permission' | 'not_found' }

/**
 * Albums, and sharing them with other users of the household. The owner does everything; an
 * editor sees the album and adds (and removes) their own photos; a viewer only sees. Only the owner
 * renames, deletes, changes the cover or order, and shares. An album someone may not see is a 404,
 * so its existence is not given away; one they see but may not change is a 403.
 */
export function createAlbumService ({ db, notifications }: { db: Database, notifications?: NotificationService }) {
  const repo = createAlbumRepo(db)
  const assets = createAssetRepo(db)
  const users = createUserRepo(db)

  /** Everyone in the album (its owner and the people it is shared with) but `except`. */
  async function membersBut (album: AlbumRow, except: string): Promise<string[]> {
    const ids = [album.owner_id, ...(await repo.usersOf([album.id])).map((u) => u.user.id)]
    return ids.filter((id) => id !== except)
  }
  /** Tells the album's other members of a change (never lets a failure to tell undo the change). */
  async function tellMembers (album: AlbumRow, actorId: string, n: Parameters<NotificationService['send']>[1]): Promise<void> {
    if (notifications === undefined) return
    await notifications.send(await membersBut(album, actorId), n).catch(() => {})
  }
  const nameOf = async (userId: string) => (await users.byId(userId))?.name || 'Someone'

  async function access (userId: string, id: string) {
    const found = await repo.visible(userId, id)
    if (found === undefined) throw new NotFoundError('Album')
    return found
  }
  async function owned (userId: string, id: string): Promise<AlbumRow> {
    const { album, role } = await access(userId, id)
    if (role !== 'owner') throw new ForbiddenError('Only the album\'s owner may do this')
    return album
  }

  return {
    repo,
    access,
    owned,
    membersBut,
    /** The album as `userId` may see it (owned or shared with them). */
    async get (userId: string, id: string): Promise<AlbumRow> {
      return (await access(userId, id)).album
    },
    async create (ownerId: string, { albumName, description = '', assetIds = [] }: { albumName: string, description?: string, assetIds?: string[] }) {
      const id = uuidv7()
      await db.transaction(async (tx) => {
        await repo.insert({ id, ownerId, name: albumName, description }, tx)
        await repo.addAssets(id, await assets.shareableIds(ownerId, assetIds, tx), tx)
      })
      return (await access(ownerId, id)).album
    },
    async update (userId: string, id: string, patch: { name?: string, description?: string, thumbnailAssetId?: string, order?: AlbumOrder, isActivityEnabled?: boolean }) {
      await owned(userId, id)
      if (patch.thumbnailAssetId !== undefined && !await repo.hasAsset(id, patch.thumbnailAssetId)) throw new BadRequestError('albumThumbnailAssetId: that asset is not in this album')
      await repo.update(id, patch)
      return (await access(userId, id)).album
    },
    async remove (userId: string, id: string) {
      await owned(userId, id)
      await repo.remove(userId, id)
    },
    /** Owner and editors add assets they own, or that a partner shares with them; viewers may not add. */
    async addAssets (userId: string, albumId: string, ids: string[]): Promise<BulkIdResult[]> {
      const { role, album } = await access(userId, albumId)
      if (role === 'viewer') throw new ForbiddenError('You may view this album but not add to it: ask its owner to make you an editor')
      const unique = [...new Set(ids)]
      const mine = new Set(await assets.shareableIds(userId, unique))
      const added = new Set(await repo.addAssets(albumId, [...mine]))
      if (added.size > 0) {
        // While unread, one notification an album: its count goes up with each addition.
        const who = await nameOf(userId)
        await tellMembers(album, userId, {
          type: 'AlbumUpdate', key: `album-assets:${album.id}`,
          merge: (old) => {
            const count = Number(old?.count ?? 0) + added.size
            return { title: `${who} added ${count === 1 ? 'a photo' : `${count} photos`} to “${album.album_name}”`, data: { albumId: album.id, count } }
          },
          title: `${who} added photos to “${album.album_name}”`,
        })
      }
      return ids.map((id): BulkIdResult => {
        if (!mine.has(id)) return { id, success: false, error: 'no_permission' }
        return added.delete(id) ? { id, success: true } : { id, success: false, error: 'duplicate' }
      })
    },
    /** The owner removes any asset; an editor only the assets they own. */
    async removeAssets (userId: string, albumId: string, ids: string[]): Promise<BulkIdResult[]> {
      const { role } = await access(userId, albumId)
      if (role === 'viewer') throw new ForbiddenError('You may view this album but not remove from it')
      const unique = [...new Set(ids)]
      const allowed = role === 'owner' ? unique : await repo.assetsOwnedIn(albumId, userId, unique)
      const allowedSet = new Set(allowed)
      const removed = new Set(await repo.removeAssets(albumId, allowed))
      return ids.map((id): BulkIdResult => {
        if (removed.has(id)) return { id, success: true }
        return { id, success: false, error: role !== 'owner' && !allowedSet.has(id) ? 'no_permission' : 'not_found' }
      })
    },
    async share (userId: string, albumId: string, wanted: Array<{ userId: string, role: AlbumRole }>) {
      const album = await owned(userId, albumId)
      for (const w of wanted) {
        if (w.userId === album.owner_id) throw new BadRequestError('The owner cannot be added to their own album')
        if (await users.byId(w.userId) === undefined) throw new BadRequestError(`No user with id ${w.userId}`)
      }
      const already = new Set((await repo.usersOf([albumId])).map((u) => u.user.id))
      const dup = wanted.find((w) => already.has(w.userId))
      if (dup !== undefined) throw new BadRequestError(`User ${dup.userId} already has access to this album`)
      await repo.addUsers(albumId, wanted)
      const who = await nameOf(userId)
      await notifications?.send(wanted.map((w) => w.userId), {
        type: 'AlbumInvite', title: `${who} shared the album “${album.album_name}” with you`, data: { albumId },
      }).catch(() => {})
    },
    async setRole (userId: string, albumId: string, target: string, role: AlbumRole) {
      await owned(userId, albumId)
      if (!await repo.setRole(albumId, target, role)) throw new NotFoundError('User of this album')
    },
    /** The owner removes anyone; a shared user may leave. */
    async unshare (userId: string, albumId: string, target: string) {
      const { role } = await access(userId, albumId)
      if (role !== 'owner' && target !== userId) throw new ForbiddenError('Only the album\'s owner may remove other people')
      if (!await repo.removeUser(albumId, target)) throw new NotFoundError('User of this album')
    },
  }
}

export type AlbumService = ReturnType<typeof createAlbumService>
