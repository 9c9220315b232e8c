/**
 * The one way the UI talks to Hearth: fetch with the session cookie (`hearth_access_token`, set by
 * login, HttpOnly so scripts never see it). Every failure becomes an `ApiError` whose `message` is
 * a sentence for people; raw JSON never reaches the screen.
 */
import { t } from './strings.ts'

export class ApiError extends Error {
  readonly status: number
  /** Seconds to wait, from Retry-After on a 429. */
  readonly retryAfter: number | undefined
  constructor (status: number, message: string, retryAfter?: number) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.retryAfter = retryAfter
  }
}

/** Fired on window when any call answers 401, so the app can return to the sign-in screen. */
export const UNAUTHORIZED_EVENT = 'hearth-unauthorized'

/** Turns a failed response's body (Immich's `{ message, error, statusCode, correlationId }`) into a readable message. */
export function messageFor (status: number, body: unknown, retryAfter?: number): string {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { message?: unknown, correlationId?: unknown }
  const serverMessage = typeof b.message === 'string' ? b.message : Array.isArray(b.message) ? b.message.join('; ') : ''
  if (status === 429) return t.errors.tryLater(retryAfter ?? 60)
  if (status >= 500 && status !== 503 && status !== 507) return t.errors.server(typeof b.correlationId === 'string' ? b.correlationId : String(status))
  if (status === 507) return serverMessage !== '' ? serverMessage : t.errors.storage
  // 4xx messages from Hearth are written for people; fall back to ours when there is none.
  if (serverMessage !== '' && !serverMessage.startsWith('{')) return serverMessage
  if (status === 401) return t.errors.unauthorized
  if (status === 403) return t.errors.forbidden
  if (status === 404) return t.errors.notFound
  if (status === 413) return t.errors.tooLarge
  return t.errors.generic
}

export interface RequestOptions { signal?: AbortSignal, quiet401?: boolean }

export async function request<T> (method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(0, t.errors.network)
  }
  const text = await res.text()
  let parsed: unknown
  try { parsed = text === '' ? undefined : JSON.parse(text) } catch { parsed = undefined }
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after') ?? NaN)
    const retryAfter = Number.isFinite(retry) ? retry : undefined
    if (res.status === 401 && options.quiet401 !== true) window.dispatchEvent(new CustomEvent(UNAUTHORIZED_EVENT))
    throw new ApiError(res.status, messageFor(res.status, parsed, retryAfter), retryAfter)
  }
  return parsed as T
}

export const api = {
  get: <T>(path: string, o?: RequestOptions) => request<T>('GET', path, undefined, o),
  post: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('POST', path, body ?? {}, o),
  put: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('PUT', path, body ?? {}, o),
  patch: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('PATCH', path, body ?? {}, o),
  del: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('DELETE', path, body, o),
}

/** Immich's query strings: undefined values are left out. */
export function qs (params: Record<string, string | number | boolean | undefined>): string {
  const s = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v))
  const out = s.toString()
  return out === '' ? '' : `?${out}`
}

/** URLs of an asset's files (the browser sends the cookie with them). */
/** `url` with a public link's key, when there is one. */
export const withKey = (url: string, key: string | undefined) => key === undefined ? url : `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`

export const media = {
  thumbnail: (id: string) => `/api/assets/${id}/thumbnail?size=thumbnail`,
  preview: (id: string) => `/api/assets/${id}/thumbnail?size=preview`,
  original: (id: string) => `/api/assets/${id}/original`,
  video: (id: string) => `/api/assets/${id}/video/playback`,
  /** A person's face picture; `updatedAt` makes a changed one a new address (no stale cache). */
  person: (p: { id: string, updatedAt?: string }) => `/api/people/${p.id}/thumbnail${p.updatedAt !== undefined ? `?v=${encodeURIComponent(p.updatedAt)}` : ''}`,
}
