/**
 * The integrity check of originals: every asset's file is read again and compared with what Hearth
 * recorded, so that a failing disk or a stray delete is found while a good copy may still exist
 * (another backup, the phone it came from), not years later when someone looks for the photo.
 *
 * - An upload (Hearth's own copy, never written to after it was stored) must be there with the
 *   same size and SHA-1: anything else is `missing` or `damaged`.
 * - A share's file (indexed in place) may be changed by its owner: a change of size or modification
 *   time is the next rescan's business, not damage. Only the same size and time with other bytes is
 *   `damaged` (bit rot: nobody changes a file without its time changing). A file the scans already
 *   know is gone (offline) is not reported again.
 *
 * Files are opened read-only (O_NOATIME where allowed), one at a time, so the check never changes
 * an original and leaves the disks to the household. The last report is kept in `system_config`
 * (`hearth.integrity`), so it outlives restarts; problems are also logged as errors.
 *
 * @example
 * const checker = createIntegrityChecker({ db, log })
 * const report = await checker.run()   // { checked, bytes, problems: [{ kind: 'damaged', path, ... }] }
 */
import { stat } from 'node:fs/promises'
import type { Logger } from 'pino'
import type { Database } from '../../node/db/index.ts'
import type { NotificationService } from '../../node/notifications/service.ts'
import { hashFile, type Hasher } from '../libraries/hasher.ts'

export interface IntegrityProblem {
  kind: 'missing' | 'damaged'
  assetId: string, ownerId: string, libraryId: string | null, path: string
  /** What differs, in words. */
  detail: string
}

export interface IntegrityReport {
  startedAt: string, finishedAt: string | null
  /** Files looked at, and bytes read. */
  checked: number, bytes: number
  /** Of how many (the assets when the check started). */
  total: number
  problems: IntegrityProblem[]
  /** The check stopped early (Hearth stopping): what it covered is reported. */
  interrupted: boolean
}

interface Row {
  id: string, owner_id: string, library_id: string | null, original_path: string, file_size: number
  checksum_sha1: Buffer, file_mtime_ms: number | null, is_offline: boolean
}

const BATCH = 500
/** Problems kept in the report (all of them are logged). */
const MAX_PROBLEMS = 1000
const KEY = 'hearth.integrity'

export function createIntegrityChecker ({ db, log, hasher = hashFile, notifications }: {
  db: Database, log: Logger, hasher?: Hasher
  /** Admins are told when originals are found missing or damaged. */
  notifications?: Pick<NotificationService, 'sendAdmins'>
}) {
  let running: { report: IntegrityReport, done: Promise<IntegrityReport>, abort: AbortController } | undefined

  async function save (report: IntegrityReport): Promise<void> {
    await db.query(
      `INSERT INTO system_config (key, value) VALUES ($1, $2::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [KEY, JSON.stringify(report)])
  }

  async function check (r: Row, report: IntegrityReport, signal: AbortSignal): Promise<void> {
    const problem = (kind: IntegrityProblem['kind'], detail: string) => {
      const p = { kind, assetId: r.id, ownerId: r.owner_id, libraryId: r.library_id, path: r.original_path, detail }
      log.error(p, kind === 'missing' ? 'an original is missing' : 'an original is damaged')
      if (report.problems.length < MAX_PROBLEMS) report.problems.push(p)
    }
    const s = await stat(r.original_path).catch((err: NodeJS.ErrnoException) => err)
    if (s instanceof Error) {
      if (r.library_id !== null && r.is_offline) return
      problem('missing', s.code === 'ENOENT' ? 'the file is not there' : `the file cannot be read (${s.code ?? s.message})`)
      return
    }
    const shared = r.library_id !== null
    // A share's file its owner changed: the next rescan reads it again.
    if (shared && (s.size !== r.file_size || (r.file_mtime_ms !== null && Math.abs(s.mtimeMs - r.file_mtime_ms) >= 1))) return
    if (!shared && s.size !== r.file_size) {
      problem('damaged', `its size is ${s.size} bytes; it was ${r.file_size} when stored`)
      return
    }
    const got = await hasher(r.original_path, { signal }).catch((err: NodeJS.ErrnoException) => err)
    if (got instanceof Error) {
      if (signal.aborted) throw got
      problem('missing', `the file cannot be read (${got.code ?? got.message})`)
      return
    }
    report.bytes += got.size
    if (!got.sha1.equals(r.checksum_sha1)) problem('damaged', `its content changed (SHA-1 ${got.sha1.toString('hex')}, recorded ${r.checksum_sha1.toString('hex')})${shared ? ' while its size and modification time stayed the same' : ''}`)
  }

  async function run (abort: AbortController, report: IntegrityReport): Promise<IntegrityReport> {
    const started = performance.now()
    let last = '00000000-0000-0000-0000-000000000000'
    try {
      for (;;) {
        if (abort.signal.aborted) { report.interrupted = true; break }
        const rows = await db.query<Row>(
          `SELECT id, owner_id, library_id, original_path, file_size, checksum_sha1, file_mtime_ms, is_offline
           FROM assets WHERE id > $1 ORDER BY id LIMIT ${BATCH}`, [last])
        if (rows.length === 0) break
        for (const r of rows) {
          if (abort.signal.aborted) break
          try {
            await check(r, report, abort.signal)
          } catch (err) {
            if (abort.signal.aborted) break
            throw err
          }
          report.checked++
        }
        last = rows.at(-1)!.id
      }
      if (abort.signal.aborted) report.interrupted = true
    } finally {
      report.finishedAt = new Date().toISOString()
      await save(report).catch((err: unknown) => log.error({ err }, 'could not store the integrity report'))
    }
    log.info({ checked: report.checked, bytes: report.bytes, problems: report.problems.length, interrupted: report.interrupted, ms: Math.round(performance.now() - started) }, 'integrity check of originals done')
    if (report.problems.length > 0) {
      const n = report.problems.length
      await notifications?.sendAdmins({
        type: 'SystemMessage', level: 'error', title: `${n === 1 ? 'An original is' : `${n} originals are`} missing or damaged`,
        description: 'Administration › Jobs › Integrity of originals lists them: restore them from another copy.', data: { integrity: true },
      }).catch((err: unknown) => log.error({ err }, 'could not tell the admins'))
    }
    return report
  }

  return {
    /** Starts a check unless one runs; resolves with its report when it ends. */
    start (): Promise<IntegrityReport> {
      if (running !== undefined) return running.done
      const abort = new AbortController()
      const report: IntegrityReport = { startedAt: new Date().toISOString(), finishedAt: null, checked: 0, bytes: 0, total: 0, problems: [], interrupted: false }
      const done = (async () => {
        const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assets')
        report.total = n
        log.info({ assets: n }, 'integrity check of originals started')
        return run(abort, report)
      })().finally(() => { running = undefined })
      running = { report, done, abort }
      return done
    },
    /** The check in progress (its report so far), if any. */
    current (): IntegrityReport | undefined { return running?.report },
    /** The last finished check's report, if any. */
    async last (): Promise<IntegrityReport | undefined> {
      const [row] = await db.query<{ value: IntegrityReport }>('SELECT value FROM system_config WHERE key = $1', [KEY])
      return row?.value
    },
    /** Stops a check in progress (its report says so) and waits for it. */
    async stop (): Promise<void> {
      if (running === undefined) return
      running.abort.abort()
      await running.done.catch(() => {})
    },
  }
}

export type IntegrityChecker = ReturnType<typeof createIntegrityChecker>
