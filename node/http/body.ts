import type { Context } from 'koa'
import type { z } from 'zod'
import { BadRequestError, PayloadTooLargeError } from './errors.ts'

const JSON_LIMIT = 4 * 1024 * 1024

/** A request's body as text, refused past `limit` bytes (`what` names it in the 413). */
export async function readText (ctx: Context, limit: number, what: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new PayloadTooLargeError(`${what} larger than ${limit / 1024 / 1024} MiB`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Reads a JSON body (at most 4 MiB) and validates it; every problem is named in one 400. */
export async function readJson<S extends z.ZodType> (ctx: Context, schema: S): Promise<z.infer<S>> {
  const type = ctx.get('content-type')
  let raw: unknown = {}
  const hasBody = ctx.req.headers['content-length'] !== undefined && ctx.req.headers['content-length'] !== '0'
    ? true
    : ctx.req.headers['transfer-encoding'] !== undefined
  if (hasBody) {
    if (type !== '' && !/json/i.test(type)) throw new BadRequestError('Expected a JSON body (Content-Type: application/json)')
    const text = await readText(ctx, JSON_LIMIT, 'JSON body')
    if (text.trim() !== '') {
      try { raw = JSON.parse(text) } catch { throw new BadRequestError('The body is not valid JSON') }
    }
  }
  return parseWith(schema, raw)
}

/** Validates query parameters or any value against a schema, as a 400 that names each field. */
export function parseWith<S extends z.ZodType> (schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value)
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
    throw new BadRequestError(problems.join('; '))
  }
  return result.data
}
