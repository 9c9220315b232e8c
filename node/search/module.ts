/**
 * Smart search as a node module: `POST /api/search/smart`. CLIP ranking is used when a text
 * encoder is given (the ML service's local model or remote server) and the user's assets have
 * embeddings; without one, search still reads dates, places, people, cameras and words.
 *
 * @example
 * createNode(config, { modules: [smartSearchModule({ clip: textEncoder })] })
 */
import type { NodeContext, NodeModule } from '../index.ts'
import { createSmartRepo } from './smart-repo.ts'
import { smartSearchRoutes } from './smart-routes.ts'
import { createSmartSearch, type TextEncoder } from './smart.ts'

export function smartSearchModule ({ clip }: { clip?: TextEncoder | ((ctx: NodeContext) => TextEncoder | undefined) } = {}) {
  return (ctx: NodeContext): NodeModule => {
    const encoder = typeof clip === 'function' ? clip(ctx) : clip
    const smart = createSmartSearch({ repo: createSmartRepo(ctx.db), clip: encoder })
    return { name: 'smart-search', routes: smartSearchRoutes({ smart, dataDir: ctx.config.HEARTH_DATA_DIR }) }
  }
}
