/**
 * The ingest pipeline: metadata → thumbnails → video, each a durable job, each recording its result
 * so a re-run does nothing new. A file Hearth cannot read ends as an asset marked failed with the
 * reason (shown to the user); it never crashes a worker and is not retried until the file changes.
 *
 * @example
 * const ingest = createIngestService({ db, jobs, log, dataDir, metadata, image, video })
 * ingest.registerHandlers()
 * await ingest.enqueueAsset(assetId, 'interactive')   // after an upload or a scan
 */
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Logger } from 'pino'
import type { Database } from '../db/index.ts'
import type { AssetRow } from '../assets/repo.ts'
import { createExifRepo } from '../assets/exif.ts'
import { PermanentJobError, type JobService } from '../jobs/service.ts'
import { priority as priorities } from '../jobs/queues.ts'
import { isUnreadableFileError, type ImagePort, type MetadataPort, type VideoPort } from './ports.ts'

export type IngestPriority = keyof typeof priorities

export function createIngestService ({ db, jobs, log, dataDir, metadata, image, video, transcodeHeight = 720, adoptFile, onReady, geocode }: {
  db: Database, jobs: JobService, log: Logger, dataDir: string
  metadata: MetadataPort, image: ImagePort, video: VideoPort, transcodeHeight?: number
  /** Names a GPS position (offline reverse geocoding, node/places/); without it places stay empty. */
  geocode?: (latitude: number | null, longitude: number | null) => Promise<{ city: string | null, state: string | null, country: string | null }>
  /** Called once an asset's preview is written (the ML pipeline starts there), with the ingest priority. */
  onReady?: (assetId: string, priority: number) => Promise<void>
  /** Stores a file Hearth extracted (a motion photo's video) as a new asset of `ownerId`. */
  adoptFile: (ownerId: string, path: string, o: { fileName: string, type: 'VIDEO', mime: string, created: Date, visibility: string }) => Promise<{ id: string, status: 'created' | 'duplicate' }>
}) {
  const exif = createExifRepo(db)
  const generatedDir = (kind: 'thumbs' | 'encoded-video', a: Pick<AssetRow, 'id' | 'owner_id'>) =>
    join(kind, a.owner_id, a.id.slice(0, 2), a.id.slice(2, 4))

  async function load (assetId: string): Promise<AssetRow | undefined> {
    const [row] = await db.query<AssetRow>('SELECT * FROM assets WHERE id = $1', [assetId])
    return row
  }

  async function markFailed (a: AssetRow, reason: string) {
    await db.query(`UPDATE assets SET ingest_status = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1`, [a.id, reason])
    log.warn({ assetId: a.id, path: a.original_path, reason }, 'file could not be read')
    throw new PermanentJobError(reason)
  }

  const next = async (queue: 'thumbnailGeneration' | 'videoConversion', assetId: string, priority: number) =>
    jobs.enqueue({ queue, name: queue, payload: { assetId, priority }, dedupeKey: assetId, priority })

  /** Queues metadata reads (then thumbnails) for `ids`, a thousand jobs an insert; how many. */
  async function queueMetadata (ids: string[], priority: number): Promise<number> {
    for (let i = 0; i < ids.length; i += 1000) {
      await jobs.enqueue(...ids.slice(i, i + 1000).map((assetId) => ({ queue: 'metadataExtraction', name: 'metadataExtraction', payload: { assetId, priority }, dedupeKey: assetId, priority })))
    }
    return ids.length
  }

  async function extractMetadata (a: AssetRow, priority: number) {
    try {
      const m = await metadata.read(a.original_path, { sidecarPath: a.sidecar_path ?? undefined })
      const place = await geocode?.(m.latitude, m.longitude) ?? { city: null, state: null, country: null }
      // An upload whose file holds no date keeps the date its client sent (the file's time on the
      // phone or computer, as Immich keeps it): the stored copy's modification time is only when
      // it arrived here. A file indexed in place has no such date, so its own time is the best one.
      const clientDate = a.library_id === null && m.dateFromFileTime
      const taken = clientDate ? null : m.dateTimeOriginal
      await exif.upsert(a.id, {
        date_time_original: clientDate ? a.file_created_at : m.dateTimeOriginal, time_zone: m.timeZone, latitude: m.latitude, longitude: m.longitude,
        city: place.city, state: place.state, country: place.country, make: m.make, model: m.model, lens_model: m.lensModel, f_number: m.fNumber,
        exposure_time: m.exposureTime, iso: m.iso, focal_length: m.focalLength, orientation: m.orientation, rating: m.rating,
        description: m.description, keywords: m.keywords, exif_image_width: m.exifImageWidth, exif_image_height: m.exifImageHeight,
        projection_type: m.projectionType, live_photo_cid: m.livePhotoCID, fps: null,
      })
      // Sideways orientations (5-8) swap the stored dimensions for the upright ones.
      const swap = m.orientation !== null && m.orientation >= 5
      const width = swap ? m.exifImageHeight : m.exifImageWidth
      const height = swap ? m.exifImageWidth : m.exifImageHeight
      // A date the owner set in Hearth (locked) stays the asset's date.
      await db.query(
        `UPDATE assets a SET file_created_at = CASE WHEN l.owner_date THEN a.file_created_at ELSE coalesce($2, a.file_created_at) END,
           local_date_time = CASE WHEN l.owner_date THEN a.local_date_time ELSE coalesce($3, a.local_date_time) END,
           width = coalesce($4, width), height = coalesce($5, height), duration_seconds = coalesce($6, duration_seconds), updated_at = now()
         FROM (SELECT EXISTS (SELECT 1 FROM asset_exif WHERE asset_id = $1 AND 'date_time_original' = ANY(locked_properties)) AS owner_date) l
         WHERE a.id = $1`,
        [a.id, taken, clientDate ? null : m.localDateTime ?? m.dateTimeOriginal, width, height, m.duration])
      if (m.livePhotoCID !== null) await pairLivePhoto(a, m.livePhotoCID)
      if (m.motionPhoto && m.embeddedVideoTag != null && a.live_photo_video_id === null) {
        await extractMotionVideo(a, m.embeddedVideoTag, m.dateTimeOriginal ?? a.file_created_at, priority)
      }
    } catch (err) {
      // Unreadable metadata is not the end: thumbnails decide whether the file is usable at all.
      if (!isUnreadableFileError(err)) throw err
      log.info({ assetId: a.id, err: (err as Error).message }, 'no metadata; using the file dates')
    }
    await next('thumbnailGeneration', a.id, priority)
  }

  /** An iPhone live photo: the HEIC/JPEG and its MOV share a content identifier; the video hides behind the photo. */
  async function pairLivePhoto (a: AssetRow, cid: string) {
    const partners = await db.query<{ id: string, type: string }>(
      `SELECT x.id, x.type FROM assets x JOIN asset_exif e ON e.asset_id = x.id
       WHERE x.owner_id = $1 AND e.live_photo_cid = $2 AND x.id <> $3 AND x.type <> $4 AND x.deleted_at IS NULL`,
      [a.owner_id, cid, a.id, a.type])
    const partner = partners[0]
    if (partner === undefined) return
    const [photoId, videoId] = a.type === 'IMAGE' ? [a.id, partner.id] : [partner.id, a.id]
    await db.transaction(async (tx) => {
      await tx.query('UPDATE assets SET live_photo_video_id = $2, updated_at = now() WHERE id = $1', [photoId, videoId])
      await tx.query(`UPDATE assets SET visibility = 'hidden', updated_at = now() WHERE id = $1`, [videoId])
    })
  }

  /** Samsung and Google motion photos carry their video inside the photo: it becomes a hidden video asset, linked. */
  async function extractMotionVideo (a: AssetRow, tag: string, created: Date, priority: number) {
    const temp = resolve(dataDir, 'library', '.partial', `${a.id}-motion.tmp`)
    try {
      if (!await metadata.extractBinaryTag(a.original_path, tag, temp)) return
      const stem = a.original_file_name.replace(/\.[^.]+$/, '')
      const out = await adoptFile(a.owner_id, temp, { fileName: `${stem}-motion.mp4`, type: 'VIDEO', mime: 'video/mp4', created, visibility: 'hidden' })
      await db.query('UPDATE assets SET live_photo_video_id = $2, updated_at = now() WHERE id = $1', [a.id, out.id])
      if (out.status === 'created') {
        await jobs.enqueue({ queue: 'metadataExtraction', name: 'metadataExtraction', payload: { assetId: out.id, priority }, dedupeKey: out.id, priority })
      }
    } finally {
      await rm(temp, { force: true })
    }
  }

  async function generateThumbnails (a: AssetRow, priority: number, signal: AbortSignal) {
    const dir = generatedDir('thumbs', a)
    const thumbnailPath = join(dir, `${a.id}-thumbnail.webp`)
    const previewPath = join(dir, `${a.id}-preview.jpeg`)
    await mkdir(resolve(dataDir, dir), { recursive: true })
    let source = { path: a.original_path, mimeType: a.mime_type, orientation: null as number | null }
    let poster: string | undefined
    try {
      if (a.type === 'VIDEO') {
        const info = await video.probe(a.original_path)
        poster = resolve(dataDir, dir, `${a.id}-poster.tmp.jpeg`)
        await video.poster(a.original_path, poster)
        source = { path: poster, mimeType: 'image/jpeg', orientation: null }
        await db.query('UPDATE assets SET duration_seconds = $2, width = $3, height = $4 WHERE id = $1', [a.id, info.duration, info.width, info.height])
      } else {
        const [row] = await db.query<{ orientation: number | null }>('SELECT orientation FROM asset_exif WHERE asset_id = $1', [a.id])
        source.orientation = row?.orientation ?? null
      }
      const result = await image.generate(source, { thumbnailPath: resolve(dataDir, thumbnailPath), previewPath: resolve(dataDir, previewPath) }, { signal })
      const updated = await db.query(
        `UPDATE assets SET thumbnail_path = $2, preview_path = $3, thumbhash = $4,
           width = coalesce(width, $5), height = coalesce(height, $6), ingest_status = 'ready', failure_reason = NULL, updated_at = now()
         WHERE id = $1 RETURNING id`,
        [a.id, thumbnailPath, previewPath, result.thumbhash, result.width, result.height])
      if (updated.length === 0) {
        // Deleted for good while its thumbnails were being made: they must not outlive it.
        await Promise.all([rm(resolve(dataDir, thumbnailPath), { force: true }), rm(resolve(dataDir, previewPath), { force: true })])
        return
      }
      // A failure to enqueue what follows does not undo the thumbnails; the ML backlog catches up.
      await onReady?.(a.id, priority).catch((err: unknown) => log.error({ err, assetId: a.id }, 'could not start ML for an asset'))
    } catch (err) {
      if (isUnreadableFileError(err)) await markFailed(a, (err as Error).message)
      throw err
    } finally {
      if (poster !== undefined) await rm(poster, { force: true })
    }
    if (a.type === 'VIDEO') await next('videoConversion', a.id, priority)
  }

  async function convertVideo (a: AssetRow, signal: AbortSignal, progress: (f: number) => void) {
    let info
    try {
      info = await video.probe(a.original_path)
    } catch (err) {
      if (isUnreadableFileError(err)) await markFailed(a, (err as Error).message)
      throw err
    }
    if (!video.needsTranscode(info)) return
    const rel = join(generatedDir('encoded-video', a), `${a.id}.mp4`)
    const final = resolve(dataDir, rel)
    const temp = `${final}.tmp.mp4`
    await mkdir(dirname(final), { recursive: true })
    try {
      await video.transcode(a.original_path, temp, { targetHeight: transcodeHeight, signal, onProgress: progress })
      await rename(temp, final)
    } catch (err) {
      await rm(temp, { force: true })
      if (isUnreadableFileError(err)) await markFailed(a, (err as Error).message)
      throw err
    }
    const updated = await db.query('UPDATE assets SET encoded_video_path = $2, updated_at = now() WHERE id = $1 RETURNING id', [a.id, rel])
    if (updated.length === 0) await rm(final, { force: true })
  }

  return {
    registerHandlers () {
      jobs.register('metadataExtraction', async (job) => {
        const a = await load(job.payload.assetId as string)
        if (a !== undefined) await extractMetadata(a, Number(job.payload.priority ?? job.priority))
      })
      jobs.register('thumbnailGeneration', async (job, { signal }) => {
        const a = await load(job.payload.assetId as string)
        if (a !== undefined) await generateThumbnails(a, Number(job.payload.priority ?? job.priority), signal)
      })
      jobs.register('videoConversion', async (job, { signal, progress }) => {
        const a = await load(job.payload.assetId as string)
        if (a !== undefined && a.type === 'VIDEO') await convertVideo(a, signal, progress)
      })
    },

    /** Starts the pipeline for an asset (new, or whose file changed). */
    async enqueueAsset (assetId: string, priority: IngestPriority = 'normal') {
      const p = priorities[priority]
      await db.query(`UPDATE assets SET ingest_status = 'pending', failure_reason = NULL WHERE id = $1`, [assetId])
      await jobs.enqueue({ queue: 'metadataExtraction', name: 'metadataExtraction', payload: { assetId, priority: p }, dedupeKey: assetId, priority: p })
    },

    /**
     * Reads the files' metadata again, then makes their thumbnails again (Immich's "Refresh
     * metadata" and "Regenerate thumbnails"): `ids`, or every asset that is not trashed. The assets
     * stay as they are until then; what their owner set in Hearth is kept (locked_properties).
     */
    async refresh (ids: string[] | 'all', priority: IngestPriority = 'interactive'): Promise<number> {
      const rows = ids === 'all'
        ? await db.query<{ id: string }>('SELECT id FROM assets WHERE deleted_at IS NULL ORDER BY id')
        : ids.map((id) => ({ id }))
      return queueMetadata(rows.map((r) => r.id), priorities[priority])
    },

    /** Converts the videos among `ids` again (Immich's "Transcode video"). */
    async transcode (ids: string[]): Promise<number> {
      const videos = await db.query<{ id: string }>(`SELECT id FROM assets WHERE id = ANY($1::uuid[]) AND type = 'VIDEO' AND deleted_at IS NULL`, [ids])
      for (const v of videos) await next('videoConversion', v.id, priorities.interactive)
      return videos.length
    },

    /** Queues every asset that has no thumbnail yet (after an upgrade, or "run now" on the jobs page). */
    async enqueueMissing (): Promise<number> {
      const rows = await db.query<{ id: string }>(`SELECT id FROM assets WHERE ingest_status = 'pending' AND deleted_at IS NULL`)
      return queueMetadata(rows.map((r) => r.id), priorities.backlog)
    },
  }
}

export type IngestService = ReturnType<typeof createIngestService>
