import type { Queryable } from '../db/index.ts'
import type { AssetRow } from '../assets/repo.ts'
import type { ExifRow } from '../assets/exif.ts'
import { normaliseQuery, ocrMatchSql, substringPattern } from '../ocr/repo.ts'
import { ownersSql, partnersShownBy } from '../partners/sql.ts'

export interface MetadataFilters {
  page: number
  size: number
  order?: 'asc' | 'desc'
  withDeleted?: boolean
  isTrashed?: boolean
  isOffline?: boolean
  isFavorite?: boolean
  type?: 'IMAGE' | 'VIDEO'
  originalFileName?: string
  originalPath?: string
  checksum?: string
  libraryId?: string | null
  deviceId?: string
  takenAfter?: Date
  takenBefore?: Date
  city?: string | null
  state?: string | null
  country?: string | null
  make?: string | null
  model?: string | null
  lensModel?: string | null
  rating?: number
  visibility?: string
  /** Inside the description (the file's, or the one its owner wrote in Hearth). */
  description?: string
  /** Text recognised in the photo (OCR): all its words, or the phrase as a substring. */
  ocr?: string
  /** Assets showing every one of these people (faces not deleted). */
  personIds?: string[]
  /** Assets carrying every one of these tags (or a tag below each). */
  tagIds?: string[]
  /** This asset (Immich's `id`). */
  id?: string
  /** Any of these assets (Hearth's: the photos of a map's cluster). */
  ids?: string[]
  /**
   * The timeline photos of the partners the user shows join the results (Immich's search does
   * this always; Hearth's `false` keeps to the user's own, for screens that list only those).
   */
  withPartners?: boolean
}

/**
 * Whether a metadata search can find a partner's photos: not when it asks for what only the user
 * has (their trash, archive, a library, a device, their people or tags).
 */
const reachesPartners = (f: MetadataFilters) => f.withPartners !== false && f.isTrashed !== true && f.withDeleted !== true &&
  (f.visibility === undefined || f.visibility === 'timeline') && f.libraryId === undefined && f.deviceId === undefined &&
  (f.personIds ?? []).length === 0 && (f.tagIds ?? []).length === 0

/**
 * SQL true when asset `a` carries tag $? or a tag below it (Immich's: "Family" finds the photos
 * tagged Family/Grandma).
 */
export const tagFilterSql = `EXISTS (SELECT 1 FROM tag_assets ta JOIN tags t ON t.id = ta.tag_id JOIN tags p ON p.id = ?::uuid
  WHERE ta.asset_id = a.id AND t.owner_id = a.owner_id AND (t.id = p.id OR left(t.value, length(p.value) + 1) = p.value || '/'))`

const like = (s: string) => `%${s.replace(/[%_\\]/g, '\\$&')}%`

/**
 * Immich's metadata search, in plain SQL over assets joined with their EXIF. Filters that name an
 * EXIF field with `null` match assets where that field is unknown (Immich's convention). The
 * user's own assets, and the timeline photos of the partners they show (partner sharing).
 */
export function createSearchRepo (db: Queryable) {
  return {
    async metadata (ownerId: string, f: MetadataFilters): Promise<{ items: Array<AssetRow & { exif: ExifRow | null }>, total: number }> {
      const params: unknown[] = []
      const owners = { user: ownerId, partners: reachesPartners(f) ? await partnersShownBy(db, ownerId) : [] }
      const where = [ownersSql('a', owners, (v) => `$${params.push(v)}`)]
      const add = (sql: string, value: unknown) => { params.push(value); where.push(sql.replaceAll('?', `$${params.length}`)) }
      const exact = (column: string, value: string | null | undefined) => {
        if (value === undefined) return
        if (value === null) where.push(`${column} IS NULL`)
        else add(`${column} = ?`, value)
      }
      if (f.isTrashed === true) where.push('a.deleted_at IS NOT NULL')
      else if (f.withDeleted !== true) where.push('a.deleted_at IS NULL')
      if (f.isOffline !== undefined) add('a.is_offline = ?', f.isOffline)
      if (f.isFavorite !== undefined) add('a.is_favorite = ?', f.isFavorite)
      if (f.type !== undefined) add('a.type = ?', f.type)
      if (f.visibility !== undefined) add('a.visibility = ?', f.visibility)
      // The locked folder is searched only when asked for by name (and open).
      else where.push("a.visibility <> 'locked'")
      if (f.originalFileName !== undefined) add('a.original_file_name ILIKE ?', like(f.originalFileName))
      if (f.originalPath !== undefined) add('a.original_path ILIKE ?', like(f.originalPath))
      if (f.checksum !== undefined) add('a.checksum_sha1 = ?', Buffer.from(f.checksum, /^[0-9a-f]{40}$/i.test(f.checksum) ? 'hex' : 'base64'))
      if (f.libraryId !== undefined) { if (f.libraryId === null) where.push('a.library_id IS NULL'); else add('a.library_id = ?', f.libraryId) }
      if (f.deviceId !== undefined) add('a.device_id = ?', f.deviceId)
      if (f.takenAfter !== undefined) add('a.file_created_at >= ?', f.takenAfter)
      if (f.takenBefore !== undefined) add('a.file_created_at <= ?', f.takenBefore)
      exact('e.city', f.city)
      exact('e.state', f.state)
      exact('e.country', f.country)
      exact('e.make', f.make)
      exact('e.model', f.model)
      exact('e.lens_model', f.lensModel)
      if (f.rating !== undefined) add('e.rating = ?', f.rating)
      if (f.description !== undefined) add('e.description ILIKE ?', like(f.description))
      if (f.ocr !== undefined && normaliseQuery(f.ocr) !== '') {
        params.push(normaliseQuery(f.ocr), substringPattern(normaliseQuery(f.ocr)))
        where.push(`EXISTS (SELECT 1 FROM ocr_search o WHERE o.asset_id = a.id AND ${ocrMatchSql('o', `$${params.length - 1}`, `$${params.length}`)})`)
      }
      for (const id of f.personIds ?? []) add('EXISTS (SELECT 1 FROM asset_faces fx WHERE fx.asset_id = a.id AND fx.person_id = ? AND fx.deleted_at IS NULL)', id)
      for (const id of f.tagIds ?? []) add(tagFilterSql, id)
      if (f.id !== undefined) add('a.id = ?', f.id)
      if (f.ids !== undefined) add('a.id = ANY(?::uuid[])', f.ids)
      const from = 'assets a LEFT JOIN asset_exif e ON e.asset_id = a.id'
      const [{ total }] = await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${from} WHERE ${where.join(' AND ')}`, params)
      const dir = f.order === 'asc' ? 'ASC' : 'DESC'
      const rows = await db.query<AssetRow & { exif: ExifRow | null }>(
        `SELECT a.*, CASE WHEN e.asset_id IS NULL THEN NULL ELSE to_jsonb(e) END AS exif FROM ${from}
         WHERE ${where.join(' AND ')} ORDER BY a.file_created_at ${dir}, a.id ${dir}
         LIMIT ${Math.floor(f.size)} OFFSET ${Math.floor((f.page - 1) * f.size)}`, params)
      return { items: rows, total }
    },
  }
}
