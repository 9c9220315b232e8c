/**
 * Smart search's SQL: the filters every signal shares (owner, trash, date ranges, places, people,
 * cameras, Immich's request filters), text matches on what a library knows about each asset (text
 * in the photo, file name and folder, keywords, description, album names), and CLIP neighbours
 * through the HNSW index on `smart_search`, among the embeddings of the query's model only (a
 * distance to another model's vector means nothing).
 */
import type { Database, Queryable } from '../db/index.ts'
import type { AssetRow } from '../assets/repo.ts'
import type { ExifRow } from '../assets/exif.ts'
import { DEFAULT_EF_SEARCH, toVector } from '../ml/clip/repo.ts'
import { tagFilterSql } from './repo.ts'
import { ocrMatchSql } from '../ocr/repo.ts'
import { ownersSql, partnersShownBy, type Owners } from '../partners/sql.ts'
import type { DateRange } from './query.ts'

export interface SmartFilters {
  type?: 'IMAGE' | 'VIDEO'
  isFavorite?: boolean
  visibility?: 'timeline' | 'archive' | 'hidden' | 'locked'
  city?: string | null
  state?: string | null
  country?: string | null
  make?: string | null
  model?: string | null
  lensModel?: string | null
  rating?: number
  takenAfter?: Date
  takenBefore?: Date
  /** Assets showing every one of these people. */
  personIds?: string[]
  /** Assets carrying every one of these tags (or a tag below each). */
  tagIds?: string[]
  /** Any of these ranges (from the query text). */
  dates?: DateRange[]
  /** Any of these places (from the query text). */
  places?: Array<{ field: 'city' | 'state' | 'country', value: string }>
  /** Any of these cameras (from the query text). */
  cameras?: Array<{ field: 'make' | 'model', value: string }>
}

export type TextField = 'text' | 'file name' | 'folder' | 'keyword' | 'tag' | 'description' | 'album'

export interface Vocabulary {
  places: Array<{ field: 'city' | 'state' | 'country', value: string }>
  cameras: Array<{ field: 'make' | 'model', value: string }>
  people: Array<{ id: string, name: string }>
}

const like = (s: string) => `%${s.replace(/[%_\\]/g, '\\$&')}%`

/** Where faces and people live (migration 0006, another part of Hearth): found, not assumed. */
interface PeopleTables { people: string, faces: string, faceLive: string }

/** A cached vocabulary is read again after this long even when nothing seems to have changed. */
const VOCABULARY_MAX_AGE_MS = 60_000

