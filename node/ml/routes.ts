/**
 * ML administration: Immich's `GET/PUT /api/system-config` (its `machineLearning` and `job`
 * sections, plus Hearth's `hearth.mlWindow`), the state of models and stages, and the backlog
 * window's "run now" and pause. Admins only.
 */
import { z } from 'zod'
import { route } from '../http/route.ts'
import { BadRequestError } from '../http/errors.ts'
import type { MlService } from './service.ts'
import { summarisePacks } from './model-store.ts'

const configBody = z.object({
  machineLearning: z.record(z.string(), z.unknown()).optional(),
  job: z.record(z.string(), z.unknown()).optional(),
  hearth: z.object({ mlWindow: z.record(z.string(), z.unknown()).optional() }).loose().optional(),
}).loose()

function explain (err: unknown): never {
  if (err instanceof z.ZodError) {
    throw new BadRequestError(err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
  }
  throw err
}

export function mlRoutes ({ ml, provider }: { ml: MlService, provider: () => string }) {
  const systemConfig = () => {
    const s = ml.settings()
    return { machineLearning: s.machineLearning, job: s.job, hearth: { mlWindow: s.hearth.mlWindow, mlWindowState: ml.windowState() ?? null } }
  }
  return [
    route({
      method: 'GET', path: '/api/system-config', tag: 'System config', access: 'admin', permission: 'systemConfig.read',
      summary: 'ML settings in Immich\'s shape (machineLearning, job) and the overnight ML window (hearth.mlWindow)',
      handler: async () => systemConfig(),
    }),
    route({
      method: 'PUT', path: '/api/system-config', tag: 'System config', access: 'admin', permission: 'systemConfig.update',
      summary: 'Changes ML settings (any subset; validated as a whole, stored, applied at once)',
      body: configBody,
      handler: async ({ body }) => {
        await ml.updateSettings({ machineLearning: body.machineLearning, job: body.job, hearth: body.hearth }).catch(explain)
        return systemConfig()
      },
    }),
    route({
      method: 'GET', path: '/api/admin/ml', tag: 'System config', access: 'admin', permission: 'systemConfig.read',
      summary: 'Model packs (ready, missing, corrupt, with the command that fixes them), ML stages and their progress, embeddings per model, the window and remote servers',
      handler: async () => ({
        provider: provider(),
        modelsDir: ml.models.dir,
        packs: summarisePacks(await ml.models.status(), ml.models.manifest),
        stages: await ml.status(),
        // Several models in one kind: the library is split until that stage is re-run with force.
        embeddings: await ml.embeddingModels(),
        features: await ml.features(),
        window: { ...ml.settings().hearth.mlWindow, state: ml.windowState() ?? null },
        remote: { urls: ml.settings().machineLearning.urls, available: ml.remote.available() },
      }),
    }),
    route({
      method: 'POST', path: '/api/admin/ml/window', tag: 'System config', access: 'admin', permission: 'systemConfig.update',
      summary: 'The ML backlog: run now (until a time, or until it is empty), pause, or resume',
      body: z.object({ action: z.enum(['run-now', 'pause', 'resume']), until: z.iso.datetime({ offset: true }).optional() }),
      handler: async ({ body }) => {
        if (body.action !== 'run-now' && body.until !== undefined) throw new BadRequestError('until goes with run-now only')
        if (body.until !== undefined && new Date(body.until).getTime() <= Date.now()) throw new BadRequestError('until must be in the future')
        const w = body.action === 'run-now' ? await ml.runNow({ until: body.until !== undefined ? new Date(body.until) : undefined })
          : body.action === 'pause' ? await ml.pauseBacklog() : await ml.resumeBacklog()
        return { ...w, state: ml.windowState() ?? null }
      },
    }),
    route({
      method: 'POST', path: '/api/admin/ml/backlog', tag: 'System config', access: 'admin', permission: 'systemConfig.update',
      summary: 'Looks for models again and queues every asset a stage has not processed at its current version',
      handler: async () => ({ queued: await ml.recheck() + await ml.enqueueMissing() }),
    }),
  ]
}
