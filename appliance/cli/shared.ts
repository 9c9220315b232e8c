/**
 * What the commands that reach Hearth share (`hearth library`, `hearth verify`): a progress bar,
 * and finding the running Hearth to talk to over HTTP with an admin's API key, or knowing that it
 * is stopped so the command opens the database itself.
 *
 * @example
 * const progress = createProgress()
 * progress.update('Checking', 0.4, '400 / 1,000 files')
 * const server = await runningHearth(config, { server: false, direct: false })   // undefined: open the database
 */
import type { Config } from '../../node/config/schema.ts'

/** A failure the command reports in one line, without a stack. */
export class CliError extends Error {}

export type Progress = ReturnType<typeof createProgress>

/** A bar on a terminal (redrawn at most ten times a second), a line every ten seconds otherwise. */
export function createProgress (out: NodeJS.WriteStream = process.stdout) {
  const tty = out.isTTY === true
  let last = 0
  let shown = false
  return {
    /** `fraction` done (0..1) of the work called `label`, with `text` beside it. */
    update (label: string, fraction: number, text: string) {
      const now = Date.now()
      if (now - last < (tty ? 100 : 10_000)) return
      last = now
      const f = Math.max(0, Math.min(1, fraction))
      if (tty) {
        const width = 24
        const filled = Math.round(f * width)
        const bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%`
        out.write(`\r\x1b[2K${label}  ${bar}  ${text}`.slice(0, (out.columns ?? 120) + 8))
        shown = true
      } else {
        out.write(`${label}: ${Math.floor(f * 100)}%  ${text}\n`)
      }
    },
    end () {
      if (tty && shown) out.write('\r\x1b[2K')
      shown = false
      last = 0
    },
  }
}

export const fmt = (n: number) => n.toLocaleString('en-US')

export const bytes = (n: number) => {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++ }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

export interface ServerApi {
  url: string
  call<T>(method: string, path: string, body?: unknown): Promise<T>
}

/**
 * The running Hearth to talk to (at HEARTH_URL, else http://127.0.0.1:HEARTH_PORT), or undefined
 * when it is stopped and the command should open the database itself. `force.direct` never asks;
 * `force.server` insists on a running one. Talking to it needs an admin's API key in HEARTH_API_KEY.
 */
export async function runningHearth (config: Pick<Config, 'HEARTH_PORT'>, force: { server: boolean, direct: boolean }): Promise<ServerApi | undefined> {
  if (force.direct) return undefined
  const url = (process.env.HEARTH_URL ?? `http://127.0.0.1:${config.HEARTH_PORT}`).replace(/\/$/, '')
  const up = await fetch(`${url}/api/server/ping`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)
  if (!up) {
    if (force.server) throw new CliError(`Hearth does not answer at ${url}: is it running? (set HEARTH_URL if it listens elsewhere)`)
    return undefined
  }
  const key = process.env.HEARTH_API_KEY
  if (key === undefined || key === '') {
    throw new CliError(`Hearth is running at ${url}: give the command an admin's API key in HEARTH_API_KEY (web UI: Account settings > API keys), or stop Hearth and run it again`)
  }
  return {
    url,
    async call<T> (method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(url + path, {
        method,
        headers: { 'x-api-key': key, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      const json = text === '' ? undefined : JSON.parse(text) as unknown
      if (!res.ok) throw new CliError(`${(json as { message?: string } | undefined)?.message ?? `HTTP ${res.status}`} (${method} ${path})`)
      return json as T
    },
  }
}
