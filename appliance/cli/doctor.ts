import { access, constants, mkdir, statfs } from 'node:fs/promises'
import { createServer } from 'node:net'
import { spawnSync } from 'node:child_process'
import type { Config } from '../../node/config/schema.ts'
import { openHearthDatabase } from '../../node/backups/service.ts'
import { cliLogger } from '../../node/observability/log.ts'
import { listMigrations } from '../../node/db/migrate.ts'
import { DatabaseLockedError } from '../../node/db/lock.ts'
import { formatBytes } from '../../node/assets/upload.ts'
import { modelReport } from './models.ts'
import { defaultInferenceThreads, providerReport } from '../../node/ml/runtime.ts'
import { readHostKeyFingerprint } from '../sftp/host-key.ts'

interface Check { name: string, ok: boolean | 'warn', detail: string, fix?: string }

/** `hearth doctor`: checks this machine and Hearth's set-up, and says what to fix. Exit 1 if anything is wrong. */
export async function doctor (config: Config): Promise<number> {
  const checks: Check[] = []
  const major = Number(process.versions.node.split('.')[0])
  checks.push({ name: 'Node.js', ok: major >= 22, detail: process.version, fix: 'Hearth needs Node.js 22 or newer; bin/hearth installs Node 24 into .tools/ when the system one is older' })

  const dataDir = config.HEARTH_DATA_DIR
  try {
    await mkdir(dataDir, { recursive: true })
    await access(dataDir, constants.W_OK)
    const s = await statfs(dataDir)
    const free = s.bavail * s.bsize
    checks.push({ name: 'Data folder', ok: free > config.HEARTH_MIN_FREE_SPACE ? true : 'warn', detail: `${dataDir} (${formatBytes(free)} free)`, fix: 'Free space on this disk or move HEARTH_DATA_DIR to a larger one' })
  } catch (err) {
    checks.push({ name: 'Data folder', ok: false, detail: `${dataDir}: ${(err as Error).message}`, fix: 'Set HEARTH_DATA_DIR to a folder Hearth can write' })
  }

  let pairedNodes: number | undefined
  try {
    const db = await openHearthDatabase(config, cliLogger())
    try {
      const [{ v }] = await db.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")
      const [{ n }] = await db.query<{ n: number }>('SELECT max(version)::int AS n FROM hearth_migrations')
      const latest = (await listMigrations()).at(-1)?.version
      const [{ users }] = await db.query<{ users: number }>('SELECT count(*)::int AS users FROM users')
      checks.push({ name: 'Database', ok: true, detail: `${db.engine === 'pglite' ? 'embedded (PGlite)' : 'PostgreSQL'}, pgvector ${v}, migration ${n}/${latest}, ${users} user(s)` })
      if (users === 0) checks.push({ name: 'Users', ok: 'warn', detail: 'no user yet', fix: 'Open the web UI to create the admin, or run: hearth user add --email you@example.org --name You' })
      const [{ peers }] = await db.query<{ peers: number }>('SELECT count(*)::int AS peers FROM federation_peers')
      pairedNodes = peers
    } finally {
      await db.close()
    }
  } catch (err) {
    if (err instanceof DatabaseLockedError) {
      checks.push({ name: 'Database', ok: true, detail: `embedded, in use by the running Hearth (pid ${err.pid})` })
    } else {
      checks.push({ name: 'Database', ok: false, detail: (err as Error).message, fix: config.DATABASE_URL !== undefined ? 'Check DATABASE_URL, that the server runs, and that pgvector is installed (CREATE EXTENSION vector)' : 'The embedded database could not open; see the message above' })
    }
  }

  // Video needs ffmpeg and ffprobe; metadata needs perl (exiftool is a Perl program).
  for (const [tool, args, fix] of [
    ['ffmpeg', ['-version'], 'Install ffmpeg (Debian: apt-get install ffmpeg); without it videos get no poster or transcode'],
    ['ffprobe', ['-version'], 'Install ffmpeg (it brings ffprobe)'],
    ['perl', ['-v'], 'Install perl: exiftool, which reads photo metadata, is a Perl program'],
  ] as const) {
    const r = spawnSync(tool, [...args], { encoding: 'utf8' })
    const ok = r.status === 0
    checks.push({ name: tool, ok: ok ? true : 'warn', detail: ok ? (r.stdout.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 60) : 'not found', fix })
  }

  // ML models: without them the library works, with fewer features; damaged ones are a problem.
  try {
    for (const r of await modelReport(config, { verify: true })) {
      const bad = r.models.filter((m) => m.state !== 'ready' && m.state !== 'missing').map((m) => `${m.model} ${m.state}`)
      const missing = r.models.filter((m) => m.state === 'missing').map((m) => m.model)
      const detail = r.state === 'ready' ? `ready (${r.models.length} models)`
        : [bad.length > 0 ? bad.join(', ') : '', missing.length > 0 ? `missing: ${missing.join(', ')}` : ''].filter((x) => x !== '').join('; ')
      checks.push({ name: `ML models (${r.pack})`, ok: r.state === 'ready' ? true : bad.length > 0 ? false : 'warn', detail, fix: r.fix !== undefined ? `Run: hearth models fetch ${r.pack}` : undefined })
    }
  } catch (err) {
    checks.push({ name: 'ML models', ok: false, detail: (err as Error).message, fix: 'Check HEARTH_MODELS_DIR and models/manifest.json' })
  }

  const ml = providerReport(config.HEARTH_ML_PROVIDER)
  const workers = config.HEARTH_ML_WORKERS || defaultInferenceThreads()
  checks.push({ name: 'ML runtime', ...ml, detail: `${ml.detail}; ${workers} inference thread${workers === 1 ? '' : 's'} (HEARTH_ML_WORKERS) at ${config.HEARTH_ML_NICE === 0 ? 'normal CPU priority' : `nice ${config.HEARTH_ML_NICE}`} (HEARTH_ML_NICE)` })

  // Federation: this node's peer id (what relatives' nodes know it by) and how many it is paired with.
  if (config.HEARTH_FEDERATION === 'off') {
    checks.push({ name: 'Federation', ok: true, detail: 'off (HEARTH_FEDERATION=off): no P2P port' })
  } else {
    try {
      const { readPeerId } = await import('../../federation/identity.ts')
      const id = await readPeerId(dataDir)
      const paired = pairedNodes === undefined ? '' : `; paired with ${pairedNodes} relative's node${pairedNodes === 1 ? '' : 's'}`
      checks.push({ name: 'Federation', ok: true, detail: `${id === undefined ? 'identity made at the first start' : `peer id ${id.peerId}`} as "${config.HEARTH_NODE_NAME}" (HEARTH_NODE_NAME)${paired}` })
    } catch (err) {
      checks.push({ name: 'Federation', ok: false, detail: (err as Error).message, fix: 'Restore keys/p2p_ed25519.key from a backup of the data folder; moving it aside makes a new identity, and relatives must pair with this node again' })
    }
  }

  const ports = [['HTTP port', config.HEARTH_PORT], ['SFTP port', config.HEARTH_SFTP_PORT], ...(config.HEARTH_FEDERATION === 'off' ? [] : [['P2P port', config.HEARTH_P2P_PORT]])] as Array<[string, number]>
  for (const [name, port] of ports) {
    const free = await portFree(port, config.HEARTH_HOST)
    checks.push({ name, ok: free ? true : 'warn', detail: `${port} ${free ? 'free' : 'in use (by Hearth itself if it is running)'}`, fix: free ? undefined : `If Hearth is not running, another program holds ${port}: set ${name === 'HTTP port' ? 'HEARTH_PORT' : name === 'SFTP port' ? 'HEARTH_SFTP_PORT' : 'HEARTH_P2P_PORT'}` })
  }

  // The SFTP host key's fingerprint: what users compare with the one their client shows on first connection.
  try {
    const hk = await readHostKeyFingerprint(dataDir)
    checks.push({ name: 'SFTP host key', ok: true, detail: hk === undefined ? 'none yet (made at the first start)' : `${hk.fingerprint} (${hk.path})` })
  } catch (err) {
    checks.push({ name: 'SFTP host key', ok: false, detail: (err as Error).message, fix: 'Move the unreadable key aside; Hearth makes a new one at start (clients then warn that the host key changed)' })
  }

  let failed = 0
  for (const c of checks) {
    const mark = c.ok === true ? 'ok  ' : c.ok === 'warn' ? 'warn' : 'FAIL'
    if (c.ok === false) failed++
    console.log(`[${mark}] ${c.name}: ${c.detail}`)
    if (c.ok !== true && c.fix !== undefined) console.log(`       -> ${c.fix}`)
  }
  console.log(failed === 0 ? '\nHearth looks healthy.' : `\n${failed} problem(s) to fix.`)
  return failed === 0 ? 0 : 1
}

function portFree (port: number, host: string): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer()
    s.once('error', () => ok(false))
    s.listen(port, host, () => s.close(() => ok(true)))
  })
}
