/**
 * Family federation as a module of the node (service.ts does the work): the libp2p host starts and
 * stops with the node; admins pair with relatives' nodes through `/api/federation/*`.
 *
 * @example
 * const node = await createNode(config, { modules: [federationModule()] })
 * // POST /api/federation/invites → { code }; on the relative's node POST /api/federation/pair { code }
 */
import { z } from 'zod'
import type { NodeContext, NodeModule } from '../node/index.ts'
import { route } from '../node/http/route.ts'
import { ServiceUnavailableError } from '../node/http/errors.ts'
import type { Federation } from './service.ts'

export function federationModule (): (ctx: NodeContext) => NodeModule {
  return ({ config, db, log }) => {
    // libp2p is loaded only when federation starts (0.6 s of loading), never with HEARTH_FEDERATION=off.
    let service: Federation | undefined
    const federation = (): Federation => {
      if (service === undefined) throw new ServiceUnavailableError(config.HEARTH_FEDERATION === 'off' ? 'Federation is off on this node (HEARTH_FEDERATION=off)' : 'Federation is starting; try again in a moment')
      return service
    }
    const tag = 'Federation'
    return {
      name: 'federation',
      routes: [
        route({
          method: 'GET', path: '/api/federation/node', tag, access: 'admin', permission: 'systemConfig.read',
          summary: 'This node as relatives\' nodes see it: its peer id, name (HEARTH_NODE_NAME) and addresses',
          handler: async () => federation().node(),
        }),
        route({
          method: 'GET', path: '/api/federation/peers', tag, access: 'admin', permission: 'systemConfig.read',
          summary: 'The relatives\' nodes this one is paired with',
          handler: async () => federation().peers.list(),
        }),
        route({
          method: 'POST', path: '/api/federation/invites', tag, access: 'admin', permission: 'systemConfig.update', status: 201,
          summary: 'A one-time invite code for a relative\'s node (good for 72 hours, or `hours`); while one is open, unpaired nodes may connect to pair',
          body: z.object({ hours: z.number().min(0.01).max(24 * 30).optional() }),
          handler: async ({ auth, body }) => federation().invite({ createdBy: auth?.user.id, hours: body.hours }),
        }),
        route({
          method: 'POST', path: '/api/federation/pair', tag, access: 'admin', permission: 'systemConfig.update', status: 201,
          summary: 'Redeems a relative\'s invite code: this node and theirs are paired',
          body: z.object({ code: z.string().min(1).max(8000) }),
          handler: async ({ body }) => federation().redeem(body.code),
        }),
        route({
          method: 'POST', path: '/api/federation/peers/{id}/hello', tag, access: 'admin', permission: 'systemConfig.read',
          summary: 'Greets a paired node: whether it answers now, its name and version',
          handler: async ({ params }) => federation().hello(params.id!),
        }),
        route({
          method: 'DELETE', path: '/api/federation/peers/{id}', tag, access: 'admin', permission: 'systemConfig.update', status: 204,
          summary: 'Unpairs a node: forgotten, disconnected, and refused from now on',
          handler: async ({ params }) => { await federation().unpair(params.id!) },
        }),
      ],
      async start () {
        if (config.HEARTH_FEDERATION === 'off') return
        const { createFederation } = await import('./service.ts')
        const made = createFederation({ config, db, log: log.child({ component: 'federation' }) })
        await made.start()
        service = made
      },
      async stop () { await service?.stop() },
    }
  }
}
