/** A small HTTP client for tests: the calls a user or an Immich client makes, with fetch. */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'

export interface Session { token: string, headers: Record<string, string> }

export function createClient (baseUrl: string) {
  const call = async (method: string, path: string, { body, headers = {} }: { body?: unknown, headers?: Record<string, string> } = {}) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    let json: unknown
    try { json = text === '' ? undefined : JSON.parse(text) } catch { json = text }
    return { status: res.status, body: json as any, headers: res.headers } // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  const client = {
    baseUrl,
    call,
    async signUpAdmin (email = 'admin@example.org', password = 'correct horse battery', name = 'Admin'): Promise<Session> {
      const r = await call('POST', '/api/auth/admin-sign-up', { body: { email, password, name } })
      if (r.status !== 201) throw new Error(`admin sign-up failed: ${r.status} ${JSON.stringify(r.body)}`)
      return client.login(email, password)
    },
    async login (email: string, password: string): Promise<Session> {
      const r = await call('POST', '/api/auth/login', { body: { email, password } })
      if (r.status !== 201) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`)
      return { token: r.body.accessToken as string, headers: { authorization: `Bearer ${r.body.accessToken as string}` } }
    },
    async createUser (admin: Session, email: string, password = 'another good password', extra: Record<string, unknown> = {}): Promise<Session> {
      const r = await call('POST', '/api/admin/users', { headers: admin.headers, body: { email, password, name: email.split('@')[0], ...extra } })
      if (r.status !== 201) throw new Error(`create user failed: ${r.status} ${JSON.stringify(r.body)}`)
      return client.login(email, password)
    },
    async apiKey (session: Session, permissions: string[] = ['all']): Promise<Session> {
      const r = await call('POST', '/api/api-keys', { headers: session.headers, body: { name: 'test', permissions } })
      if (r.status !== 201) throw new Error(`api key failed: ${r.status} ${JSON.stringify(r.body)}`)
      return { token: r.body.secret as string, headers: { 'x-api-key': r.body.secret as string } }
    },
    /**
     * Moves assets into the owner's locked folder the way the web app does: a PIN set (once),
     * the session unlocked with it, the move, and the session locked again.
     */
    async lockAway (session: Session, ids: string[], pinCode = '192837'): Promise<void> {
      await call('POST', '/api/auth/pin-code', { headers: session.headers, body: { pinCode } })
      for (const [path, body] of [['/api/auth/session/unlock', { pinCode }], ['PUT /api/assets', { ids, visibility: 'locked' }], ['/api/auth/session/lock', {}]] as const) {
        const [method, url] = path.startsWith('PUT ') ? ['PUT', path.slice(4)] : ['POST', path]
        const r = await call(method, url, { headers: session.headers, body })
        if (r.status !== 204) throw new Error(`${method} ${url} failed: ${r.status} ${JSON.stringify(r.body)}`)
      }
    },
    /** Uploads bytes (or a file) the way Immich clients do: multipart with assetData. */
    async upload (session: Session, file: string | { name: string, data: Uint8Array }, { fields = {}, headers = {}, sidecar }: {
      fields?: Record<string, string>, headers?: Record<string, string>, sidecar?: Uint8Array
    } = {}) {
      const { name, data } = typeof file === 'string' ? { name: basename(file), data: await readFile(file) } : file
      const form = new FormData()
      form.append('deviceAssetId', fields.deviceAssetId ?? `${name}-${data.length}`)
      form.append('deviceId', 'test')
      form.append('fileCreatedAt', fields.fileCreatedAt ?? '2024-07-14T10:30:00.000Z')
      form.append('fileModifiedAt', fields.fileModifiedAt ?? '2024-07-14T10:30:00.000Z')
      for (const [k, v] of Object.entries(fields)) if (!['deviceAssetId', 'fileCreatedAt', 'fileModifiedAt'].includes(k)) form.append(k, v)
      form.append('assetData', new Blob([data as Uint8Array<ArrayBuffer>]), name)
      if (sidecar !== undefined) form.append('sidecarData', new Blob([sidecar as Uint8Array<ArrayBuffer>]), `${name}.xmp`)
      const res = await fetch(`${baseUrl}/api/assets`, { method: 'POST', headers: { ...session.headers, ...headers }, body: form })
      const text = await res.text()
      let json: any // eslint-disable-line @typescript-eslint/no-explicit-any
      try { json = JSON.parse(text) } catch { json = text }
      return { status: res.status, body: json }
    },
  }
  return client
}

export type Client = ReturnType<typeof createClient>
