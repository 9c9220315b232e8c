/**
 * Smart search: what `POST /api/search/smart` does with "Grandma at the beach, last summer".
 *
 * 1. Dates are read from the text (query.ts); places, people's names and cameras are recognised
 *    against what the user's library holds (its cities and countries, named people, camera
 *    makes and models). Each becomes a filter, combined with the request's own filters. The
 *    library is the user's own and the timeline photos of the partners they show, as in Immich.
 * 2. The remaining words are looked for where people write things down: text in the photo (OCR),
 *    file names and folders, keywords, descriptions and album names.
 * 3. With CLIP (a local model or a remote ML server), the text left after dates and cameras is
 *    embedded and the filtered library ranked by cosine similarity through the HNSW index; assets
 *    whose words also match get a bonus. Without CLIP, assets are ranked by how many words
 *    matched, newest first; a query that is only a date, a place or a person lists those assets.
 *
 * Each result says why it matched: `hearth.reasons` as data (MatchReason), `hearth.matched` in English.
 */
import type { AssetRow } from '../assets/repo.ts'
import type { ExifRow } from '../assets/exif.ts'
import { parseQuery, stopWords } from './query.ts'
import type { SmartFilters, SmartRepo, TextField, Vocabulary } from './smart-repo.ts'

export interface SmartSearchRequest extends Omit<SmartFilters, 'dates' | 'places' | 'cameras'> {
  query?: string
  /** Similar to this asset (its CLIP embedding) instead of a text. */
  queryAssetId?: string
  /** `false`: the user's own photos only, not those of the partners they show. */
  withPartners?: boolean
  page: number
  size: number
}

/**
 * Why an asset matched, as data (the UI words it in its own language; `describeReason` gives the
 * English of `hearth.matched`): a date, place, person or camera read from the query; a word found
 * in some of the asset's text fields; CLIP similarity to the query's text or to another photo.
 */
export type MatchReason =
  | { kind: 'date' | 'place' | 'person' | 'camera', value: string }
  | { kind: 'words', term: string, fields: TextField[] }
  | { kind: 'looks', text: string, similarity: number }
  | { kind: 'similar', similarity: number }

export interface SmartHit {
  asset: AssetRow & { exif: ExifRow | null }
  score: number
  reasons: MatchReason[]
}

export interface SmartSearchResult { items: SmartHit[], total: number, nextPage: string | null }

/**
 * Encodes a query text with CLIP, or says it cannot right now (no model, no remote server). Says
 * which model encoded it: images are compared with the query only when that model embedded them.
 */
export interface TextEncoder {
  available(): Promise<boolean>
  encode(text: string, o?: { signal?: AbortSignal }): Promise<{ embedding: Float32Array, model: string }>
}

/** How much a query's words found in the asset's text weigh against CLIP similarity (real ViT-B-32 similarities lie around 0.15–0.35). */
const TEXT_BONUS = 0.15
const MAX_POOL = 2000

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()

interface Recognised { filters: Pick<SmartFilters, 'places' | 'cameras'>, personIds: string[], reasons: MatchReason[], consumed: Set<number>, cameraWords: Set<number> }

/**
 * Finds places, people and cameras as runs of up to 4 words, longest first, each word used once.
 * A camera make also matches by its first word ("nikon" for "NIKON CORPORATION"); a model also
 * without its make ("eos 40d" for "Canon EOS 40D"); a person by full name or first name.
 */
export function recognise (words: string[], vocab: Vocabulary): Recognised {
  const keys = new Map<string, Array<{ kind: 'place' | 'camera' | 'person', field?: string, value: string, id?: string }>>()
  const put = (k: string, v: { kind: 'place' | 'camera' | 'person', field?: string, value: string, id?: string }) => {
    const key = fold(k)
    if (key.length < 2) return
    keys.set(key, [...(keys.get(key) ?? []), v])
  }
  for (const p of vocab.places) put(p.value, { kind: 'place', field: p.field, value: p.value })
  for (const c of vocab.cameras) {
    put(c.value, { kind: 'camera', field: c.field, value: c.value })
    const first = fold(c.value).split(' ')[0]!
    if (c.field === 'make' && first.length >= 3) put(first, { kind: 'camera', field: 'make', value: c.value })
  }
  for (const c of vocab.cameras.filter((x) => x.field === 'model')) {
    for (const m of vocab.cameras.filter((x) => x.field === 'make')) {
      const make = fold(m.value).split(' ')[0]!
      const model = fold(c.value)
      if (model.startsWith(make + ' ')) put(model.slice(make.length + 1), { kind: 'camera', field: 'model', value: c.value })
    }
  }
  for (const p of vocab.people) {
    put(p.name, { kind: 'person', value: p.name, id: p.id })
    const first = fold(p.name).split(' ')[0]!
    if (first.length >= 2 && first !== fold(p.name)) put(first, { kind: 'person', value: p.name, id: p.id })
  }
  const folded = words.map(fold)
  const out: Recognised = { filters: { places: [], cameras: [] }, personIds: [], reasons: [], consumed: new Set(), cameraWords: new Set() }
  for (let n = 4; n >= 1; n--) {
    for (let i = 0; i + n <= words.length; i++) {
      const span = Array.from({ length: n }, (_, k) => i + k)
      if (span.some((k) => out.consumed.has(k))) continue
      const hits = keys.get(folded.slice(i, i + n).join(' '))
      if (hits === undefined || (n === 1 && stopWords.has(folded[i]!))) continue
      for (const k of span) out.consumed.add(k)
      for (const h of hits) {
        if (h.kind === 'place') out.filters.places!.push({ field: h.field as 'city', value: h.value })
        if (h.kind === 'camera') { out.filters.cameras!.push({ field: h.field as 'make', value: h.value }); for (const k of span) out.cameraWords.add(k) }
        if (h.kind === 'person') { if (out.personIds.includes(h.id!)) continue; out.personIds.push(h.id!) }
        if (!out.reasons.some((r) => r.kind === h.kind && 'value' in r && r.value === h.value)) out.reasons.push({ kind: h.kind, value: h.value })
      }
    }
  }
  return out
}

