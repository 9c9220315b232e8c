/**
 * The WebDAV benchmark's client: node:http with keep-alive, one code path for both servers. PUT
 * streams the file from disk (bench/upload/client.ts); GET reads the body and counts it, keeping
 * nothing, so the client costs the same whichever server answers.
 */
import { Agent, request } from 'node:http'
import { send, type SendResult } from '../upload/client.ts'

export { send, type SendResult }

export const keepAliveAgent = (sockets: number) => new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets })

export interface GetResult { status: number, bytes: number, contentLength: number }

/** GETs `url` and counts the body's bytes. */
export function get (url: string, agent: Agent, headers: Record<string, string> = {}): Promise<GetResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent, headers }, (res) => {
      let bytes = 0
      res.on('data', (c: Buffer) => { bytes += c.length })
      res.once('end', () => resolve({ status: res.statusCode ?? 0, bytes, contentLength: Number(res.headers['content-length'] ?? -1) }))
      res.once('error', reject)
    })
    req.once('error', reject)
    req.end()
  })
}

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
