/**
 * Downloading many photos at once, in Immich's shapes: `POST /api/download/info` plans the archives
 * (a list of assets, an album, or all of one's own, cut into archives of `archiveSize`, 4 GiB by
 * default), and `POST /api/download/archive` sends one as a ZIP, stored and streamed (zip.ts) with
 * its length told first. A live photo's video comes with its photo, as in Immich. Only what the
 * caller may open goes in (their own, a partner's, an album's shared with them; through a public
 * link, that album's photos if the link allows downloads); a file gone from its share is left out
 * and counted in the X-Hearth-Missing header.
 *
 * The archive also takes a form post (`assetIds` comma-separated, `name`), so that a browser
 * downloads it to disk itself, with its own progress, instead of holding it in memory.
 */
import { requireUnlocked, type AuthContext } from '../auth/service.ts'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { z } from 'zod'
import type { Context } from 'koa'
import type { Database } from '../db/index.ts'
import { BadRequestError, ForbiddenError } from '../http/errors.ts'
import { parseWith, readText } from '../http/body.ts'
import { route } from '../http/route.ts'
import { createAssetRepo, type AssetRow } from '../assets/repo.ts'
import { createSharedLinkRepo, type SharedLinkRow } from '../shared-links/repo.ts'
import type { createAlbumService } from '../albums/service.ts'
import type { Logger } from 'pino'
import { uniqueNames, zipLength, zipStream, type ZipEntry } from './zip.ts'

const GiB = 1024 ** 3
const ids = z.array(z.uuid({ error: 'assetIds: expected asset ids' })).max(100_000, 'assetIds: at most 100,000 at a time')
const infoBody = z.object({
  assetIds: ids.optional(), albumId: z.uuid({ error: 'albumId: expected an album id' }).optional(), userId: z.uuid().optional(),
  archiveSize: z.number().int().min(1024 * 1024, 'archiveSize: at least 1 MiB').optional(),
}).refine((b) => [b.assetIds, b.albumId, b.userId].filter((x) => x !== undefined).length === 1, { message: 'give one of assetIds, albumId or userId' })
const archiveBody = z.object({ assetIds: ids.min(1, 'assetIds: name at least one asset'), name: z.string().max(200).optional() })
const FORM_LIMIT = 8 * 1024 * 1024

