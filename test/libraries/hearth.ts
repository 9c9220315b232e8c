/**
 * A real Hearth process with the library module (test/libraries/serve-with-libraries.ts), for the
 * tests that kill it or run the CLI beside it. Killed (kill -9) by `defer` if still running when the
 * test ends.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createClient, type Client } from '../helpers/client.ts'
import { freePort, hearthEnv, httpGet, repoRoot, waitFor, type Defer, type Exit } from '../helpers/process.ts'

const entry = join(repoRoot, 'test/libraries/serve-with-libraries.ts')
const cliRunner = join(repoRoot, 'test/libraries/cli-runner.ts')

export interface Running { url: string, port: number, client: Client, stdout: () => string, kill: () => Promise<Exit>, stop: () => Promise<Exit> }

export async function startWithLibraries (dataDir: string, env: Record<string, string>, defer: Defer): Promise<Running> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', entry], {
    cwd: repoRoot, env: hearthEnv({ HEARTH_DATA_DIR: dataDir, HEARTH_PORT: String(port), ...env }), stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { out += s })
  const exited = new Promise<Exit>((ok) => child.once('close', (code, signal) => ok({ code, signal })))
  let done = false
  void exited.then(() => { done = true })
  defer(async () => { if (!done) { child.kill('SIGKILL'); await exited } })
  const url = `http://127.0.0.1:${port}`
  await waitFor(`Hearth on ${url}`, async () => {
    if (done) throw new Error(`Hearth exited before it was ready:\n${out}`)
    return (await httpGet(`${url}/api/server/ping`).catch(() => undefined))?.status === 200
  }, 60_000)
  return {
    url,
    port,
    client: createClient(url),
    stdout: () => out,
    kill: async () => { child.kill('SIGKILL'); return exited },
    stop: async () => { child.kill('SIGTERM'); return exited },
  }
}

/** `hearth library <args>` (through test/libraries/cli-runner.ts until main.ts dispatches it). */
export function libraryCli (args: string[], env: Record<string, string>, { timeoutMs = 120_000 } = {}): Promise<Exit & { stdout: string, stderr: string }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', cliRunner, ...args], {
    cwd: repoRoot, env: hearthEnv({ HEARTH_LOG_LEVEL: 'warn', ...env }), stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((ok) => child.once('close', (code, signal) => { clearTimeout(timer); ok({ code, signal, stdout, stderr }) }))
}
