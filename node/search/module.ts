/**
 * Smart search for a node: `POST /api/search/smart`. CLIP ranking is used when a text encoder is
 * given (createClip's `text`: the local model or a remote ML server) and the user's assets have
 * embeddings; without one, search still reads dates, places, people, cameras and words.
 * `smartSearchModule` plugs the same into a node as a module (tests).
 *
 * @example
 * routes.push(...createSmartSearchRoutes({ db, clip: clip.text, dataDir: config.HEARTH_DATA_DIR }))
 */
import type { Database } from '../db/index.ts'
import type { NodeContext, NodeModule } from '../index.ts'
import { createSmartRepo } from './smart-repo.ts'
import { smartSearchRoutes } from './smart-routes.ts'
import { createSmartSearch, type TextEncoder } from './smart.ts'

export function createSmartSearchRoutes ({ db, clip, dataDir }: { db: Database, clip?: TextEncoder, dataDir: string }) {
  return smartSearchRoutes({ smart: createSmartSearch({ repo: createSmartRepo(db), clip }), dataDir })
}

export function smartSearchModule ({ clip }: { clip?: TextEncoder } = {}) {
  return (ctx: NodeContext): NodeModule => ({ name: 'smart-search', routes: createSmartSearchRoutes({ db: ctx.db, clip, dataDir: ctx.config.HEARTH_DATA_DIR }) })
}