/** The archive's request: JSON (Immich's) or a browser's form post. */
async function readArchiveRequest (ctx: Context): Promise<z.infer<typeof archiveBody>> {
  const text = await readText(ctx, FORM_LIMIT, 'Request')
  if (/application\/x-www-form-urlencoded/i.test(ctx.get('content-type'))) {
    const form = new URLSearchParams(text)
    const list = (form.get('assetIds') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
    return parseWith(archiveBody, { assetIds: list, ...(form.get('name') !== null && { name: form.get('name') }) })
  }
  let raw: unknown
  try { raw = JSON.parse(text === '' ? '{}' : text) } catch { throw new BadRequestError('The body is not valid JSON') }
  return parseWith(archiveBody, raw)
}

export function downloadRoutes ({ db, albums, log }: { db: Database, albums: ReturnType<typeof createAlbumService>, log: Logger }) {
  const assets = createAssetRepo(db)
  const linkRepo = createSharedLinkRepo(db)

  /** A photo followed by its live video (readable through the photo), once each, in the order given. */
  async function withMotion (rows: AssetRow[]): Promise<AssetRow[]> {
    const videoIds = rows.map((r) => r.live_photo_video_id).filter((id): id is string => id !== null)
    const videos = new Map((videoIds.length === 0 ? [] : await db.query<AssetRow>('SELECT * FROM assets WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL', [videoIds])).map((v) => [v.id, v]))
    const seen = new Set<string>()
    const out: AssetRow[] = []
    for (const r of rows) {
      for (const a of [r, r.live_photo_video_id === null ? undefined : videos.get(r.live_photo_video_id)]) {
        if (a !== undefined && !seen.has(a.id)) { seen.add(a.id); out.push(a) }
      }
    }
    return out
  }

  /** What the caller may download among `ids`, in the order asked: by a signed-in user, or through a public link (what it shows). */
  async function downloadable (auth: AuthContext | undefined, link: SharedLinkRow | undefined, wanted: string[]): Promise<AssetRow[]> {
    let rows: AssetRow[]
    if (link !== undefined) rows = await linkRepo.assetsAmong(link.id, wanted)
    else {
      rows = await assets.readableByIds(auth!.user.id, wanted)
      // The owner's locked photos leave only through a session that has the locked folder open.
      if (rows.some((r) => r.visibility === 'locked')) await requireUnlocked(auth)
    }
    const byId = new Map(rows.map((r) => [r.id, r]))
    return withMotion(wanted.map((id) => byId.get(id)).filter((r): r is AssetRow => r !== undefined))
  }

  return [
    route({
      method: 'POST', path: '/api/download/info', tag: 'Download', access: 'user', permission: 'asset.download', sharedLink: true,
      summary: 'Plans a download: the assets of assetIds, an album (albumId) or all your own (userId: yours), with their live photos\' videos, cut into archives of at most archiveSize bytes (4 GiB)',
      body: infoBody,
      handler: async ({ auth, link, body }) => {
        if (link !== undefined && !link.link.allow_download) throw new ForbiddenError('Downloads are turned off for this link')
        let wanted: string[]
        if (body.albumId !== undefined) {
          if (link !== undefined && link.link.album_id !== body.albumId) throw new ForbiddenError(link.link.type === 'ALBUM' ? 'This link shares another album' : 'This link shares photos, not an album: give their assetIds')
          if (link === undefined) await albums.get(auth.user.id, body.albumId)
          wanted = (await albums.repo.assetsOf(body.albumId, 'asc')).map((r) => r.id)
        } else if (body.userId !== undefined) {
          if (link !== undefined || body.userId !== auth.user.id) throw new ForbiddenError('You may download all of your own photos only')
          wanted = (await db.query<{ id: string }>(
            "SELECT id FROM assets WHERE owner_id = $1 AND deleted_at IS NULL AND visibility IN ('timeline', 'archive') ORDER BY file_created_at, id", [auth.user.id])).map((r) => r.id)
        } else wanted = body.assetIds!
        const rows = await downloadable(link === undefined ? auth : undefined, link?.link, wanted)
        const limit = body.archiveSize ?? 4 * GiB
        const archives: Array<{ assetIds: string[], size: number }> = []
        for (const r of rows) {
          const last = archives.at(-1)
          if (last === undefined || (last.size + Number(r.file_size) > limit && last.assetIds.length > 0)) archives.push({ assetIds: [r.id], size: Number(r.file_size) })
          else { last.assetIds.push(r.id); last.size += Number(r.file_size) }
        }
        return { totalSize: archives.reduce((n, a) => n + a.size, 0), archives }
      },
    }),
    route({
      method: 'POST', path: '/api/download/archive', tag: 'Download', access: 'user', permission: 'asset.download', sharedLink: true,
      summary: 'A ZIP of these assets (their live photos\' videos too), stored and streamed with its length; JSON {assetIds} or a form post (assetIds comma-separated, name). Files gone from their share are left out (X-Hearth-Missing)',
      body: 'raw',
      handler: async ({ ctx, auth, link }) => {
        if (link !== undefined && !link.link.allow_download) throw new ForbiddenError('Downloads are turned off for this link')
        const req = await readArchiveRequest(ctx)
        const rows = await downloadable(link === undefined ? auth : undefined, link?.link, [...new Set(req.assetIds)])
        const found: Array<{ row: AssetRow, size: number }> = []
        let missing = 0
        for (const row of rows) {
          try { found.push({ row, size: (await stat(row.original_path)).size }) } catch { missing++ }
        }
        if (found.length === 0) throw new BadRequestError(rows.length === 0 ? 'None of these photos can be downloaded by you' : 'None of these files can be read: their shares may be offline')
        const names = uniqueNames(found.map((f) => f.row.original_file_name))
        const entries: ZipEntry[] = found.map((f, i) => ({ name: names[i]!, path: f.row.original_path, size: f.size, modified: new Date(f.row.local_date_time) }))
        const name = (req.name ?? `hearth-${new Date().toISOString().slice(0, 10)}`).replace(/[/\\]/g, '_')
        ctx.status = 200
        ctx.type = 'application/zip'
        ctx.length = zipLength(entries)
        ctx.set('content-disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}.zip"; filename*=UTF-8''${encodeURIComponent(name)}.zip`)
        ctx.set('x-hearth-missing', String(missing))
        const stream = Readable.from(zipStream(entries))
        stream.on('error', (err) => { log.warn({ err: err.message, files: entries.length }, 'download archive stopped') })
        ctx.body = stream
      },
    }),
  ]
}
