/**
 * /Uploads, shared by WebDAV and SFTP: one working folder per user on disk,
 * `<data>/dav/<userId>/Uploads/`, holding what clients put there as they put it (folders included).
 * A complete photo or video also becomes an asset (once; the same content again is the same asset),
 * and `upload_files` remembers which asset each path is, so that:
 * - overwriting a file sends the asset it was to the trash (restorable), never destroys it;
 * - removing a file sends its asset to the trash; moving or renaming keeps it (a rename renames it);
 * - a file still locked by its WebDAV client is recorded without an asset and becomes one when it
 *   is unlocked (`release`), or at start-up (`releaseAll`), since locks do not survive a restart.
 * The working file and the library original are hard links of one file (storage.place links the
 * temporary file), so nothing is stored twice; no protocol ever writes into a working file in place.
 */
import { createReadStream } from 'node:fs'
import { copyFile, rename } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { NodeContext } from '../../node/index.ts'
import type { UserRow } from '../../node/users/repo.ts'
import type { WrittenFile } from '../../node/storage/library.ts'
import { mediaTypeOf } from '../../node/assets/media-types.ts'

/** Files that never become assets: Finder's AppleDouble and folder files, Windows' folder files. */
export const isScratchName = (name: string) => name.startsWith('._') || name === '.DS_Store' || name === 'Thumbs.db' || name === 'desktop.ini'

const nameOf = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1)
/** Rows at `rel` or below it. */
const UNDER = "(path = $2 OR left(path, length($2) + 1) = $2 || '/')"

