import type { Context } from 'koa'
import type { z } from 'zod'
import type { AuthContext } from '../auth/service.ts'
import type { Permission } from '../auth/permissions.ts'
import type { SharedLinkAccess } from '../shared-links/service.ts'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/**
 * Who may call a route. `public`: anyone. `user`: anyone signed in, with `permission` when the
 * caller uses an API key. `admin`: an admin, likewise.
 */
export type Access = 'public' | 'user' | 'admin'

export interface HandlerInput<B, Q> {
  ctx: Context
  auth: AuthContext
  body: B
  query: Q
  params: Record<string, string>
  /** Set on `sharedLink` routes called with a public link's `?key=`; `auth` is then undefined. */
  link?: SharedLinkAccess
}

/** One endpoint: its route, its access rule, its schemas, and the handler. The OpenAPI document is built from these. */
export interface RouteDef<B = unknown, Q = unknown> {
  method: Method
  /** OpenAPI style: `/api/assets/{id}`. */
  path: string
  summary: string
  tag: string
  access: Access
  permission?: Permission
  /** Also open to a public link's `?key=` (the handler checks that what is asked for is in the link's album). */
  sharedLink?: boolean
  body?: z.ZodType<B> | 'multipart' | 'raw'
  query?: z.ZodType<Q>
  /** HTTP status on success (default 200) and a description of the reply. */
  status?: number
  response?: string
  handler: (input: HandlerInput<B, Q>) => Promise<unknown>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any>

/** Declares a route with its body and query types inferred from the schemas. */
export function route<B = undefined, Q = Record<string, unknown>> (def: RouteDef<B, Q>): AnyRoute {
  return def as AnyRoute
}