export function createSmartRepo (db: Database) {
  /** Each owner's places and cameras, with the value of search_vocabulary_changes they were read at. */
  const vocabularies = new Map<string, { changes: string, at: number, rows: Array<{ field: string, value: string }> }>()
  let peopleTables: Promise<PeopleTables | null> | undefined
  let ocrTable: Promise<boolean> | undefined

  const findPeople = () => {
    peopleTables ??= (async () => {
      const rows = await db.query<{ table_name: string, cols: string[] }>(
        `SELECT table_name, array_agg(column_name::text) AS cols FROM information_schema.columns
         WHERE table_schema = current_schema() GROUP BY table_name`)
      const people = rows.find((r) => ['people', 'person'].includes(r.table_name) && r.cols.includes('name') && r.cols.includes('owner_id'))
      const faces = rows.find((r) => r.cols.includes('asset_id') && r.cols.includes('person_id') && /face/.test(r.table_name))
      if (people === undefined || faces === undefined) return null
      // Faces the user deleted stay in the table (so detection does not bring them back) but show nobody.
      return { people: people.table_name, faces: faces.table_name, faceLive: faces.cols.includes('deleted_at') ? 'AND fx.deleted_at IS NULL' : '' }
    })()
    return peopleTables
  }
  const hasOcr = () => {
    ocrTable ??= db.query<{ t: string | null }>("SELECT to_regclass('ocr_search')::text AS t").then(([r]) => r?.t != null)
    return ocrTable
  }

  /**
   * SQL conditions (on `a` assets, `e` asset_exif) for the owners and every filter, with their
   * parameters. The user's timeline and archive by default; a partner's timeline only.
   */
  async function where (owners: Owners, f: SmartFilters, params: unknown[]): Promise<string[]> {
    const out = [ownersSql('a', owners, (v) => `$${params.push(v)}`), 'a.deleted_at IS NULL']
    const add = (sql: string, ...values: unknown[]) => {
      out.push(sql.replace(/\?/g, () => `$${params.push(values.shift())}`))
    }
    const exact = (column: string, value: string | null | undefined) => {
      if (value === undefined) return
      if (value === null) out.push(`${column} IS NULL`); else add(`${column} = ?`, value)
    }
    if (f.visibility !== undefined) add('a.visibility = ?', f.visibility)
    else out.push("a.visibility IN ('timeline', 'archive')")
    if (f.type !== undefined) add('a.type = ?', f.type)
    if (f.isFavorite !== undefined) add('a.is_favorite = ?', f.isFavorite)
    if (f.takenAfter !== undefined) add('a.file_created_at >= ?', f.takenAfter)
    if (f.takenBefore !== undefined) add('a.file_created_at <= ?', f.takenBefore)
    exact('e.city', f.city); exact('e.state', f.state); exact('e.country', f.country)
    exact('e.make', f.make); exact('e.model', f.model); exact('e.lens_model', f.lensModel)
    if (f.rating !== undefined) add('e.rating = ?', f.rating)
    if (f.dates !== undefined && f.dates.length > 0) {
      out.push('(' + f.dates.map((d) => `(a.local_date_time >= $${params.push(d.from)} AND a.local_date_time < $${params.push(d.to)})`).join(' OR ') + ')')
    }
    if (f.places !== undefined && f.places.length > 0) {
      out.push('(' + f.places.map((p) => `lower(e.${p.field}) = lower($${params.push(p.value)})`).join(' OR ') + ')')
    }
    if (f.cameras !== undefined && f.cameras.length > 0) {
      out.push('(' + f.cameras.map((c) => `lower(e.${c.field}) = lower($${params.push(c.value)})`).join(' OR ') + ')')
    }
    for (const id of f.tagIds ?? []) add(tagFilterSql, id)
    if (f.personIds !== undefined && f.personIds.length > 0) {
      const t = await findPeople()
      if (t === null) out.push('false') // no faces yet: nobody can be in any photo
      else {
        for (const id of f.personIds) out.push(`EXISTS (SELECT 1 FROM ${t.faces} fx WHERE fx.asset_id = a.id AND fx.person_id = $${params.push(id)} ${t.faceLive})`)
      }
    }
    return out
  }

  const from = 'assets a LEFT JOIN asset_exif e ON e.asset_id = a.id'

  return {
    /**
     * Distinct places, cameras and named people in the user's library, to recognise in a query.
     * The places and cameras are cached (a full pass over the assets, 0.2-0.35 s at 100,000) and
     * read again only when search_vocabulary_changes has moved (migration 0012).
     */
    async vocabulary (owners: Owners): Promise<Vocabulary> {
      const [{ changes }] = await db.query<{ changes: string }>('SELECT last_value::text AS changes FROM search_vocabulary_changes')
      // The user's own library, and each partner's timeline (what the search can find of theirs).
      const read = async (ownerId: string, partner: boolean) => {
        const key = partner ? `partner:${ownerId}` : ownerId
        let cached = vocabularies.get(key)
        // The trigger moves the sequence when a statement runs, before its transaction commits: a
        // read between the two caches what was there before. The age limit bounds that.
        if (cached?.changes !== changes || Date.now() - cached.at > VOCABULARY_MAX_AGE_MS) {
          const rows = await db.query<{ field: string, value: string }>(
            `SELECT DISTINCT f.field, f.value FROM ${from}
             CROSS JOIN LATERAL (VALUES ('city', e.city), ('state', e.state), ('country', e.country), ('make', e.make), ('model', e.model)) AS f (field, value)
             WHERE a.owner_id = $1 AND a.deleted_at IS NULL ${partner ? "AND a.visibility = 'timeline'" : ''} AND f.value IS NOT NULL AND f.value <> ''`, [ownerId])
          cached = { changes, rows, at: Date.now() }
          vocabularies.set(key, cached)
        }
        return cached.rows
      }
      const lists = await Promise.all([read(owners.user, false), ...owners.partners.map((id) => read(id, true))])
      const rows = lists.length === 1 ? lists[0]! : [...new Map(lists.flat().map((r) => [`${r.field}\0${r.value}`, r])).values()]
      const t = await findPeople()
      // People are the user's own: a partner's faces are grouped and named in their library.
      const people = t === null
        ? []
        : await db.query<{ id: string, name: string }>(`SELECT id, name FROM ${t.people} WHERE owner_id = $1 AND name IS NOT NULL AND name <> ''`, [owners.user])
      return {
        places: rows.filter((r) => r.field === 'city' || r.field === 'state' || r.field === 'country') as Vocabulary['places'],
        cameras: rows.filter((r) => r.field === 'make' || r.field === 'model') as Vocabulary['cameras'],
        people,
      }
    },

    /** Assets matching the filters, newest first (a query that is only a date, a place, a person). */
    async filtered (owners: Owners, f: SmartFilters, limit: number): Promise<string[]> {
      const params: unknown[] = []
      const w = await where(owners, f, params)
      const rows = await db.query<{ id: string }>(`SELECT a.id FROM ${from} WHERE ${w.join(' AND ')} ORDER BY a.local_date_time DESC, a.id LIMIT ${Math.floor(limit)}`, params)
      return rows.map((r) => r.id)
    },

    /**
     * Assets (within the filters) where at least one term appears somewhere a person would have
     * written it, with which fields matched each term. Most terms matched first, then newest.
     *
     * The candidates are gathered first, each field by its own trigram index (migration 0013):
     * a few index scans instead of reading every asset. Which fields matched which term is then
     * worked out on the candidates alone (the folder excludes the file name, a keyword is matched
     * on its own, not across two).
     */
    async textMatches (owners: Owners, f: SmartFilters, terms: string[], limit: number): Promise<Array<{ id: string, matched: Array<{ term: string, fields: TextField[] }> }>> {
      if (terms.length === 0) return []
      const params: unknown[] = []
      const w = await where(owners, f, params)
      // Tags are the user's own (a partner's tags are theirs).
      const ownerParam = params.push(owners.user)
      const ocr = await hasOcr()
      const columns: string[] = []
      const perTerm: string[] = []
      const fieldLists: TextField[][] = []
      const patterns: string[] = []
      const ocrWords: string[] = []
      terms.forEach((term, i) => {
        const p = `$${params.push(like(term))}`
        patterns.push(p)
        const fields: Array<[TextField, string]> = [
          ['file name', `a.original_file_name ILIKE ${p}`],
          // The folders above the file (a share's "2019 Lisbon/"), not the file name again.
          ['folder', `left(a.original_path, length(a.original_path) - length(a.original_file_name)) ILIKE ${p} AND a.library_id IS NOT NULL`],
          ['keyword', `EXISTS (SELECT 1 FROM unnest(e.keywords) k WHERE k ILIKE ${p})`],
          // The owner's tags, by their whole path ("Family/Grandma" is found by "grandma").
          ['tag', `a.id IN (SELECT ta.asset_id FROM tag_assets ta JOIN tags t ON t.id = ta.tag_id WHERE t.owner_id = $${ownerParam} AND t.value ILIKE ${p})`],
          ['description', `e.description ILIKE ${p}`],
          ['album', `a.id IN (SELECT aa.asset_id FROM album_assets aa JOIN albums al ON al.id = aa.album_id WHERE al.album_name ILIKE ${p})`],
        ]
        // The OCR part's own matcher (node/ocr/repo.ts): whole words, or the term inside a word.
        if (ocr) {
          const words = `$${params.push(term)}`
          ocrWords.push(words)
          fields.unshift(['text', `a.id IN (SELECT o.asset_id FROM ocr_search o WHERE ${ocrMatchSql('o', words, p)})`])
        }
        const names = fields.map(([, sql], j) => { columns.push(`COALESCE(${sql}, false) AS m${i}_${j}`); return `m${i}_${j}` })
        perTerm.push(`(${names.join(' OR ')})`)
        fieldLists.push(fields.map(([field]) => field))
      })
      const any = (column: string) => patterns.map((p) => `${column} ILIKE ${p}`).join(' OR ')
      const candidates = [
        `SELECT id FROM assets WHERE ${any('original_file_name')} OR ${any('original_path')}`,
        `SELECT asset_id FROM asset_exif WHERE ${any('description')} OR ${any('hearth_keywords_text(keywords)')}`,
        `SELECT aa.asset_id FROM album_assets aa JOIN albums al ON al.id = aa.album_id WHERE ${any('al.album_name')}`,
        `SELECT ta.asset_id FROM tag_assets ta JOIN tags t ON t.id = ta.tag_id WHERE t.owner_id = $${ownerParam} AND (${any('t.value')})`,
        ...(ocr ? [`SELECT o.asset_id FROM ocr_search o WHERE ${ocrWords.map((words, i) => ocrMatchSql('o', words, patterns[i]!)).join(' OR ')}`] : []),
      ]
      // A place, camera or person in the query leaves few assets: those are read as they are,
      // cheaper than gathering every asset a common word is in (a "Beach" folder) to drop most.
      const narrow = [f.places, f.cameras, f.personIds, f.tagIds].some((x) => x !== undefined && x.length > 0) ||
        [f.city, f.state, f.country, f.make, f.model, f.lensModel].some((x) => x !== undefined)
      const ctes = [
        ...(narrow ? [] : [`c AS (${candidates.join(' UNION ')})`]),
        // Materialised: flattened, its columns were worked out twice (for the filter, for the order).
        `m AS MATERIALIZED (SELECT a.id, a.local_date_time, ${columns.join(', ')}
           FROM ${narrow ? from : 'c JOIN assets a ON a.id = c.id LEFT JOIN asset_exif e ON e.asset_id = a.id'} WHERE ${w.join(' AND ')})`,
      ]
      const rows = await db.query<Record<string, unknown> & { id: string }>(
        `WITH ${ctes.join(', ')}
         SELECT * FROM m WHERE ${perTerm.join(' OR ')}
         ORDER BY (${perTerm.map((t) => `${t}::int`).join(' + ')}) DESC, local_date_time DESC, id LIMIT ${Math.floor(limit)}`, params)
      return rows.map((r) => ({
        id: r.id,
        matched: terms.map((term, i) => ({ term, fields: fieldLists[i]!.filter((_, j) => r[`m${i}_${j}`] === true) }))
          .filter((m) => m.fields.length > 0),
      }))
    },

    /**
     * CLIP neighbours of `embedding` (made by `model`) within the filters (cosine distance), among
     * the images embedded by the same model, through the HNSW index (its iterative scan keeps a
     * filtered page full).
     */
    async nearest (owners: Owners, f: SmartFilters, embedding: ArrayLike<number>, model: string, limit: number, efSearch = DEFAULT_EF_SEARCH): Promise<Array<{ id: string, distance: number }>> {
      return db.transaction(async (tx: Queryable) => {
        await tx.query(`SET LOCAL hnsw.ef_search = ${Math.min(1000, Math.max(efSearch, Math.floor(limit)))}`)
        await tx.query('SET LOCAL hnsw.iterative_scan = relaxed_order')
        const params: unknown[] = [toVector(embedding), model]
        const w = await where(owners, f, params)
        const rows = await tx.query<{ id: string, distance: number }>(
          `SELECT a.id, s.embedding <=> $1::vector AS distance
           FROM smart_search s JOIN assets a ON a.id = s.asset_id LEFT JOIN asset_exif e ON e.asset_id = a.id
           WHERE s.model = $2 AND ${w.join(' AND ')} ORDER BY s.embedding <=> $1::vector LIMIT ${Math.floor(limit)}`, params)
        return rows.map((r) => ({ id: r.id, distance: Number(r.distance) })).sort((a, b) => a.distance - b.distance)
      })
    },

    /** Cosine distances of some assets to `embedding` (those without an embedding of `model` are left out). */
    async distances (ids: string[], embedding: ArrayLike<number>, model: string): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map()
      const rows = await db.query<{ asset_id: string, distance: number }>(
        'SELECT asset_id, embedding <=> $1::vector AS distance FROM smart_search WHERE asset_id = ANY($2::uuid[]) AND model = $3', [toVector(embedding), ids, model])
      return new Map(rows.map((r) => [r.asset_id, Number(r.distance)]))
    },

    /** An asset's CLIP embedding (JSON text) and its model, for "similar to this photo". */
    async embedding (owners: Owners, assetId: string): Promise<{ vector: string, model: string } | undefined> {
      const params: unknown[] = [assetId]
      const [row] = await db.query<{ e: string, model: string }>(
        `SELECT s.embedding::text AS e, s.model FROM smart_search s JOIN assets a ON a.id = s.asset_id WHERE a.id = $1 AND ${ownersSql('a', owners, (v) => `$${params.push(v)}`)}`, params)
      return row === undefined ? undefined : { vector: row.e, model: row.model }
    },

    async hasEmbeddings (owners: Owners): Promise<boolean> {
      const rows = await db.query('SELECT 1 FROM smart_search s JOIN assets a ON a.id = s.asset_id WHERE a.owner_id = ANY($1::uuid[]) LIMIT 1', [[owners.user, ...owners.partners]])
      return rows.length > 0
    },

    /**
     * Whose photos a search with these filters looks through: the user's, and the timeline photos
     * of the partners they show (as Immich's search does), unless the filters ask for what only
     * the user has (an archive, their people or tags) or the request says `withPartners: false`.
     */
    async owners (userId: string, f: SmartFilters & { withPartners?: boolean }): Promise<Owners> {
      const reaches = f.withPartners !== false && (f.visibility === undefined || f.visibility === 'timeline') &&
        (f.personIds ?? []).length === 0 && (f.tagIds ?? []).length === 0
      return { user: userId, partners: reaches ? await partnersShownBy(db, userId) : [] }
    },

    async assets (ids: string[]): Promise<Map<string, AssetRow & { exif: ExifRow | null }>> {
      if (ids.length === 0) return new Map()
      const rows = await db.query<AssetRow & { exif: ExifRow | null }>(
        `SELECT a.*, CASE WHEN e.asset_id IS NULL THEN NULL ELSE to_jsonb(e) END AS exif FROM ${from} WHERE a.id = ANY($1::uuid[])`, [ids])
      return new Map(rows.map((r) => [r.id, r]))
    },
  }
}

export type SmartRepo = ReturnType<typeof createSmartRepo>
