import type { Queryable } from '../db/index.ts'

/** One asset's metadata as stored (asset_exif). Dates arrive as strings from to_jsonb, as Dates from a plain select. */
export interface ExifRow {
  asset_id: string
  date_time_original: Date | string | null
  time_zone: string | null
  latitude: number | null
  longitude: number | null
  city: string | null
  state: string | null
  country: string | null
  make: string | null
  model: string | null
  lens_model: string | null
  f_number: number | null
  exposure_time: string | null
  iso: number | null
  focal_length: number | null
  orientation: number | null
  rating: number | null
  description: string | null
  keywords: string[]
  exif_image_width: number | null
  exif_image_height: number | null
  projection_type: string | null
  live_photo_cid: string | null
  fps: number | null
  /** Fields the owner set in Hearth (OwnerEdits), which a metadata read leaves alone. */
  locked_properties?: string[]
}

export type ExifInput = Omit<ExifRow, 'asset_id' | 'locked_properties'>

/**
 * What an owner may set in Hearth (PUT /api/assets/{id}), by column; stored in the database, never
 * in the file. A date comes with its zone, a position with its place names.
 */
export interface OwnerEdits {
  description?: string
  rating?: number | null
  date_time_original?: Date
  time_zone?: string | null
  latitude?: number
  longitude?: number
  city?: string | null
  state?: string | null
  country?: string | null
}
const editable: ReadonlySet<string> = new Set([
  'description', 'rating', 'date_time_original', 'time_zone', 'latitude', 'longitude', 'city', 'state', 'country',
] satisfies Array<keyof OwnerEdits>)
/** Merges two locked_properties lists (the row's and the new one), sorted, each name once. */
const mergeLocked = 'ARRAY(SELECT DISTINCT p FROM unnest(asset_exif.locked_properties || excluded.locked_properties) p ORDER BY p)'

const fields = [
  'date_time_original', 'time_zone', 'latitude', 'longitude', 'city', 'state', 'country', 'make', 'model', 'lens_model',
  'f_number', 'exposure_time', 'iso', 'focal_length', 'orientation', 'rating', 'description', 'keywords',
  'exif_image_width', 'exif_image_height', 'projection_type', 'live_photo_cid', 'fps',
] as const

export function createExifRepo (db: Queryable) {
  return {
    /** The metadata read from the file; a field the owner set in Hearth keeps the owner's value. */
    async upsert (assetId: string, e: ExifInput, q: Queryable = db) {
      const set = fields.map((f) => editable.has(f)
        ? `${f} = CASE WHEN '${f}' = ANY(asset_exif.locked_properties) THEN asset_exif.${f} ELSE excluded.${f} END`
        : `${f} = excluded.${f}`)
      await q.query(
        `INSERT INTO asset_exif (asset_id, ${fields.join(', ')}) VALUES ($1, ${fields.map((_, i) => `$${i + 2}`).join(', ')})
         ON CONFLICT (asset_id) DO UPDATE SET ${set.join(', ')}, updated_at = now()`,
        [assetId, ...fields.map((f) => e[f])])
    },
    /**
     * The owner's own values (description, rating, date, position), locked against later metadata
     * reads. Before the file's metadata has been read, the row is made with these alone; the read
     * fills the rest.
     */
    async setByOwner (assetIds: string | string[], edits: OwnerEdits, q: Queryable = db): Promise<void> {
      const set = Object.entries(edits).filter(([f, v]) => editable.has(f) && v !== undefined)
      if (set.length === 0) return
      const columns = set.map(([f]) => f)
      await q.query(
        `INSERT INTO asset_exif (asset_id, ${columns.join(', ')}, locked_properties)
         SELECT id, ${columns.map((_, i) => `$${i + 2}`).join(', ')}, $${columns.length + 2}::text[] FROM unnest($1::uuid[]) id
         ON CONFLICT (asset_id) DO UPDATE SET ${columns.map((f) => `${f} = excluded.${f}`).join(', ')},
           locked_properties = ${mergeLocked}, updated_at = now()`,
        [Array.isArray(assetIds) ? assetIds : [assetIds], ...set.map(([, v]) => v), columns])
    },
    /**
     * Moves the owner's assets in time by `minutes` (Immich's dateTimeRelative: a camera clock set
     * an hour wrong), from the date each has (the file's date before its metadata is read), locked
     * like a date set outright. The assets' own dates (the timeline's) move with it.
     */
    async shiftByOwner (assetIds: string[], minutes: number, q: Queryable = db): Promise<void> {
      await q.query(
        `INSERT INTO asset_exif (asset_id, date_time_original, locked_properties)
         SELECT a.id, coalesce(e.date_time_original, a.file_created_at) + make_interval(mins => $2), ARRAY['date_time_original']
         FROM assets a LEFT JOIN asset_exif e ON e.asset_id = a.id WHERE a.id = ANY($1::uuid[])
         ON CONFLICT (asset_id) DO UPDATE SET date_time_original = excluded.date_time_original,
           locked_properties = ${mergeLocked}, updated_at = now()`,
        [assetIds, minutes])
      await q.query(
        `UPDATE assets a SET file_created_at = e.date_time_original, local_date_time = a.local_date_time + make_interval(mins => $2), updated_at = now()
         FROM asset_exif e WHERE e.asset_id = a.id AND a.id = ANY($1::uuid[])`,
        [assetIds, minutes])
    },
    /** The time zones the assets' dates are in (null: unknown), for reading a date typed without one. */
    async zones (assetIds: string[], q: Queryable = db): Promise<Map<string, string | null>> {
      const rows = await q.query<{ id: string, time_zone: string | null }>(
        'SELECT a.id, e.time_zone FROM unnest($1::uuid[]) a(id) LEFT JOIN asset_exif e ON e.asset_id = a.id', [assetIds])
      return new Map(rows.map((r) => [r.id, r.time_zone]))
    },
    async get (assetId: string): Promise<ExifRow | undefined> {
      const [row] = await db.query<ExifRow>('SELECT * FROM asset_exif WHERE asset_id = $1', [assetId])
      return row
    },
  }
}

const iso = (d: Date | string | null) => d === null ? null : new Date(d).toISOString()

/** Immich's ExifResponseDto. */
export function toExifDto (e: ExifRow | null | undefined, fileSizeInByte: number) {
  if (e === null || e === undefined) return undefined
  return {
    make: e.make, model: e.model, exifImageWidth: e.exif_image_width, exifImageHeight: e.exif_image_height,
    fileSizeInByte, orientation: e.orientation === null ? null : String(e.orientation),
    dateTimeOriginal: iso(e.date_time_original), modifyDate: null, timeZone: e.time_zone,
    lensModel: e.lens_model, fNumber: e.f_number, focalLength: e.focal_length, iso: e.iso, exposureTime: e.exposure_time,
    latitude: e.latitude, longitude: e.longitude, city: e.city, state: e.state, country: e.country,
    description: e.description ?? '', projectionType: e.projection_type, rating: e.rating, keywords: e.keywords,
  }
}
