/**
 * Duplicates: finding copies of each asset as the ML pipeline reaches it, and the user's decisions
 * on a group. Detection groups an asset with the owner's other assets that have the same content
 * (SHA-256: a share indexed in place may hold one photo twice), a perceptual hash within
 * `MAX_HAMMING` bits (resized, recompressed, slightly cropped or brightened copies), or, when CLIP
 * embeddings exist, a cosine distance within Immich's 0.01. Nothing is ever deleted: resolving a
 * group keeps one copy and moves the others to the trash, from where they can be restored.
 *
 * MAX_HAMMING was tuned on 36 fixture photos (bench-free, see test/duplicates): their resized,
 * recompressed (JPEG q35), brightened and centre-cropped-5% copies are at most 16 bits away; the
 * closest two different photos (two shots of one Tuscan street, two pictures of the same subject
 * from different cameras) are 20 apart.
 */
import type { AssetRow } from '../assets/repo.ts'
import type { ExifRow } from '../assets/exif.ts'
import type { DuplicateRepo } from './repo.ts'

export const MAX_HAMMING = 16
export const MAX_CLIP_DISTANCE = 0.01

type Asset = AssetRow & { exif: ExifRow | null }

/** How much is known about a copy: the richer one is kept when resolution ties. */
export function metadataRichness (e: ExifRow | null): number {
  if (e === null) return 0
  const fields = [e.date_time_original, e.latitude, e.make, e.model, e.lens_model, e.f_number, e.exposure_time, e.iso, e.focal_length, e.description, e.city, e.rating]
  return fields.filter((v) => v !== null && v !== undefined && v !== '').length + (e.keywords?.length ?? 0)
}

/** The copy to keep: most pixels, then most metadata, then largest file, then the oldest. */
export function bestCopy (assets: Asset[]): Asset {
  return [...assets].sort((a, b) =>
    ((b.width ?? 0) * (b.height ?? 0)) - ((a.width ?? 0) * (a.height ?? 0)) ||
    metadataRichness(b.exif) - metadataRichness(a.exif) ||
    Number(b.file_size) - Number(a.file_size) ||
    a.created_at.getTime() - b.created_at.getTime())[0]!
}

export interface ResolveRequest { duplicateId: string, keepAssetIds?: string[], trashAssetIds?: string[] }
export interface ResolveOutcome { id: string, success: boolean, error?: 'not_found' | 'no_permission' | 'invalid', message?: string, kept?: string[], trashed?: string[] }

export function createDuplicateService ({ repo, trash }: {
  repo: DuplicateRepo
  /** Moves assets to the trash (the asset service's, which never touches a share's files). */
  trash: (ownerId: string, ids: string[]) => Promise<void>
}) {
  return {
    /** Finds and groups the copies of one asset; returns its group id, or null when it has none. */
    async detect (assetId: string): Promise<string | null> {
      const copies = await repo.candidates(assetId, { maxHamming: MAX_HAMMING, maxClipDistance: MAX_CLIP_DISTANCE })
      return repo.group(assetId, copies)
    },

    list: (ownerId: string) => repo.groups(ownerId),

    /** "These are not duplicates". False when the group is not the user's. */
    async dismiss (ownerId: string, duplicateId: string): Promise<boolean> {
      return (await repo.dismiss(ownerId, duplicateId)) > 0
    },

    /**
     * Keeps the chosen copies (or, when the request names none, the best one) and trashes the rest
     * of each group. An id outside the group, or a request that would keep nothing, is refused and
     * that group is left as it was.
     */
    async resolve (ownerId: string, requests: ResolveRequest[]): Promise<ResolveOutcome[]> {
      const out: ResolveOutcome[] = []
      for (const r of requests) {
        const [group] = await repo.groups(ownerId, r.duplicateId)
        if (group === undefined) { out.push({ id: r.duplicateId, success: false, error: 'not_found' }); continue }
        const members = new Set(group.assets.map((a) => a.id))
        const named = [...(r.keepAssetIds ?? []), ...(r.trashAssetIds ?? [])]
        if (named.some((id) => !members.has(id))) { out.push({ id: r.duplicateId, success: false, error: 'invalid', message: 'an asset id is not in this duplicate group' }); continue }
        let keep = r.keepAssetIds ?? []
        if (keep.length === 0) {
          const left = group.assets.filter((a) => !(r.trashAssetIds ?? []).includes(a.id))
          keep = left.length === 0 ? [] : [bestCopy(left).id]
        }
        if (keep.length === 0) { out.push({ id: r.duplicateId, success: false, error: 'invalid', message: 'a duplicate group must keep at least one copy' }); continue }
        // Unnamed copies are trashed too: resolving a group leaves exactly the kept ones.
        const trashIds = group.assets.map((a) => a.id).filter((id) => !keep.includes(id))
        if (trashIds.length > 0) await trash(ownerId, trashIds)
        await repo.ungroup(ownerId, [...keep, ...trashIds])
        out.push({ id: r.duplicateId, success: true, kept: keep, trashed: trashIds })
      }
      return out
    },
  }
}

export type DuplicateService = ReturnType<typeof createDuplicateService>
