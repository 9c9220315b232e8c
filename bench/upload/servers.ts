/**
 * The two servers under test, each a child process on a loopback port: Hearth (`bin/hearth serve`,
 * which execs node, so the child's pid is the node process whose memory is measured, with the
 * launcher's settings) and nginx with WebDAV PUT, configured in a temporary folder and stopped at
 * the end.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

export interface Running {
  url: string
  pid: number
  /** Stops the server and waits for it to exit. */
  stop (): Promise<void>
  /** What it wrote to stderr, for error messages. */
  stderr (): string
}

/**
 * Starts `hearth serve` on a fresh data folder and a free loopback port: on the embedded database,
 * or, given `serverUrl` (a PostgreSQL server where this user may CREATE DATABASE), on a new
 * database there that is dropped when Hearth is stopped.
 */
export async function startHearth (dataDir: string, { serverUrl, databaseName, keepDatabase = false, extraEnv = {} }: {
  serverUrl?: string
  /** The database's name; one that exists is used as it is (a restart). */
  databaseName?: string
  /** Leave the database when Hearth stops (to start it again); else it is dropped. */
  keepDatabase?: boolean
  extraEnv?: Record<string, string>
} = {}): Promise<Running> {
  let drop = async () => {}
  if (serverUrl !== undefined) {
    const name = databaseName ?? `hearth_bench_${process.pid}_${Date.now().toString(36)}`
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`)
    const exists = await adminQuery(serverUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (exists === 0) await adminQuery(serverUrl, `CREATE DATABASE ${name}`)
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    extraEnv = { DATABASE_URL: url.toString(), ...extraEnv }
    if (!keepDatabase) drop = () => dropDatabase(serverUrl, name)
  }
  try {
    const hearth = await spawnHearth(dataDir, extraEnv)
    return { ...hearth, stop: async () => { try { await hearth.stop() } finally { await drop() } } }
  } catch (err) {
    await drop().catch(() => {})
    throw err
  }
}

export async function dropDatabase (serverUrl: string, name: string) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`)
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
}

/** Runs one statement on the server's default database; returns the number of rows. */
async function adminQuery (serverUrl: string, sql: string, params: unknown[] = []): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try { return (await client.query(sql, params)).rowCount ?? 0 } finally { await client.end() }
}

async function spawnHearth (dataDir: string, extraEnv: Record<string, string>): Promise<Running> {
  // Only the settings given here: a DATABASE_URL or HEARTH_CONFIG in the caller's environment
  // would point the benchmark at a database that is not fresh.
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('HEARTH_') && k !== 'DATABASE_URL') env[k] = v
  Object.assign(env, {
    HEARTH_DATA_DIR: dataDir,
    HEARTH_HOST: '127.0.0.1',
    HEARTH_PORT: '0',
    HEARTH_LOG_LEVEL: 'warn',
    HEARTH_MIN_FREE_SPACE: '0',
    HEARTH_SFTP_PORT: '0',
    HEARTH_SHUTDOWN_GRACE_SECONDS: '5',
  }, extraEnv)
  // The launcher's node first on the PATH is the one the benchmark runs on (bin/ensure-node).
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ''}`
  const child = spawn(join(repoRoot, 'bin/hearth'), ['serve'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-20_000) })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Hearth did not start within 120 s:\n${err}`)), 120_000)
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /Hearth is running: (\S+)/.exec(out)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Hearth exited (${code}) before it was listening:\n${err}`)) })
  })
  child.stdout!.resume()
  // bin/hearth execs node: make sure the pid measured is node's, not a shell's.
  const exe = await readlink(`/proc/${child.pid}/exe`).catch(() => '')
  if (!/node[^/]*$/.test(exe)) {
    await stopChild(child, 'SIGTERM', 30_000)
    throw new Error(`bin/hearth did not exec node (pid ${child.pid} runs ${exe || 'nothing'}): its memory cannot be measured`)
  }
  return { url, pid: child.pid!, stop: () => stopChild(child, 'SIGTERM', 30_000), stderr: () => err }
}

/** Finds nginx: BENCH_NGINX, /usr/sbin/nginx, or nginx on the PATH. */
export function findNginx (): string | undefined {
  const candidates = [process.env.BENCH_NGINX, '/usr/sbin/nginx', '/usr/local/sbin/nginx', ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'nginx'))]
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c))
}

/**
 * Starts nginx in the foreground with WebDAV PUT into `root`, request bodies buffered in `bodyTemp`
 * (both on the benchmark's disk), no body size limit, no access log.
 */
export async function startNginx (binary: string, confDir: string, root: string, bodyTemp: string): Promise<Running> {
  await mkdir(confDir, { recursive: true })
  await mkdir(root, { recursive: true })
  await mkdir(bodyTemp, { recursive: true })
  const port = await freePort()
  const temp = (name: string) => join(confDir, name)
  const conf = `# generated by bench/upload/run.ts
${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
worker_processes auto;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${bodyTemp};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${root};
    client_max_body_size 0;
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r;
    }
  }
}
`
  const confFile = temp('nginx.conf')
  await writeFile(confFile, conf)
  const child = spawn(binary, ['-p', confDir, '-e', temp('error.log'), '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-20_000) })
  const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code) => {
    void readFile(temp('error.log'), 'utf8').catch(() => '').then((log) => reject(new Error(`nginx exited (${code}):\n${err}${log}`)))
  }))
  exited.catch(() => {})
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  for (;;) {
    const up = await Promise.race([fetch(url + '/').then(() => true, () => false), exited])
    if (up) break
    if (Date.now() > deadline) { await stopChild(child, 'SIGQUIT', 5_000); throw new Error(`nginx did not start listening on ${url}:\n${err}`) }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { url, pid: child.pid!, stop: () => stopChild(child, 'SIGQUIT', 15_000), stderr: () => err }
}

async function stopChild (child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/**
 * Resets a process's VmHWM to its current RSS (writing 5 to /proc/<pid>/clear_refs, Linux 4.0+),
 * so that a later VmHWM is the peak of what came after. False where that is not allowed.
 */
export async function resetPeak (pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** VmRSS and VmHWM (peak) of a process, in bytes, from /proc/<pid>/status. */
export async function memoryOf (pid: number): Promise<{ rss: number, hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}