export function createUploadsArea (nc: Pick<NodeContext, 'config' | 'db' | 'assets' | 'ingest' | 'users' | 'storage' | 'log'>) {
  const { db, log } = nc
  const base = resolve(nc.config.HEARTH_DATA_DIR, 'dav')

  const isCandidate = (rel: string, size: number) => size > 0 && !isScratchName(nameOf(rel)) && mediaTypeOf(nameOf(rel)) !== undefined

  /** Makes a hashed temporary file an asset of `user`; returns its id. Throws the store's errors (quota: 507). */
  async function makeAsset (user: UserRow, file: WrittenFile, rel: string, via: string): Promise<string> {
    const name = nameOf(rel)
    const media = mediaTypeOf(name)!
    const now = new Date()
    const fresh = await nc.users.repo.byId(user.id) ?? user
    const outcome = await nc.assets.store(fresh, file, {
      fileName: name, type: media.type, mime: media.mime, created: now, modified: now,
      deviceAssetId: `${via}:${rel}`, deviceId: via === 'dav' ? 'WebDAV' : 'SFTP', isFavorite: false, visibility: 'timeline',
    })
    if (outcome.status === 'created') {
      await nc.ingest.enqueueAsset(outcome.id, 'interactive').catch((err: unknown) => log.warn({ err, assetId: outcome.id }, 'could not queue an upload for processing'))
    }
    // The same content as a photo in the trash (an older version put back, say): it comes back out.
    if (outcome.status === 'duplicate' && outcome.asset.deleted_at !== null) await nc.assets.repo.restore(user.id, [outcome.id])
    log.info({ userId: user.id, assetId: outcome.id, status: outcome.status, path: rel, size: file.size, via }, 'upload stored')
    return outcome.id
  }

  /**
   * Trashes assets that no path of the user's /Uploads is any more (they were overwritten or
   * removed). Only uploaded assets: a share's asset with the same content is never touched.
   */
  async function trashOrphans (user: UserRow, ids: Array<string | null>) {
    const candidates = [...new Set(ids.filter((x): x is string => x !== null))]
    if (candidates.length === 0) return
    const gone = (await db.query<{ id: string }>(
      `SELECT id FROM assets WHERE owner_id = $1 AND id = ANY($2::uuid[]) AND library_id IS NULL AND deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM upload_files f WHERE f.owner_id = $1 AND f.asset_id = assets.id)`, [user.id, candidates])).map((r) => r.id)
    if (gone.length > 0) await nc.assets.delete(user, gone, false)
  }

  async function setRow (userId: string, rel: string, assetId: string | null | undefined) {
    if (assetId === undefined) await db.query('DELETE FROM upload_files WHERE owner_id = $1 AND path = $2', [userId, rel])
    else await db.query('INSERT INTO upload_files (owner_id, path, asset_id) VALUES ($1, $2, $3) ON CONFLICT (owner_id, path) DO UPDATE SET asset_id = $3', [userId, rel, assetId])
  }
  async function rowAt (userId: string, rel: string) {
    const [row] = await db.query<{ asset_id: string | null }>('SELECT asset_id FROM upload_files WHERE owner_id = $1 AND path = $2', [userId, rel])
    return row
  }

  /** Hashes a working file into a temporary file and makes it an asset. */
  async function ingestWorkingFile (user: UserRow, rel: string, via: string): Promise<string> {
    const file = await nc.storage.writeTemp(createReadStream(join(rootOf(user.id), rel)))
    try { return await makeAsset(user, file, rel, via) } finally { await nc.storage.discard(file.tempPath).catch(() => {}) }
  }

  const rootOf = (userId: string) => join(base, userId, 'Uploads')

  return {
    rootOf,
    isCandidate,

    /**
     * A complete upload: the hashed temporary `file` becomes an asset (unless it is not a photo or
     * video, or `deferred` because its client still holds a lock), then takes the place of
     * whatever was at `rel`; the asset that was there goes to the trash. The temporary file is
     * consumed. Errors (quota, full disk) leave the old file and its asset as they were.
     */
    async complete (user: UserRow, file: WrittenFile, rel: string, { deferred = false, via }: { deferred?: boolean, via: 'dav' | 'sftp' }): Promise<string | null | undefined> {
      const before = await rowAt(user.id, rel)
      const assetId = !isCandidate(rel, file.size) ? undefined : deferred ? null : await makeAsset(user, file, rel, via)
      const dest = join(rootOf(user.id), rel)
      try {
        await rename(file.tempPath, dest)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
        await copyFile(file.tempPath, dest)
        await nc.storage.discard(file.tempPath).catch(() => {})
      }
      await setRow(user.id, rel, assetId)
      if (before !== undefined && before.asset_id !== assetId) await trashOrphans(user, [before.asset_id])
      return assetId
    },

    /** A file unlocked by its client: the upload recorded at `rel` (or below it) becomes an asset now. */
    async release (user: UserRow, rel: string, stillLocked: (rel: string) => boolean = () => false) {
      const rows = rel === ''
        ? await db.query<{ path: string }>('SELECT path FROM upload_files WHERE owner_id = $1 AND asset_id IS NULL', [user.id])
        : await db.query<{ path: string }>(`SELECT path FROM upload_files WHERE owner_id = $1 AND asset_id IS NULL AND ${UNDER}`, [user.id, rel])
      for (const { path } of rows) {
        if (stillLocked(path)) continue
        try {
          await setRow(user.id, path, await ingestWorkingFile(user, path, 'dav'))
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') { await setRow(user.id, path, undefined); continue }
          log.warn({ err, userId: user.id, path }, 'an unlocked upload could not become an asset')
          await setRow(user.id, path, undefined)
        }
      }
    },

    /** Every deferred upload whose lock is gone (all of them at start-up). */
    async releaseAll (stillLocked: (userId: string, rel: string) => boolean = () => false) {
      const owners = await db.query<{ owner_id: string }>('SELECT DISTINCT owner_id FROM upload_files WHERE asset_id IS NULL')
      for (const { owner_id: ownerId } of owners) {
        const user = await nc.users.repo.byId(ownerId)
        if (user !== undefined) await this.release(user, '', (rel) => stillLocked(ownerId, rel))
      }
    },

    /** After a file or folder at `rel` was removed from disk: its assets go to the trash. */
    async removed (user: UserRow, rel: string) {
      const rows = await db.query<{ asset_id: string | null }>(`DELETE FROM upload_files WHERE owner_id = $1 AND ${UNDER} RETURNING asset_id`, [user.id, rel])
      await trashOrphans(user, rows.map((r) => r.asset_id))
    },

    /**
     * After a rename on disk from `from` to `to` (a file or a folder, replacing what was at `to`):
     * the paths follow, the replaced assets go to the trash, and a file renamed from a temporary
     * name to a photo's name (phone apps upload so) becomes an asset now.
     */
    async moved (user: UserRow, from: string, to: string, { isFile, via }: { isFile: boolean, via: 'dav' | 'sftp' }) {
      const replaced = await db.query<{ asset_id: string | null }>(`DELETE FROM upload_files WHERE owner_id = $1 AND ${UNDER} RETURNING asset_id`, [user.id, to])
      await db.query(`UPDATE upload_files SET path = $3 || substr(path, length($2) + 1) WHERE owner_id = $1 AND ${UNDER}`, [user.id, from, to])
      const row = isFile ? await rowAt(user.id, to) : undefined
      if (row?.asset_id != null && nameOf(from) !== nameOf(to) && isCandidate(to, 1)) {
        // The asset is shown by the name it has in /Uploads.
        await db.query('UPDATE assets SET original_file_name = $3, updated_at = now() WHERE id = $2 AND owner_id = $1 AND library_id IS NULL', [user.id, row.asset_id, nameOf(to)])
      }
      if (isFile && row === undefined && isCandidate(to, 1) && !isCandidate(from, 1)) {
        try { await setRow(user.id, to, await ingestWorkingFile(user, to, via)) } catch (err) { log.warn({ err, userId: user.id, path: to }, 'a renamed upload could not become an asset') }
      }
      await trashOrphans(user, replaced.map((r) => r.asset_id))
    },

    /** After a copy on disk: the copies are the same assets. */
    async copied (user: UserRow, from: string, to: string) {
      const replaced = await db.query<{ asset_id: string | null }>(`DELETE FROM upload_files WHERE owner_id = $1 AND ${UNDER} RETURNING asset_id`, [user.id, to])
      await db.query(`INSERT INTO upload_files (owner_id, path, asset_id) SELECT owner_id, $3 || substr(path, length($2) + 1), asset_id
        FROM upload_files WHERE owner_id = $1 AND ${UNDER} ON CONFLICT (owner_id, path) DO NOTHING`, [user.id, from, to])
      await trashOrphans(user, replaced.map((r) => r.asset_id))
    },
  }
}

export type UploadsArea = ReturnType<typeof createUploadsArea>
