/**
 * Duplicates for a node: the ML stage that finds them and Immich's API routes. `createDuplicates`
 * is what node/index.ts wires; `duplicatesModule` plugs the same into a node as a module (tests).
 *
 * @example
 * const duplicates = createDuplicates({ db, trash: (ownerId, ids) => assets.repo.trash(ownerId, ids) })
 * ml.addStage(duplicates.stage)
 * routes.push(...duplicates.routes(config.HEARTH_DATA_DIR))
 */
import type { Database } from '../db/index.ts'
import type { NodeContext, NodeModule } from '../index.ts'
import type { MlStage } from '../ml/stage.ts'
import { createDuplicateRepo } from './repo.ts'
import { duplicateRoutes } from './routes.ts'
import { createDuplicateService } from './service.ts'
import { duplicateStage } from './stage.ts'

export function createDuplicates ({ db, trash }: { db: Database, trash: (ownerId: string, ids: string[]) => Promise<unknown> }) {
  const repo = createDuplicateRepo(db)
  const service = createDuplicateService({ repo, trash: async (ownerId, ids) => { await trash(ownerId, ids) } })
  return {
    service,
    stage: duplicateStage({ repo, service }),
    routes: (dataDir: string) => duplicateRoutes({ duplicates: service, dataDir }),
  }
}

export interface DuplicatesModule extends NodeModule { stage: MlStage }

export function duplicatesModule () {
  return (ctx: NodeContext): DuplicatesModule => {
    const d = createDuplicates({ db: ctx.db, trash: (ownerId, ids) => ctx.assets.repo.trash(ownerId, ids) })
    return { name: 'duplicates', routes: d.routes(ctx.config.HEARTH_DATA_DIR), stage: d.stage }
  }
}
