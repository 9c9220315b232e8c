/**
 * The benchmark's HTTP client: one code path (node:http, keep-alive, the file streamed from disk)
 * for both Hearth's multipart POST and nginx's plain PUT, so the client costs both the same.
 */
import { createReadStream } from 'node:fs'
import { Agent, request, type IncomingHttpHeaders } from 'node:http'
import { pipeline } from 'node:stream/promises'

export interface SendResult { status: number, body: string, headers: IncomingHttpHeaders }

export interface SendOptions {
  method: 'POST' | 'PUT'
  url: string
  agent: Agent
  headers?: Record<string, string>
  /** The file streamed as the body (or as the file part of a multipart body). */
  file: string
  size: number
  /** Bytes sent before and after the file (the multipart preamble and closing boundary). */
  head?: Buffer
  tail?: Buffer
  /** Called with each chunk's size as the file is read. */
  onBytes?: (n: number) => void
}

/** How much of the file the client reads at a time: large reads keep the client's cost low. */
const READ_CHUNK = 1024 * 1024

export const keepAliveAgent = (sockets: number) => new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets })

/** Sends one request whose body is `head`, then the file, then `tail`; resolves with the reply. */
export async function send ({ method, url, agent, headers = {}, file, size, head = Buffer.alloc(0), tail = Buffer.alloc(0), onBytes }: SendOptions): Promise<SendResult> {
  const req = request(url, {
    method,
    agent,
    headers: { ...headers, 'content-length': String(head.length + size + tail.length) },
  })
  const reply = new Promise<SendResult>((resolve, reject) => {
    req.once('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }))
      res.once('error', reject)
    })
    req.once('error', reject)
  })
  async function * body () {
    if (head.length > 0) yield head
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK })) {
      onBytes?.((chunk as Buffer).length)
      yield chunk as Buffer
    }
    if (tail.length > 0) yield tail
  }
  const sent = pipeline(body, req)
  // A server may answer (an error) before it has read the whole body: the reply is what counts.
  const [sending, replied] = await Promise.allSettled([sent, reply])
  if (replied.status === 'fulfilled') return replied.value
  throw sending.status === 'rejected' ? sending.reason : replied.reason
}

/** The multipart framing of an Immich-style upload around the file: fields first, then `assetData`. */
export function multipartFraming (fields: Record<string, string>, fileName: string): { boundary: string, head: Buffer, tail: Buffer } {
  const boundary = `----hearth-bench-${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`
  let head = ''
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  }
  head += `--${boundary}\r\ncontent-disposition: form-data; name="assetData"; filename="${fileName}"\r\ncontent-type: application/octet-stream\r\n\r\n`
  return { boundary, head: Buffer.from(head), tail: Buffer.from(`\r\n--${boundary}--\r\n`) }
}

/** A small JSON call (sign-up, login, asset lookups). */
export async function json (url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  let parsed: unknown
  try { parsed = text === '' ? undefined : JSON.parse(text) } catch { parsed = text }
  return { status: res.status, body: parsed as any } // eslint-disable-line @typescript-eslint/no-explicit-any
}
