import { resolve } from 'node:path'
import { z } from 'zod'
import type { Config } from '../config/schema.ts'
import { isUuid, nameUuid } from '../db/ids.ts'
import { BadRequestError, ForbiddenError, NotFoundError, ServiceUnavailableError } from '../http/errors.ts'
import { route, type HandlerInput } from '../http/route.ts'
import { linkAssetDto } from '../shared-links/routes.ts'
import { createSharedLinkRepo } from '../shared-links/repo.ts'
import { sendFile } from '../http/send-file.ts'
import { toAssetDto } from './dto.ts'
import type { AssetService } from './service.ts'
import { discardRest } from './upload.ts'
import { requireUnlocked, type AuthContext } from '../auth/service.ts'
import { createExifRepo, type OwnerEdits } from './exif.ts'
import { ownerCaptureTime, type CaptureTime } from '../media/capture-time.ts'
import type { PlaceNames } from '../places/service.ts'
import type { IngestService } from '../ingest/service.ts'
import { createSearchRepo } from '../search/repo.ts'
import { partnersShownBy } from '../partners/sql.ts'
import { assetPeopleDto } from '../people/routes.ts'
import { createTagRepo, toTagDto } from '../tags/repo.ts'
import { createStackRepo } from '../stacks/repo.ts'
import type { Database, Queryable } from '../db/index.ts'

const ids = z.array(z.uuid({ error: 'expected asset ids (UUIDs)' })).max(10_000)

/**
 * What an owner may change on an asset (Immich's UpdateAssetDto, and its bulk form's
 * dateTimeRelative). All of it is kept in Hearth's database, never written to the file.
 */
const assetUpdate = z.object({
  isFavorite: z.boolean().optional(), visibility: z.enum(['timeline', 'archive', 'hidden', 'locked']).optional(),
  description: z.string().max(10_000, 'at most 10,000 characters').optional(),
  rating: z.number().int().min(-1).max(5, 'from -1 (rejected) to 5 stars').nullable().optional(),
  dateTimeOriginal: z.string().max(64).optional(),
  dateTimeRelative: z.number().int('whole minutes').min(-1e8).max(1e8).optional(),
  timeZone: z.string().max(64).optional(),
  latitude: z.number().min(-90, 'from -90 to 90').max(90, 'from -90 to 90').optional(),
  longitude: z.number().min(-180, 'from -180 to 180').max(180, 'from -180 to 180').optional(),
})
  .refine((b) => b.dateTimeOriginal === undefined || b.dateTimeRelative === undefined, { message: 'give either dateTimeOriginal (a new date) or dateTimeRelative (minutes to move it by), not both', path: ['dateTimeRelative'] })
  .refine((b) => b.timeZone === undefined || b.dateTimeOriginal !== undefined, { message: 'give it with dateTimeOriginal: it is the zone of the time given', path: ['timeZone'] })
  .refine((b) => (b.latitude === undefined) === (b.longitude === undefined), { message: 'give latitude and longitude together', path: ['latitude'] })
type AssetUpdate = z.infer<typeof assetUpdate>

