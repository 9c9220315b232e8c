import { z } from 'zod'
import type { AnyRoute } from './route.ts'

/** The OpenAPI 3.1 document of every route, built from the same definitions that serve them. */
export function buildOpenApi (routes: AnyRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    if (r.query !== undefined) {
      const schema = toSchema(r.query, 'input') as { properties?: Record<string, unknown>, required?: string[] }
      for (const [name, s] of Object.entries(schema.properties ?? {})) {
        params.push({ name, in: 'query', required: (schema.required ?? []).includes(name), schema: s as { type: string } })
      }
    }
    const op: Record<string, unknown> = {
      operationId: operationId(r),
      summary: r.summary,
      tags: [r.tag],
      parameters: params,
      responses: {
        [String(r.status ?? 200)]: { description: r.response ?? 'Success' },
        ...(r.access !== 'public' && { 401: { description: 'No valid credentials' } }),
        ...(r.access === 'admin' && { 403: { description: 'Not an admin' } }),
      },
      ...(r.access === 'public' ? { security: [] } : {}),
      ...(r.permission !== undefined && { 'x-hearth-permission': r.permission }),
      ...(r.access === 'admin' && { 'x-hearth-admin': true }),
    }
    if (r.body === 'multipart') {
      op.requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object' } } } }
    } else if (r.body === 'raw') {
      op.requestBody = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }
    } else if (r.body !== undefined) {
      op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(r.body, 'input') } } }
    }
    ;(paths[r.path] ??= {})[r.method.toLowerCase()] = op
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Hearth', version, description: 'The Hearth API. Where Hearth does what Immich does, the endpoints and shapes are Immich\'s.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'hearth_access_token' },
        api_key: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
    security: [{ bearer: [] }, { cookie: [] }, { api_key: [] }],
    paths,
  }
}

function toSchema (schema: z.ZodType, io: 'input' | 'output'): unknown {
  try {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>
    return rest
  } catch {
    return { type: 'object' }
  }
}

function operationId (r: AnyRoute): string {
  const words = r.path.replace(/^\/api\//, '').replace(/\{(\w+)\}/g, 'by-$1').split(/[/.-]+/).filter(Boolean)
  return [r.method.toLowerCase(), ...words].map((w, i) => i === 0 ? w : w[0].toUpperCase() + w.slice(1)).join('')
}