/** A reason in English, as `hearth.matched` gives it: `date July 2021`, `text, file name "beach"`, `looks like "a red car" (0.27)`. */
export function describeReason (r: MatchReason): string {
  switch (r.kind) {
    case 'words': return `${r.fields.join(', ')} "${r.term}"`
    case 'looks': return `looks like "${r.text}" (${r.similarity.toFixed(2)})`
    case 'similar': return `similar photo (${r.similarity.toFixed(2)})`
    default: return `${r.kind} ${r.value}`
  }
}

export function createSmartSearch ({ repo, clip, now = () => new Date() }: { repo: SmartRepo, clip?: TextEncoder, now?: () => Date }) {
  return {
    async search (ownerId: string, req: SmartSearchRequest, o: { signal?: AbortSignal } = {}): Promise<SmartSearchResult> {
      const parsed = parseQuery(req.query ?? '', { now: now() })
      const owners = await repo.owners(ownerId, req)
      const vocab = await repo.vocabulary(owners)
      const found = recognise(parsed.words, vocab)
      const filters: SmartFilters = {
        ...req,
        dates: parsed.dates,
        places: found.filters.places,
        cameras: found.filters.cameras,
        personIds: [...(req.personIds ?? []), ...found.personIds],
      }
      const baseReasons: MatchReason[] = [...parsed.dates.map((d) => ({ kind: 'date' as const, value: d.label })), ...found.reasons]
      const terms = [...new Set(parsed.words.filter((w, i) => !found.consumed.has(i) && !stopWords.has(w) && w.length >= 2))]
      // CLIP sees the query without dates and camera names (neither is visible in a photo).
      const clipText = parsed.words.filter((_, i) => !found.cameraWords.has(i)).join(' ')
      const pool = Math.min(MAX_POOL, req.page * req.size + req.size + 50)

      let embedding: { vector: ArrayLike<number>, model: string } | undefined
      if (req.queryAssetId !== undefined) {
        const e = await repo.embedding(owners, req.queryAssetId)
        if (e !== undefined) embedding = { vector: JSON.parse(e.vector) as number[], model: e.model }
      } else if (clip !== undefined && clipText.split(' ').some((w) => w !== '' && !stopWords.has(w)) && await repo.hasEmbeddings(owners) && await clip.available()) {
        const e = await clip.encode(clipText, o)
        embedding = { vector: e.embedding, model: e.model }
      }

      const text = await repo.textMatches(owners, filters, terms, pool)
      const textById = new Map(text.map((t) => [t.id, t.matched]))
      const scored = new Map<string, { score: number, reasons: MatchReason[] }>()
      const textReasons = (id: string): MatchReason[] => (textById.get(id) ?? []).map((m) => ({ kind: 'words', term: m.term, fields: m.fields }))
      const termScore = (id: string) => terms.length === 0 ? 0 : (textById.get(id)?.length ?? 0) / terms.length

      if (embedding !== undefined) {
        // Only images embedded by the query's model: another model's distances mean nothing.
        const { vector, model } = embedding
        const near = await repo.nearest(owners, filters, vector, model, pool)
        const distance = new Map(near.map((n) => [n.id, n.distance]))
        const missing = text.map((t) => t.id).filter((id) => !distance.has(id))
        for (const [id, d] of await repo.distances(missing, vector, model)) distance.set(id, d)
        const clipReason = (similarity: number): MatchReason => req.queryAssetId !== undefined ? { kind: 'similar', similarity } : { kind: 'looks', text: clipText, similarity }
        for (const id of new Set([...distance.keys(), ...textById.keys()])) {
          const d = distance.get(id)
          const similarity = d === undefined ? 0 : 1 - d
          scored.set(id, {
            score: similarity + TEXT_BONUS * termScore(id),
            reasons: [...(d === undefined ? [] : [clipReason(similarity)]), ...textReasons(id), ...baseReasons],
          })
        }
      } else if (terms.length > 0) {
        // Without CLIP, words must be found somewhere; rank by how many were.
        text.forEach((t, i) => scored.set(t.id, { score: termScore(t.id) - i * 1e-9, reasons: [...textReasons(t.id), ...baseReasons] }))
      } else {
        // Only dates, places, people, cameras (or nothing but "photos"): those assets, newest first.
        const ids = await repo.filtered(owners, filters, pool)
        ids.forEach((id, i) => scored.set(id, { score: -i, reasons: baseReasons }))
      }

      const ranked = [...scored].sort((a, b) => b[1].score - a[1].score)
      const start = (req.page - 1) * req.size
      const page = ranked.slice(start, start + req.size)
      const rows = await repo.assets(page.map(([id]) => id))
      return {
        items: page.filter(([id]) => rows.has(id)).map(([id, s]) => ({ asset: rows.get(id)!, score: s.score, reasons: s.reasons })),
        total: ranked.length,
        nextPage: ranked.length > start + req.size ? String(req.page + 1) : null,
      }
    },
  }
}

export type SmartSearch = ReturnType<typeof createSmartSearch>
