/**
 * The integrity check of originals as a module of the node (checker.ts does the work): on a
 * schedule (HEARTH_INTEGRITY_CHECK, 03:00 on the 1st of each month by default; "off" never) and
 * on an admin's request, `GET|POST /api/admin/integrity`.
 *
 * @example
 * const node = await createNode(config, { modules: [integrityModule()] })
 * // POST /api/admin/integrity → 202; GET /api/admin/integrity → { running, current, last }
 */
import cron, { type ScheduledTask } from 'node-cron'
import type { NodeContext, NodeModule } from '../../node/index.ts'
import { route } from '../../node/http/route.ts'
import type { Hasher } from '../libraries/hasher.ts'
import { createIntegrityChecker } from './checker.ts'

export function integrityModule (options: { hasher?: Hasher } = {}): (ctx: NodeContext) => NodeModule {
  return ({ config, db, log: nodeLog, notifications }) => {
    const log = nodeLog.child({ component: 'integrity' })
    const checker = createIntegrityChecker({ db, log, hasher: options.hasher, notifications })
    let task: ScheduledTask | undefined
    const begin = () => { checker.start().catch((err: unknown) => log.error({ err }, 'the integrity check failed')) }
    return {
      name: 'integrity',
      routes: [
        route({
          method: 'GET', path: '/api/admin/integrity', tag: 'Integrity', access: 'admin', permission: 'job.read',
          summary: 'The integrity check of originals: the one in progress (files checked so far, of how many), and the last report (missing or damaged files)',
          handler: async () => {
            const current = checker.current()
            return { running: current !== undefined, current: current ?? null, last: await checker.last() ?? null, schedule: config.HEARTH_INTEGRITY_CHECK }
          },
        }),
        route({
          method: 'POST', path: '/api/admin/integrity', tag: 'Integrity', access: 'admin', permission: 'job.create', status: 202,
          summary: 'Starts an integrity check of every original now (one at a time: asking while one runs changes nothing)',
          handler: async () => { begin(); return { running: true, current: checker.current() ?? null } },
        }),
      ],
      async start () {
        if (config.HEARTH_INTEGRITY_CHECK !== 'off') task = cron.schedule(config.HEARTH_INTEGRITY_CHECK, begin, { name: 'integrity check' })
      },
      async stop () {
        await task?.stop()
        await checker.stop()
      },
    }
  }
}