/** Uploads, downloads, duplicates, the trash and what the owner sets on an asset, in Immich's shapes. */
export function assetRoutes ({ db, assets, config, uploads, geocode, ingest }: {
  db: Database, assets: AssetService, config: Config
  /** Reads files again on the owner's request (POST /api/assets/jobs). */
  ingest: Pick<IngestService, 'refresh' | 'transcode'>
  /** Names a position (the places service's), for a place the owner sets. */
  geocode: (latitude: number, longitude: number) => Promise<PlaceNames>
  /** Counts uploads in flight, so shutdown can wait for them. */
  uploads: { begin(): boolean, end(): void }
}) {
  const dto = (a: Parameters<typeof toAssetDto>[0], exif?: Parameters<typeof toAssetDto>[2]) => toAssetDto(a, config.HEARTH_DATA_DIR, exif)
  const exifRepo = createExifRepo(db)
  const search = createSearchRepo(db)
  const tagRepo = createTagRepo(db)
  const stackRepo = createStackRepo(db)
  const get = async (user: Parameters<AssetService['get']>[0], id: string) => {
    if (!isUuid(id)) throw new NotFoundError('Asset')
    return assets.get(user, id)
  }
  const linkRepo = createSharedLinkRepo(db)
  /** For reading: the caller's asset, one shared with them (an album, a partner), or one a public link shows. */
  const readable = async ({ auth, link }: Pick<HandlerInput<unknown, unknown>, 'auth' | 'link'>, id: string) => {
    if (!isUuid(id)) throw new NotFoundError('Asset')
    if (link === undefined) return assets.getReadable(auth, id)
    const asset = await linkRepo.assetOf(link.link.id, id)
    if (asset === undefined) throw new NotFoundError('Asset')
    return asset
  }
  /**
   * The owner's timeline photos of `month`/`day` in the years before `year`, and those of the
   * partners they show in their timeline (as Immich's memories have them), by year (newest first), as DTOs.
   */
  async function onThisDay (ownerId: string, year: number, month: number, day: number) {
    const rows = await assets.repo.onThisDay([ownerId, ...await partnersShownBy(db, ownerId)], month, day, year, 30)
    return [...Map.groupBy(rows, (r) => new Date(r.local_date_time).getUTCFullYear())].map(([taken, list]) => ({ taken, assets: list.map((a) => dto(a)) }))
  }
  interface MemoryState { id: string, taken_year: number, month: number, day: number, memory_at: Date, is_saved: boolean, seen_at: Date | null, removed_at: Date | null, updated_at: Date }
  /**
   * The owner's "On this day" memories for a calendar date, in Immich's MemoryResponseDto, with
   * what they did with each (memory_state). Each memory's id is made from owner, year and day, so
   * it stays the same; its state row is made the first time it is listed. Removed ones are left out.
   */
  async function memoriesOf (ownerId: string, y: number, m: number, d: number) {
    const memoryAt = new Date(Date.UTC(y, m - 1, d))
    const found = (await onThisDay(ownerId, y, m, d)).map((x) => ({ ...x, id: nameUuid(`hearth-memory:${ownerId}:${x.taken}-${m}-${d}`) }))
    if (found.length === 0) return []
    await db.query(
      `INSERT INTO memory_state (id, owner_id, taken_year, month, day, memory_at)
       SELECT id, $2, taken, $3, $4, $5 FROM unnest($1::uuid[], $6::int[]) AS v(id, taken)
       ON CONFLICT (id) DO UPDATE SET memory_at = excluded.memory_at`,
      [found.map((f) => f.id), ownerId, m, d, memoryAt, found.map((f) => f.taken)])
    const states = new Map((await db.query<MemoryState>('SELECT * FROM memory_state WHERE id = ANY($1::uuid[]) AND owner_id = $2', [found.map((f) => f.id), ownerId])).map((r) => [r.id, r]))
    return found.flatMap(({ id, taken, assets }) => {
      const st = states.get(id)
      if (st === undefined || st.removed_at !== null) return []
      return [{
        id, type: 'on_this_day', data: { year: taken }, ownerId, memoryAt: memoryAt.toISOString(), createdAt: memoryAt.toISOString(),
        updatedAt: st.updated_at.toISOString(), isSaved: st.is_saved, seenAt: st.seen_at?.toISOString() ?? null, assets,
      }]
    })
  }
  /** One of the owner's memories by id, worked out again for the date it was last listed for; 404 when unknown or removed. */
  async function memory (ownerId: string, id: string) {
    const [st] = isUuid(id) ? await db.query<MemoryState>('SELECT * FROM memory_state WHERE id = $1 AND owner_id = $2 AND removed_at IS NULL', [id, ownerId]) : []
    const found = st === undefined ? undefined : (await memoriesOf(ownerId, st.memory_at.getUTCFullYear(), st.month, st.day)).find((x) => x.id === id)
    if (found === undefined) throw new NotFoundError('Memory')
    return found
  }
  /**
   * A change to locked photos, or one moving photos into the locked folder (or out of it), needs
   * the folder open. Photos moved in leave their albums and public links, as in Immich: those are
   * shared, the locked folder is not; and their stacks, whose counts would tell of them.
   */
  async function lockedCheck (auth: AuthContext, ids: string[], visibility: string | undefined): Promise<(tx: Queryable) => Promise<void>> {
    const locked = await db.query('SELECT 1 FROM assets WHERE id = ANY($1::uuid[]) AND owner_id = $2 AND visibility = \'locked\' LIMIT 1', [ids, auth.user.id])
    if (visibility === 'locked' || locked.length > 0) await requireUnlocked(auth)
    return async (tx) => {
      if (visibility === 'locked') {
        await tx.query('DELETE FROM album_assets WHERE asset_id = ANY($1::uuid[])', [ids])
        await tx.query('DELETE FROM shared_link_assets WHERE asset_id = ANY($1::uuid[])', [ids])
        await createStackRepo(tx).takeOut(ids, tx)
      }
    }
  }
  /**
   * The owner's description, rating, date and place for `ids`, checked and worked out before
   * anything is written (a date typed without an offset is read in each photo's own time zone, a
   * position is named by the geocoder); returns the writes, for the caller's transaction.
   */
  async function ownerEdit (ids: string[], body: AssetUpdate): Promise<(tx: Queryable) => Promise<void>> {
    const edits: OwnerEdits = { description: body.description, rating: body.rating }
    if (body.latitude !== undefined && body.longitude !== undefined) {
      edits.latitude = body.latitude
      edits.longitude = body.longitude
      Object.assign(edits, await geocode(body.latitude, body.longitude))
    }
    const dated: Array<{ ids: string[], time: CaptureTime }> = []
    if (body.dateTimeOriginal !== undefined) {
      const zones = body.timeZone !== undefined ? new Map(ids.map((id) => [id, body.timeZone!])) : await exifRepo.zones(ids)
      const byZone = Map.groupBy(ids, (id) => zones.get(id) ?? null)
      for (const [zone, group] of byZone) {
        let time: CaptureTime | undefined
        try {
          time = ownerCaptureTime(body.dateTimeOriginal, zone)
        } catch (err) {
          if (err instanceof RangeError) throw new BadRequestError(`dateTimeOriginal: ${err.message}`)
          throw err
        }
        if (time === undefined) {
          throw new BadRequestError(body.timeZone !== undefined && ownerCaptureTime(body.dateTimeOriginal, null) !== undefined
            ? `timeZone: ${body.timeZone} is not a time zone; give a name such as Europe/Lisbon, or an offset such as UTC+02:00`
            : `dateTimeOriginal: ${JSON.stringify(body.dateTimeOriginal)} is not a date and time; write it as 2019-07-14T15:30:00, with an offset (+02:00) or without (the photo's own time zone)`)
        }
        dated.push({ ids: group, time })
      }
    }
    return async (tx) => {
      await exifRepo.setByOwner(ids, edits, tx)
      for (const { ids, time } of dated) {
        await exifRepo.setByOwner(ids, { date_time_original: time.dateTimeOriginal, time_zone: time.timeZone }, tx)
        await assets.repo.setDates(ids, time.dateTimeOriginal, time.localDateTime, tx)
      }
      if (body.dateTimeRelative !== undefined && body.dateTimeRelative !== 0) await exifRepo.shiftByOwner(ids, body.dateTimeRelative, tx)
    }
  }
  return [
    route({
      method: 'POST', path: '/api/assets', tag: 'Assets', access: 'user', permission: 'asset.upload', body: 'multipart', status: 201,
      summary: 'Upload a photo or video (multipart: assetData, optional sidecarData, deviceAssetId, deviceId, fileCreatedAt, fileModifiedAt; header x-immich-checksum). 201 created, 200 duplicate.',
      handler: async ({ ctx, auth }) => {
        if (!uploads.begin()) throw new ServiceUnavailableError('Hearth is shutting down; send the file again in a moment')
        try {
          const outcome = await assets.upload(auth.user, ctx.req)
          ctx.status = outcome.status === 'created' ? 201 : 200
          return { id: outcome.id, status: outcome.status }
        } catch (err) {
          // Refused before the body was read: drain it so the client sees the reason, not a reset.
          discardRest(ctx.req)
          throw err
        } finally {
          uploads.end()
        }
      },
    }),
    route({
      method: 'POST', path: '/api/assets/bulk-upload-check', tag: 'Assets', access: 'user', permission: 'asset.upload',
      summary: 'Which of these files (by SHA-1) the server already has',
      body: z.object({ assets: z.array(z.object({ id: z.string().max(4096), checksum: z.string().max(100) })).max(50_000) }),
      handler: async ({ auth, body }) => ({ results: await assets.bulkCheck(auth.user, body.assets) }),
    }),
    route({
      method: 'GET', path: '/api/assets/statistics', tag: 'Assets', access: 'user', permission: 'asset.statistics',
      summary: 'How many photos and videos you have (or have in the trash); the locked folder\'s are counted only with visibility=locked, when it is open',
      query: z.object({ isTrashed: z.enum(['true', 'false']).optional(), visibility: z.enum(['timeline', 'archive', 'hidden', 'locked']).optional() }),
      handler: async ({ auth, query }) => {
        if (query.visibility === 'locked') await requireUnlocked(auth)
        return assets.repo.statistics(auth.user.id, query.isTrashed === 'true', query.visibility)
      },
    }),
    route({
      method: 'GET', path: '/api/assets/memory-lane', tag: 'Assets', access: 'user', permission: 'asset.read',
      summary: 'On this day (Immich\'s memory lane): your photos (and those of the partners you show in your timeline) taken on this day and month in earlier years, by year (newest first), up to 30 a year. Give the day as the viewer\'s calendar has it.',
      query: z.object({
        day: z.coerce.number().int().min(1).max(31), month: z.coerce.number().int().min(1).max(12),
        year: z.coerce.number().int().min(1826).max(9999).optional(),
      }),
      handler: async ({ auth, query }) => {
        const year = query.year ?? new Date().getUTCFullYear()
        return (await onThisDay(auth.user.id, year, query.month, query.day)).map(({ taken, assets }) => {
          const yearsAgo = year - taken
          return { yearsAgo, title: yearsAgo === 1 ? '1 year ago' : `${yearsAgo} years ago`, assets }
        })
      },
    }),
    route({
      method: 'GET', path: '/api/memories', tag: 'Memories', access: 'user', permission: 'asset.read',
      summary: 'On this day in Immich\'s newer shape (MemoryResponseDto, type on_this_day), worked out when asked for the calendar date of `for` (default today, UTC): one memory per earlier year, with what you did with it (isSaved, seenAt); removed ones are left out. isSaved=true: only the saved ones',
      query: z.object({
        for: z.iso.datetime({ offset: true, error: 'a date and time such as 2026-12-05T00:00:00Z' }).optional(), type: z.literal('on_this_day').optional(),
        isSaved: z.enum(['true', 'false']).optional(),
      }),
      handler: async ({ auth, query }) => {
        const day = query.for === undefined ? new Date() : new Date(query.for)
        const list = await memoriesOf(auth.user.id, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate())
        return list.filter((m) => query.isSaved === undefined || m.isSaved === (query.isSaved === 'true'))
      },
    }),
    route({
      method: 'GET', path: '/api/memories/{id}', tag: 'Memories', access: 'user', permission: 'asset.read',
      summary: 'One of your memories, as listed (a removed one is 404)',
      handler: async ({ auth, params }) => memory(auth.user.id, params.id!),
    }),
    route({
      method: 'PUT', path: '/api/memories/{id}', tag: 'Memories', access: 'user', permission: 'asset.update',
      summary: 'Save a memory (isSaved), or say when you saw it (seenAt)',
      body: z.object({ isSaved: z.boolean().optional(), seenAt: z.iso.datetime({ offset: true, error: 'seenAt: a date and time such as 2026-12-05T20:00:00Z' }).nullable().optional() }),
      handler: async ({ auth, params, body }) => {
        const m = await memory(auth.user.id, params.id!)
        await db.query(
          `UPDATE memory_state SET is_saved = coalesce($3, is_saved), seen_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE seen_at END, updated_at = now()
           WHERE id = $1 AND owner_id = $2`, [m.id, auth.user.id, body.isSaved ?? null, body.seenAt !== undefined, body.seenAt ?? null])
        return memory(auth.user.id, m.id)
      },
    }),
    route({
      method: 'DELETE', path: '/api/memories/{id}', tag: 'Memories', access: 'user', permission: 'asset.update', status: 204,
      summary: 'Remove a memory: it is no longer listed (its photos stay)',
      handler: async ({ auth, params }) => {
        const m = await memory(auth.user.id, params.id!)
        await db.query('UPDATE memory_state SET removed_at = now(), updated_at = now() WHERE id = $1 AND owner_id = $2', [m.id, auth.user.id])
      },
    }),
    route({
      method: 'GET', path: '/api/assets/{id}', tag: 'Assets', access: 'user', permission: 'asset.read', sharedLink: true,
      summary: 'One asset (yours, in an album shared with you, or in a public link\'s album with key=)',
      handler: async ({ auth, link, params }) => {
        const asset = await readable({ auth, link }, params.id)
        if (link !== undefined && !link.link.show_metadata) return linkAssetDto(asset, link.link, config.HEARTH_DATA_DIR)
        const out = dto(asset, await exifRepo.get(asset.id) ?? null)
        if (link !== undefined) return { ...out, originalPath: '' }
        // A stack is the owner's way of sorting: shown to them.
        if (asset.owner_id === auth.user.id && asset.stack_id !== null) out.stack = (await stackRepo.summaries([asset.id])).get(asset.id) ?? null
        // People and tags are the owner's: shown to them, not to album viewers.
        return asset.owner_id === auth.user.id ? { ...out, people: await assetPeopleDto(db, asset.id), tags: (await tagRepo.ofAsset(asset.id)).map(toTagDto) } : out
      },
    }),
    route({
      method: 'PUT', path: '/api/assets/{id}', tag: 'Assets', access: 'user', permission: 'asset.update',
      summary: 'Favourite, archive or hide an asset; give it a description, a rating, a date (dateTimeOriginal, in its own time zone unless an offset or timeZone is given) or a position (latitude and longitude, named offline). Kept in Hearth, never written to the file, and kept over the file\'s own when its metadata is read again',
      body: assetUpdate,
      handler: async ({ auth, params, body }) => {
        await get(auth.user, params.id)
        const leaveShared = await lockedCheck(auth, [params.id], body.visibility)
        const edit = await ownerEdit([params.id], body)
        await db.transaction(async (tx) => {
          await assets.repo.update(auth.user.id, params.id, { is_favorite: body.isFavorite, visibility: body.visibility }, tx)
          await edit(tx)
          await leaveShared(tx)
        })
        // Read after the writes: a new date changes the asset's own dates too.
        return dto((await assets.repo.byId(auth.user.id, params.id))!, await exifRepo.get(params.id) ?? null)
      },
    }),
    route({
      method: 'PUT', path: '/api/assets', tag: 'Assets', access: 'user', permission: 'asset.update', status: 204,
      summary: 'Favourite, archive, hide, describe, rate, re-date (dateTimeOriginal, or dateTimeRelative in minutes) or place several assets at once (Immich\'s bulk update); all of them must be yours, or none is changed',
      body: assetUpdate.safeExtend({ ids: ids.min(1, 'name at least one asset') }),
      handler: async ({ auth, body }) => {
        const unique = [...new Set(body.ids)]
        const mine = await assets.repo.owned(auth.user.id, unique)
        if (mine.size !== unique.length) throw new NotFoundError(`Asset ${unique.find((i) => !mine.has(i))!}`)
        const leaveShared = await lockedCheck(auth, unique, body.visibility)
        const edit = await ownerEdit(unique, body)
        await db.transaction(async (tx) => {
          await assets.repo.updateMany(auth.user.id, unique, { is_favorite: body.isFavorite, visibility: body.visibility }, tx)
          await edit(tx)
          await leaveShared(tx)
        })
      },
    }),
    route({
      method: 'POST', path: '/api/assets/jobs', tag: 'Assets', access: 'user', permission: 'asset.update', status: 204,
      summary: 'Read your assets\' files again (Immich\'s asset jobs): refresh-metadata and regenerate-thumbnail read the metadata and make the thumbnails again, keeping what you set in Hearth; transcode-video converts videos again',
      body: z.object({ assetIds: ids.min(1, 'name at least one asset'), name: z.enum(['refresh-metadata', 'regenerate-thumbnail', 'transcode-video']) }),
      handler: async ({ auth, body }) => {
        const unique = [...new Set(body.assetIds)]
        const mine = await assets.repo.owned(auth.user.id, unique)
        if (mine.size !== unique.length) throw new NotFoundError(`Asset ${unique.find((i) => !mine.has(i))!}`)
        if (body.name === 'transcode-video') await ingest.transcode(unique)
        else await ingest.refresh(unique)
      },
    }),
    route({
      method: 'GET', path: '/api/assets/{id}/original', tag: 'Assets', access: 'user', permission: 'asset.download', sharedLink: true,
      summary: 'Download the original file (HTTP ranges supported; through a public link only when it allows downloads)',
      handler: async ({ ctx, auth, link, params }) => {
        if (link !== undefined && !link.link.allow_download) throw new ForbiddenError('Downloads are turned off for this link')
        const asset = await readable({ auth, link }, params.id)
        await sendFile(ctx, asset.original_path, { mime: asset.mime_type, downloadName: asset.original_file_name, etag: asset.checksum_sha1.toString('hex') })
      },
    }),
    route({
      method: 'GET', path: '/api/assets/{id}/thumbnail', tag: 'Assets', access: 'user', permission: 'asset.view', sharedLink: true,
      summary: 'The WebP thumbnail (size=thumbnail, 250 px) or JPEG preview (size=preview, 1440 px)',
      query: z.object({ size: z.enum(['thumbnail', 'preview', 'fullsize']).default('thumbnail') }),
      handler: async ({ ctx, auth, link, params, query }) => {
        const asset = await readable({ auth, link }, params.id)
        const rel = query.size === 'thumbnail' ? asset.thumbnail_path : asset.preview_path
        if (rel === null) throw new NotFoundError(asset.ingest_status === 'failed' ? `Thumbnail (${asset.failure_reason ?? 'the file could not be read'})` : 'Thumbnail (not made yet)')
        await sendFile(ctx, resolve(config.HEARTH_DATA_DIR, rel), {
          mime: rel.endsWith('.webp') ? 'image/webp' : 'image/jpeg',
          // Content of a given asset's thumbnail changes only if its file does: the hash covers both.
          etag: `${asset.checksum_sha1.toString('hex')}-${query.size}`,
          cache: 'private, max-age=86400, stale-while-revalidate=604800',
        })
      },
    }),
    route({
      method: 'GET', path: '/api/assets/{id}/video/playback', tag: 'Assets', access: 'user', permission: 'asset.view', sharedLink: true,
      summary: 'Play a video: the H.264 transcode when one was needed, else the original (HTTP ranges supported)',
      handler: async ({ ctx, auth, link, params }) => {
        const asset = await readable({ auth, link }, params.id)
        if (asset.type !== 'VIDEO') throw new NotFoundError('Video')
        if (asset.encoded_video_path !== null) {
          await sendFile(ctx, resolve(config.HEARTH_DATA_DIR, asset.encoded_video_path), { mime: 'video/mp4', etag: `${asset.checksum_sha1.toString('hex')}-mp4` })
        } else {
          // An original that plays as it is: H.264 in a .mov is served as video/mp4, which every browser takes.
          await sendFile(ctx, asset.original_path, { mime: asset.mime_type === 'video/quicktime' ? 'video/mp4' : asset.mime_type, etag: asset.checksum_sha1.toString('hex') })
        }
      },
    }),
    route({
      method: 'DELETE', path: '/api/assets', tag: 'Assets', access: 'user', permission: 'asset.delete', status: 204,
      summary: 'Move assets to the trash, or delete them for good with force',
      body: z.object({ ids, force: z.boolean().optional() }),
      handler: async ({ auth, body }) => {
        await lockedCheck(auth, body.ids, undefined)
        await assets.delete(auth.user, body.ids, body.force === true)
      },
    }),
    route({
      method: 'POST', path: '/api/search/metadata', tag: 'Search', access: 'user', permission: 'asset.read',
      summary: 'List your assets and the timeline photos of the partners you show (withPartners: false for yours only), a page at a time (trashed ones with withDeleted/trashed, yours only); id (Immich\'s) or ids (Hearth\'s, up to 1,000: a map\'s cluster) pick assets by id',
      body: z.object({
        page: z.number().int().min(1).default(1), size: z.number().int().min(1).max(1000).default(250),
        order: z.enum(['asc', 'desc']).optional(), withExif: z.boolean().optional(),
        withDeleted: z.boolean().optional(), isTrashed: z.boolean().optional(), isOffline: z.boolean().optional(),
        type: z.enum(['IMAGE', 'VIDEO']).optional(), isFavorite: z.boolean().optional(), visibility: z.enum(['timeline', 'archive', 'hidden', 'locked']).optional(),
        originalFileName: z.string().max(1000).optional(), originalPath: z.string().max(4096).optional(), checksum: z.string().max(100).optional(),
        libraryId: z.uuid().nullable().optional(), deviceId: z.string().max(1000).optional(),
        takenAfter: z.coerce.date().optional(), takenBefore: z.coerce.date().optional(),
        city: z.string().nullable().optional(), state: z.string().nullable().optional(), country: z.string().nullable().optional(),
        make: z.string().nullable().optional(), model: z.string().nullable().optional(), lensModel: z.string().nullable().optional(),
        rating: z.number().int().min(-1).max(5).optional(),
        ocr: z.string().max(200).optional(), description: z.string().max(1000).optional(),
        personIds: z.array(z.uuid({ error: 'personIds: expected person ids' })).max(100).optional(),
        tagIds: z.array(z.uuid({ error: 'expected tag ids' })).max(100).optional(),
        id: z.uuid({ error: 'id: expected an asset id' }).optional(),
        ids: z.array(z.uuid({ error: 'ids: expected asset ids' })).max(1000, 'ids: at most 1,000 at a time').optional(),
        withPartners: z.boolean().optional(),
      }),
      handler: async ({ auth, body }) => {
        if (body.visibility === 'locked') await requireUnlocked(auth)
        const { items, total } = await search.metadata(auth.user.id, body)
        const nextPage = body.page * body.size < total ? String(body.page + 1) : null
        return {
          assets: { total, count: items.length, items: items.map((a) => dto(a, body.withExif === false ? undefined : a.exif)), facets: [], nextPage },
          albums: { total: 0, count: 0, items: [], facets: [] },
        }
      },
    }),
    route({
      method: 'POST', path: '/api/trash/empty', tag: 'Trash', access: 'user', permission: 'asset.delete',
      summary: 'Delete everything in your trash for good',
      handler: async ({ auth }) => ({ count: await assets.purge(auth.user.id, 'trashed') }),
    }),
    route({
      method: 'POST', path: '/api/trash/restore', tag: 'Trash', access: 'user', permission: 'asset.delete',
      summary: 'Restore everything in your trash',
      handler: async ({ auth }) => ({ count: await assets.repo.restore(auth.user.id, 'all') }),
    }),
    route({
      method: 'POST', path: '/api/trash/restore/assets', tag: 'Trash', access: 'user', permission: 'asset.delete',
      summary: 'Restore some assets from the trash',
      body: z.object({ ids }),
      handler: async ({ auth, body }) => ({ count: await assets.repo.restore(auth.user.id, body.ids) }),
    }),
  ]
}
