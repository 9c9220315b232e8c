/**
 * Places in SQL: which assets still need a place name, writing names, and the read side (Immich's
 * suggestions and cities, Hearth's places listing). Only the owner's assets that are not trashed,
 * hidden or locked are listed.
 */
import type { Database } from '../db/index.ts'
import { ownersSql, partnersShownBy } from '../partners/sql.ts'
import type { AssetRow } from '../assets/repo.ts'
import type { ExifRow } from '../assets/exif.ts'

const visible = `a.deleted_at IS NULL AND a.visibility IN ('timeline', 'archive')`

export type SuggestionType = 'country' | 'state' | 'city' | 'camera-make' | 'camera-model' | 'camera-lens-model'

const suggestionColumn: Record<SuggestionType, string> = {
  country: 'country', state: 'state', city: 'city', 'camera-make': 'make', 'camera-model': 'model', 'camera-lens-model': 'lens_model',
}

export interface MarkerFilters { isArchived?: boolean, isFavorite?: boolean, fileCreatedAfter?: Date, fileCreatedBefore?: Date, withPartners?: boolean, withSharedAlbums?: boolean }
export interface Marker { id: string, lat: number, lon: number, city: string | null, state: string | null, country: string | null }

export function createPlacesRepo (db: Database) {
  return {
    /** Assets with a position and no place name, after `afterId` (keyset pages). */
    async unnamed (afterId: string | null, limit: number): Promise<Array<{ assetId: string, latitude: number, longitude: number }>> {
      return db.query(
        `SELECT asset_id AS "assetId", latitude, longitude FROM asset_exif
         WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND city IS NULL AND country IS NULL
           AND ($1::uuid IS NULL OR asset_id > $1::uuid)
         ORDER BY asset_id LIMIT $2`, [afterId, limit])
    },

    async setNames (rows: Array<{ assetId: string, city: string | null, state: string | null, country: string | null }>) {
      if (rows.length === 0) return
      await db.query(
        `UPDATE asset_exif e SET city = v.city, state = v.state, country = v.country, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS v(asset_id, city, state, country)
         WHERE e.asset_id = v.asset_id`,
        [rows.map((r) => r.assetId), rows.map((r) => r.city), rows.map((r) => r.state), rows.map((r) => r.country)])
    },

    /** Immich's search suggestions: distinct values of one field, narrowed by the others given. */
    async suggestions (ownerId: string, type: SuggestionType, f: { country?: string, state?: string, make?: string, model?: string, includeNull?: boolean }): Promise<Array<string | null>> {
      const column = suggestionColumn[type]
      const where = ['a.owner_id = $1', visible]
      const params: unknown[] = [ownerId]
      const narrow = (col: string, value: string | undefined) => { if (value !== undefined) { params.push(value); where.push(`e.${col} = $${params.length}`) } }
      if (type === 'state' || type === 'city') narrow('country', f.country)
      if (type === 'city') narrow('state', f.state)
      if (type === 'camera-model' || type === 'camera-lens-model') narrow('make', f.make)
      if (type === 'camera-lens-model') narrow('model', f.model)
      if (f.includeNull !== true) where.push(`e.${column} IS NOT NULL AND e.${column} <> ''`)
      const rows = await db.query<{ value: string | null }>(
        `SELECT DISTINCT e.${column} AS value FROM asset_exif e JOIN assets a ON a.id = e.asset_id
         WHERE ${where.join(' AND ')} ORDER BY value NULLS LAST LIMIT 1000`, params)
      return rows.map((r) => r.value)
    },

    /** One asset per city (the newest), Immich's GET /api/search/cities. */
    async assetsByCity (ownerId: string): Promise<Array<AssetRow & { exif: ExifRow }>> {
      return db.query(
        `SELECT * FROM (
           SELECT DISTINCT ON (e.city) a.*, to_jsonb(e) AS exif FROM assets a JOIN asset_exif e ON e.asset_id = a.id
           WHERE a.owner_id = $1 AND ${visible} AND a.type = 'IMAGE' AND e.city IS NOT NULL
           ORDER BY e.city, a.file_created_at DESC, a.id
         ) x ORDER BY x.exif->>'city'`, [ownerId])
    },

    /**
     * Immich's map markers: every photo and video with a position, newest first. The timeline's
     * assets, with the archive too when `isArchived`; with `withPartners` the timeline photos of
     * partners shown in the user's timeline, with `withSharedAlbums` those of albums shared with them. As JSON text (an array of `Marker`): a hundred thousand
     * markers go out as one string.
     */
    async markers (userId: string, f: MarkerFilters): Promise<string> {
      const params: unknown[] = []
      const add = (sql: string, value: unknown) => { params.push(value); return sql.replaceAll('?', `$${params.length}`) }
      const partners = f.withPartners === true ? await partnersShownBy(db, userId) : []
      // The user is the first parameter ($1, which the shared albums' test reads too).
      const whose = [ownersSql('a', { user: userId, partners }, (v) => `$${params.push(v)}`)]
      if (f.withSharedAlbums === true) whose.push('EXISTS (SELECT 1 FROM album_assets aa JOIN album_users u ON u.album_id = aa.album_id WHERE aa.asset_id = a.id AND u.user_id = $1)')
      const where = [`(${whose.join(' OR ')})`, 'a.deleted_at IS NULL', 'e.latitude IS NOT NULL', 'e.longitude IS NOT NULL',
        f.isArchived === true ? `a.visibility IN ('timeline', 'archive')` : `a.visibility = 'timeline'`]
      if (f.isFavorite !== undefined) where.push(add('a.is_favorite = ?', f.isFavorite))
      if (f.fileCreatedAfter !== undefined) where.push(add('a.file_created_at >= ?', f.fileCreatedAfter))
      if (f.fileCreatedBefore !== undefined) where.push(add('a.file_created_at <= ?', f.fileCreatedBefore))
      const rows = `SELECT a.id, e.latitude AS lat, e.longitude AS lon, e.city, e.state, e.country
           FROM assets a JOIN asset_exif e ON e.asset_id = a.id
           WHERE ${where.join(' AND ')} ORDER BY a.file_created_at DESC, a.id DESC`
      // Measured in bench/map at 90,000 markers: PGlite hands rows over from WebAssembly one by one,
      // so it makes the JSON itself (2x faster); PostgreSQL's json_agg is slower than V8's stringify.
      if (db.engine === 'pglite') {
        const [row] = await db.query<{ json: string }>(`SELECT coalesce(json_agg(m), '[]')::text AS json FROM (${rows}) m`, params)
        return row!.json
      }
      return JSON.stringify(await db.query<Marker>(rows, params))
    },

    /** Immich's explore: the `limit` cities with the most photos, each with its newest photo. */
    async topCities (ownerId: string, limit: number): Promise<Array<AssetRow & { exif: ExifRow }>> {
      return db.query(
        `SELECT * FROM (
           SELECT DISTINCT ON (e.city) a.*, to_jsonb(e) AS exif, count(*) OVER (PARTITION BY e.city) AS n
           FROM assets a JOIN asset_exif e ON e.asset_id = a.id
           WHERE a.owner_id = $1 AND ${visible} AND a.type = 'IMAGE' AND e.city IS NOT NULL
           ORDER BY e.city, a.file_created_at DESC, a.id
         ) x ORDER BY x.n DESC, x.exif->>'city' LIMIT $2`, [ownerId, limit])
    },

    /** Countries, then their cities, with counts and each city's newest photo as its cover. */
    async places (ownerId: string): Promise<Array<{ country: string, state: string | null, city: string | null, count: number, coverAssetId: string }>> {
      return db.query(
        `SELECT DISTINCT ON (e.country, e.state, e.city) e.country, e.state, e.city,
           (count(*) OVER (PARTITION BY e.country, e.state, e.city))::int AS count, a.id AS "coverAssetId"
         FROM assets a JOIN asset_exif e ON e.asset_id = a.id
         WHERE a.owner_id = $1 AND ${visible} AND e.country IS NOT NULL
         ORDER BY e.country, e.state, e.city, (a.type = 'IMAGE') DESC, a.file_created_at DESC, a.id`, [ownerId])
    },
  }
}
