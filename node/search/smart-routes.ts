/** `POST /api/search/smart`: Immich's request and response, plus `hearth` on each item: why it matched (`reasons` as data, `matched` in English) and its score. */
import { requireUnlocked } from '../auth/service.ts'
import { z } from 'zod'
import { toAssetDto } from '../assets/dto.ts'
import { route } from '../http/route.ts'
import { describeReason, type SmartSearch } from './smart.ts'

export const smartSearchBody = z.object({
  query: z.string().max(1000).optional(),
  queryAssetId: z.uuid().optional(),
  page: z.number().int().min(1).max(1000).default(1),
  size: z.number().int().min(1).max(1000).default(100),
  type: z.enum(['IMAGE', 'VIDEO']).optional(),
  isFavorite: z.boolean().optional(),
  visibility: z.enum(['timeline', 'archive', 'hidden', 'locked']).optional(),
  city: z.string().max(1000).nullable().optional(),
  state: z.string().max(1000).nullable().optional(),
  country: z.string().max(1000).nullable().optional(),
  make: z.string().max(1000).nullable().optional(),
  model: z.string().max(1000).nullable().optional(),
  lensModel: z.string().max(1000).nullable().optional(),
  rating: z.number().int().min(-1).max(5).optional(),
  takenAfter: z.coerce.date().optional(),
  takenBefore: z.coerce.date().optional(),
  personIds: z.array(z.uuid()).max(100).optional(),
  tagIds: z.array(z.uuid()).max(100).optional(),
  withExif: z.boolean().optional(),
  language: z.string().max(20).optional(),
  withPartners: z.boolean().optional(),
}).refine((b) => b.query !== undefined || b.queryAssetId !== undefined, { message: 'query or queryAssetId is required' })

export function smartSearchRoutes ({ smart, dataDir }: { smart: SmartSearch, dataDir: string }) {
  return [
    route({
      method: 'POST', path: '/api/search/smart', tag: 'Search', access: 'user', permission: 'asset.read',
      summary: 'Search your photos (and the timeline photos of the partners you show; withPartners: false for yours only) by what they show and what is known about them: dates ("July 2021", "last summer"), places, people, cameras, text in the photo, file names, keywords; ranked by CLIP when a model is installed. Each item says why it matched (hearth.reasons as data, hearth.matched in English).',
      body: smartSearchBody,
      handler: async ({ auth, body }) => {
        if (body.visibility === 'locked') await requireUnlocked(auth)
        const { items, total, nextPage } = await smart.search(auth.user.id, body)
        return {
          assets: {
            total, count: items.length, facets: [], nextPage,
            items: items.map((h) => ({ ...toAssetDto(h.asset, dataDir, body.withExif === false ? undefined : h.asset.exif), hearth: { matched: h.reasons.map(describeReason), reasons: h.reasons, score: Number(h.score.toFixed(4)) } })),
          },
          albums: { total: 0, count: 0, items: [], facets: [] },
        }
      },
    }),
  ]
}
