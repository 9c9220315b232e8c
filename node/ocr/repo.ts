/**
 * Stored OCR results: each asset's recognised lines (asset_ocr) and their joined text (ocr_search),
 * replaced together so a re-run leaves exactly one result. Search matches whole words through the
 * full-text index first and falls back to substrings (part of a word, or text the tokenizer splits
 * differently, such as "KR&D").
 *
 * @example
 * const ocr = createOcrRepo(db)
 * await ocr.replace(assetId, [{ x1: 0.1, y1: 0.2, …, boxScore: 0.9, text: 'MAIN STAY', textScore: 0.97 }])
 * await ocr.search(ownerId, 'main stay')   // [{ assetId, score: 0.83 }]
 */
import type { Database, Queryable } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'

export interface OcrLineRow {
  x1: number, y1: number, x2: number, y2: number, x3: number, y3: number, x4: number, y4: number
  boxScore: number
  textScore: number
  text: string
}

export interface OcrMatch { assetId: string, /** 0..1: whole-word matches score above 0.5, substring-only matches 0.3. */ score: number }

const corners = ['x1', 'y1', 'x2', 'y2', 'x3', 'y3', 'x4', 'y4'] as const

/** Bound parameters for a substring match: the query with LIKE's wildcards escaped. */
export const substringPattern = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`

/** Search text as typed: trimmed, inner whitespace collapsed, bounded. */
export const normaliseQuery = (text: string) => text.trim().replace(/\s+/g, ' ').slice(0, 200)

/**
 * SQL that is true when the ocr_search row `alias` matches: every word of $words (full-text,
 * 'simple' configuration), or the phrase as a substring. For other repositories' filters.
 */
export const ocrMatchSql = (alias: string, words: string, pattern: string) =>
  `(${alias}.search @@ plainto_tsquery('simple', ${words}) OR ${alias}.text ILIKE ${pattern})`

export function createOcrRepo (db: Database) {
  return {
    /** Replaces the asset's lines and search text in one transaction. */
    async replace (assetId: string, lines: OcrLineRow[], q?: Queryable) {
      const write = async (tx: Queryable) => {
        await tx.query('DELETE FROM asset_ocr WHERE asset_id = $1', [assetId])
        if (lines.length === 0) {
          await tx.query('DELETE FROM ocr_search WHERE asset_id = $1', [assetId])
          return
        }
        await tx.query(
          `INSERT INTO asset_ocr (id, asset_id, ${corners.join(', ')}, box_score, text_score, text)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], ${corners.map((_, i) => `$${i + 3}::real[]`).join(', ')}, $11::real[], $12::real[], $13::text[])`,
          [lines.map(() => uuidv7()), lines.map(() => assetId), ...corners.map((c) => lines.map((l) => l[c])),
            lines.map((l) => l.boxScore), lines.map((l) => l.textScore), lines.map((l) => l.text)])
        await tx.query(
          `INSERT INTO ocr_search (asset_id, text) VALUES ($1, $2)
           ON CONFLICT (asset_id) DO UPDATE SET text = excluded.text`,
          [assetId, lines.map((l) => l.text).join('\n')])
      }
      if (q !== undefined) await write(q)
      else await db.transaction(write)
    },

    async list (assetId: string): Promise<Array<OcrLineRow & { id: string, assetId: string }>> {
      return db.query(
        `SELECT id, asset_id AS "assetId", ${corners.join(', ')}, box_score AS "boxScore", text_score AS "textScore", text
         FROM asset_ocr WHERE asset_id = $1 ORDER BY y1, x1, id`, [assetId])
    },

    /**
     * The owner's assets (not trashed) whose text matches, best first. Whole-word matches rank by
     * ts_rank (more and denser occurrences first); a substring-only match scores 0.3.
     */
    async search (ownerId: string, text: string, { limit = 100 }: { limit?: number } = {}): Promise<OcrMatch[]> {
      const query = normaliseQuery(text)
      if (query === '') return []
      const rows = await db.query<{ assetId: string, score: number }>(
        `SELECT s.asset_id AS "assetId",
           CASE WHEN s.search @@ plainto_tsquery('simple', $2)
             THEN 0.5 + 0.5 * (ts_rank(s.search, plainto_tsquery('simple', $2)) / (ts_rank(s.search, plainto_tsquery('simple', $2)) + 0.1))
             ELSE 0.3 END::real AS score
         FROM ocr_search s JOIN assets a ON a.id = s.asset_id
         WHERE a.owner_id = $1 AND a.deleted_at IS NULL AND ${ocrMatchSql('s', '$2', '$3')}
         ORDER BY score DESC, a.file_created_at DESC, a.id
         LIMIT $4`,
        [ownerId, query, substringPattern(query), Math.max(1, Math.min(1000, Math.floor(limit)))])
      return rows.map((r) => ({ assetId: r.assetId, score: Number(r.score) }))
    },
  }
}

export type OcrRepo = ReturnType<typeof createOcrRepo>

/** Smart search and other services call this: the owner's assets whose photo text matches, best first. */
export type SearchOcr = (ownerId: string, text: string, options?: { limit?: number }) => Promise<OcrMatch[]>
