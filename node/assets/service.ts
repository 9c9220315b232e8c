import { requireUnlocked, type AuthContext } from '../auth/service.ts'
import { createReadStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { Logger } from 'pino'
import type { Config } from '../config/schema.ts'
import type { Database } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'
import { BadRequestError, InsufficientStorageError, NotFoundError } from '../http/errors.ts'
import { currentLog } from '../http/context.ts'
import type { UserRow } from '../users/repo.ts'
import { safeFileName, type LibraryStorage, type WrittenFile } from '../storage/library.ts'
import { mediaTypeOf, type AssetType } from './media-types.ts'
import { createAssetRepo, type AssetRow } from './repo.ts'
import { createStackRepo } from '../stacks/repo.ts'
import { receiveMultipartUpload } from './upload.ts'

export interface UploadOutcome { id: string, status: 'created' | 'duplicate', asset: AssetRow }

/** The folder a user's originals live in: their storage label, else their id. */
export const userFolder = (u: Pick<UserRow, 'id' | 'storage_label'>) => u.storage_label ?? u.id

/**
 * Assets: receiving uploads so that none is ever lost or half-stored, duplicates, the trash.
 *
 * An upload is durable in this order: body → temporary file (hashed, fsynced) → journal row naming
 * the final path → hard link to the final name (never overwriting) → directory fsync → one
 * transaction that inserts the asset, charges the quota and clears the journal. `recover()` at
 * start-up undoes whatever a crash left between those steps.
 */
export function createAssetService ({ db, storage, config, log, onUploadBytes, onCreated }: {
  db: Database, storage: LibraryStorage, config: Config, log: Logger, onUploadBytes?: (bytes: number) => void
  /** Called once a new asset is committed (starts its ingest); a failure here never fails the upload. */
  onCreated?: (asset: AssetRow) => Promise<void>
}) {
  const repo = createAssetRepo(db)

  async function limitsFor (user: UserRow) {
    const { free } = await storage.freeBytes()
    return {
      quotaLeft: user.quota_size_in_bytes === null ? Number.POSITIVE_INFINITY : Math.max(0, user.quota_size_in_bytes - user.quota_usage_in_bytes),
      diskLeft: Math.max(0, free - config.HEARTH_MIN_FREE_SPACE),
      maxSize: config.HEARTH_MAX_UPLOAD_SIZE,
    }
  }

  /**
   * Makes a hashed temporary file a new asset of `user`, durably (see above), or finds the asset
   * that already has this content. The temporary files are left for the caller to discard.
   */
  async function store (user: UserRow, file: WrittenFile, o: {
    fileName: string, type: AssetType, mime: string, created: Date, modified: Date, sidecar?: WrittenFile
    deviceAssetId: string, deviceId: string, isFavorite: boolean, visibility: string
  }): Promise<UploadOutcome> {
    const existing = await repo.bySha1(user.id, file.sha1)
    if (existing !== undefined) return { id: existing.id, status: 'duplicate', asset: existing }

    const id = uuidv7()
    const intentId = uuidv7()
    let finalPath: string | undefined
    let sidecarPath: string | undefined
    try {
      finalPath = await storage.place(file.tempPath, storage.plannedPath(userFolder(user), o.created, o.fileName),
        async (candidate) => { await db.query('INSERT INTO upload_intents (id, final_path) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET final_path = $2', [intentId, candidate]) },
        async () => { await db.query('DELETE FROM upload_intents WHERE id = $1', [intentId]) })
      if (o.sidecar !== undefined) {
        sidecarPath = `${finalPath}.xmp`
        await db.query('UPDATE upload_intents SET sidecar_path = $2 WHERE id = $1', [intentId, sidecarPath])
        await storage.placeExact(o.sidecar.tempPath, sidecarPath)
      }
      const outcome = await db.transaction(async (tx) => {
        const row = await repo.insertUnlessDuplicate({
          id, owner_id: user.id, device_asset_id: o.deviceAssetId, device_id: o.deviceId,
          type: o.type, original_path: finalPath!, original_file_name: o.fileName, sidecar_path: sidecarPath ?? null,
          mime_type: o.mime, checksum_sha1: file.sha1, checksum_sha256: file.sha256, file_size: file.size,
          file_created_at: o.created, file_modified_at: o.modified, local_date_time: o.created,
          is_favorite: o.isFavorite, visibility: o.visibility,
        }, tx)
        if (row === undefined) {
          // Another upload of the same content won the race: it is the asset.
          const winner = await repo.bySha1(user.id, file.sha1, tx)
          return { status: 'duplicate' as const, row: winner! }
        }
        const charged = await tx.query(
          `UPDATE users SET quota_usage_in_bytes = quota_usage_in_bytes + $2
           WHERE id = $1 AND (quota_size_in_bytes IS NULL OR quota_usage_in_bytes + $2 <= quota_size_in_bytes) RETURNING id`,
          [user.id, file.size])
        if (charged.length === 0) throw new InsufficientStorageError('Not enough room in your quota for this file. Empty the trash or ask an admin for a larger quota.')
        await tx.query('DELETE FROM upload_intents WHERE id = $1', [intentId])
        return { status: 'created' as const, row }
      })
      if (outcome.status === 'duplicate') {
        await Promise.all([storage.remove(finalPath), sidecarPath !== undefined ? storage.remove(sidecarPath) : undefined])
        await db.query('DELETE FROM upload_intents WHERE id = $1', [intentId])
        return { id: outcome.row.id, status: 'duplicate', asset: outcome.row }
      }
      // The other half of a RAW + JPEG pair, already here: the two become one stack.
      await createStackRepo(db).autoStackPairs([id]).catch((err: unknown) => log.warn({ err, asset: id }, 'could not stack a RAW + JPEG pair'))
      return { id, status: 'created', asset: outcome.row }
    } catch (err) {
      // Undo the links made so far; the journal row goes with them.
      if (finalPath !== undefined) await storage.remove(finalPath)
      if (sidecarPath !== undefined) await storage.remove(sidecarPath)
      await db.query('DELETE FROM upload_intents WHERE id = $1', [intentId]).catch(() => {})
      throw err
    }
  }

  return {
    repo,
    store,

    /** Copies a file Hearth made (a motion photo's embedded video) into the owner's library as an asset. */
    async adoptFile (ownerId: string, path: string, o: { fileName: string, type: AssetType, mime: string, created: Date, visibility: string }): Promise<UploadOutcome> {
      const [user] = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [ownerId])
      if (user === undefined) throw new NotFoundError('User')
      const file = await storage.writeTemp(createReadStream(path))
      try {
        return await store(user, file, { ...o, fileName: safeFileName(o.fileName), modified: o.created, deviceAssetId: '', deviceId: 'Hearth', isFavorite: false })
      } finally {
        await storage.discard(file.tempPath)
      }
    },

    async upload (user: UserRow, req: IncomingMessage): Promise<UploadOutcome> {
      const received = await receiveMultipartUpload(req, storage, await limitsFor(user), onUploadBytes)
      const { asset: file, sidecar, fields } = received
      const cleanup = () => Promise.all([storage.discard(file.tempPath), storage.discard(sidecar?.tempPath)])
      try {
        const fileName = safeFileName(fields.filename ?? file.fileName)
        const media = mediaTypeOf(fileName)
        if (media === undefined) throw new BadRequestError(`Unsupported file type: ${fileName}. GET /api/server/media-types lists what Hearth accepts.`)
        const claimed = req.headers['x-immich-checksum']
        if (typeof claimed === 'string' && claimed !== '') {
          const expected = parseChecksum(claimed)
          if (expected === undefined) throw new BadRequestError('x-immich-checksum: expected the SHA-1 of the file, as 40 hex digits or 28 base64 characters')
          if (!expected.equals(file.sha1)) {
            throw new BadRequestError('The file does not match its x-immich-checksum header: it was damaged on the way. Nothing was stored; send it again.')
          }
        }
        const created = parseDate(fields.fileCreatedAt, 'fileCreatedAt') ?? parseDate(fields.fileModifiedAt, 'fileModifiedAt') ?? new Date()
        const modified = parseDate(fields.fileModifiedAt, 'fileModifiedAt') ?? created

        const outcome = await store(user, file, { fileName, type: media.type, mime: media.mime, created, modified, sidecar,
          deviceAssetId: fields.deviceAssetId ?? '', deviceId: fields.deviceId ?? '', isFavorite: fields.isFavorite === 'true', visibility: parseVisibility(fields.visibility) })
        if (outcome.status === 'created') {
          currentLog(log).info({ assetId: outcome.id, userId: user.id, size: file.size, type: media.type }, 'asset uploaded')
          // The file is safe; ingest starting late is fine (pending assets are queued again at start-up).
          await onCreated?.(outcome.asset).catch((err: unknown) => currentLog(log).error({ err, assetId: outcome.id }, 'could not queue the new asset for processing'))
        }
        return outcome
      } finally {
        await cleanup()
      }
    },

    /**
     * Undoes what a crash left: temporary files, and journal entries whose asset row was never
     * committed (their linked files go; an entry whose asset exists is simply cleared).
     */
    async recover (): Promise<{ partials: number, undone: number }> {
      const partials = await storage.sweepPartials()
      const intents = await db.query<{ id: string, final_path: string, sidecar_path: string | null }>('SELECT id, final_path, sidecar_path FROM upload_intents')
      let undone = 0
      for (const intent of intents) {
        const owners = await db.query('SELECT 1 FROM assets WHERE original_path = $1', [intent.final_path])
        if (owners.length === 0) {
          await storage.remove(intent.final_path)
          if (intent.sidecar_path !== null) await storage.remove(intent.sidecar_path)
          undone++
        }
        await db.query('DELETE FROM upload_intents WHERE id = $1', [intent.id])
      }
      if (partials + undone > 0) log.warn({ partials, undone }, 'cleaned up uploads interrupted by a crash')
      return { partials, undone }
    },

    async get (user: UserRow, id: string): Promise<AssetRow> {
      const asset = await repo.byId(user.id, id)
      if (asset === undefined) throw new NotFoundError('Asset')
      return asset
    },

    /** An asset the user owns or sees through an album shared with them; 404 otherwise. */
    /**
     * An asset the caller may open (repo.readableById); one of their own in the locked folder only
     * while their session has it unlocked.
     */
    async getReadable (auth: AuthContext, id: string): Promise<AssetRow> {
      const asset = await repo.readableById(auth.user.id, id)
      if (asset === undefined) throw new NotFoundError('Asset')
      if (asset.visibility === 'locked') await requireUnlocked(auth)
      return asset
    },

    /** Immich's bulk-upload-check: which of these checksums would be new. */
    async bulkCheck (user: UserRow, items: Array<{ id: string, checksum: string }>) {
      const parsed = items.map((i) => ({ ...i, sha1: parseChecksum(i.checksum) }))
      const found = await repo.bySha1s(user.id, parsed.flatMap((p) => p.sha1 !== undefined ? [p.sha1] : []))
      const byHex = new Map(found.map((f) => [f.checksum_sha1.toString('hex'), f]))
      return parsed.map((p) => {
        if (p.sha1 === undefined) return { id: p.id, action: 'reject' as const, reason: 'unsupported-format' as const }
        const hit = byHex.get(p.sha1.toString('hex'))
        return hit === undefined
          ? { id: p.id, action: 'accept' as const }
          : { id: p.id, action: 'reject' as const, reason: 'duplicate' as const, assetId: hit.id, isTrashed: hit.deleted_at !== null }
      })
    },

    /** Moves to the trash, or with `force` deletes for good (rows first, then files). */
    async delete (user: UserRow, ids: string[], force: boolean) {
      if (!force) { await repo.trash(user.id, ids); return }
      await this.purge(user.id, ids)
    },

    async purge (ownerId: string, ids: string[] | 'trashed'): Promise<number> {
      const gone = await db.transaction(async (tx) => repo.purge(ownerId, ids, tx))
      for (const a of gone) {
        // Generated files always go; originals only when Hearth holds them (never a share's file).
        await storage.removeGenerated([a.thumbnail_path, a.preview_path, a.encoded_video_path])
        if (a.library_id !== null) continue
        await storage.remove(a.original_path)
        if (a.sidecar_path !== null) await storage.remove(a.sidecar_path)
      }
      return gone.length
    },

    /** Empties trash older than HEARTH_TRASH_DAYS, for every user. */
    async purgeExpiredTrash (): Promise<number> {
      const before = new Date(Date.now() - config.HEARTH_TRASH_DAYS * 86_400_000)
      let total = 0
      for (;;) {
        const batch = await repo.expiredTrash(before)
        if (batch.length === 0) return total
        const byOwner = new Map<string, string[]>()
        for (const r of batch) byOwner.set(r.owner_id, [...(byOwner.get(r.owner_id) ?? []), r.id])
        for (const [owner, ids] of byOwner) total += await this.purge(owner, ids)
      }
    },
  }
}

export type AssetService = ReturnType<typeof createAssetService>

/** An SHA-1 as 40 hex digits or 28 base64 characters (Immich's clients send either). */
export function parseChecksum (value: string): Buffer | undefined {
  if (/^[0-9a-f]{40}$/i.test(value)) return Buffer.from(value, 'hex')
  if (/^[A-Za-z0-9+/]{27}=$/.test(value)) {
    const b = Buffer.from(value, 'base64')
    return b.length === 20 ? b : undefined
  }
  return undefined
}

function parseDate (value: string | undefined, field: string): Date | undefined {
  if (value === undefined || value === '') return undefined
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) throw new BadRequestError(`${field}: expected an ISO 8601 date such as 2024-07-14T10:30:00.000Z`)
  return d
}

function parseVisibility (v: string | undefined): string {
  if (v === undefined || v === '') return 'timeline'
  if (!['timeline', 'archive', 'hidden', 'locked'].includes(v)) throw new BadRequestError('visibility: expected timeline, archive, hidden or locked')
  return v
}
