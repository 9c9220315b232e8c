/**
 * Duplicates as a node module: the API routes, and the ML stage that finds them (added to the ML
 * pipeline by whoever runs it, see `stage`).
 *
 * @example
 * const dup = duplicatesModule()
 * createNode(config, { modules: [dup] })
 */
import type { NodeContext, NodeModule } from '../index.ts'
import type { MlStage } from '../ml/stage.ts'
import { createDuplicateRepo } from './repo.ts'
import { duplicateRoutes } from './routes.ts'
import { createDuplicateService } from './service.ts'
import { duplicateStage } from './stage.ts'

export interface DuplicatesModule extends NodeModule { stage: MlStage }

export function duplicatesModule () {
  return (ctx: NodeContext): DuplicatesModule => {
    const repo = createDuplicateRepo(ctx.db)
    const service = createDuplicateService({
      repo,
      trash: async (ownerId, ids) => {
        const user = await ctx.users.repo.byId(ownerId)
        if (user === undefined) return
        await ctx.assets.delete(user, ids, false)
      },
    })
    return {
      name: 'duplicates',
      routes: duplicateRoutes({ duplicates: service, dataDir: ctx.config.HEARTH_DATA_DIR }),
      stage: duplicateStage({ repo, service }),
    }
  }
}
