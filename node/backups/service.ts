/**
 * Database backups, as Immich makes them: on a schedule (HEARTH_DB_BACKUP, 02:00 every day by
 * default) and on an admin's request, into `<data>/backups/`, keeping the newest
 * HEARTH_DB_BACKUP_KEEP (14). Albums, people's names, favourites, descriptions, edits and stacks
 * live only in the database (originals are never written to), so a damaged database must not take
 * them with it. Files and the folder are the owner's only (0600/0700): they hold password hashes.
 *
 * A backup is written under a `.partial` name, synced, then renamed: a crash or a full disk leaves
 * no half backup that looks whole. `hearth db restore FILE` puts one back (appliance/cli/db.ts).
 *
 * @example
 * const backups = createBackupService({ db, dataDir, keep: 14, log })
 * const made = await backups.create()   // { filename, filesize, createdAt }
 */
import { mkdir, open, readdir, rename, rm, stat, chmod } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import cron, { type ScheduledTask } from 'node-cron'
import { openDatabase, type Database } from '../db/index.ts'
import type { Config } from '../config/schema.ts'
import type { NotificationService } from '../notifications/service.ts'
import type { Logger } from 'pino'

/** hearth-db-<engine>-<UTC time>.<tar.gz (PGlite's folder) | dump (pg_dump's custom format)>. */
const NAME = /^hearth-db-(pglite|postgres)-(\d{8}T\d{6}Z)(-\d+)?\.(tar\.gz|dump)$/

export interface BackupFile { filename: string, filesize: number, createdAt: string, engine: 'pglite' | 'postgres' }

export const backupsFolder = (dataDir: string) => join(dataDir, 'backups')

/** A UTC time as file names here carry it: 20261206T020000Z. */
export const fileStamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')

/** Whether `name` is one of Hearth's backup files (and so a safe name inside the folder). */
export const isBackupName = (name: string) => NAME.test(name)

export function createBackupService ({ db, dataDir, keep, log, notifications, now = () => new Date() }: {
  db: Pick<Database, 'engine' | 'backup'>, dataDir: string, keep: number, log: Logger, now?: () => Date
  /** Admins are told of a backup that failed. */
  notifications?: Pick<NotificationService, 'sendAdmins'>
}) {
  const dir = backupsFolder(dataDir)
  let running: Promise<BackupFile> | undefined

  async function list (): Promise<BackupFile[]> {
    const names = (await readdir(dir).catch(() => [] as string[])).filter(isBackupName)
    const files = await Promise.all(names.map(async (filename) => {
      const m = NAME.exec(filename)!
      const t = m[2]!
      return {
        filename, filesize: (await stat(join(dir, filename))).size, engine: m[1] as 'pglite' | 'postgres',
        createdAt: `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}Z`,
      }
    }))
    // Newest first: by time, then by the -N of a second backup within the same second.
    const order = (f: BackupFile) => `${f.createdAt}#${String(Number(NAME.exec(f.filename)![3]?.slice(1) ?? 1)).padStart(6, '0')}`
    return files.sort((a, b) => order(b).localeCompare(order(a)))
  }

  async function make (): Promise<BackupFile> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await chmod(dir, 0o700)
    const stamp = fileStamp(now())
    const ext = db.engine === 'pglite' ? 'tar.gz' : 'dump'
    const taken = new Set(await readdir(dir))
    let filename = `hearth-db-${db.engine}-${stamp}.${ext}`
    for (let n = 2; taken.has(filename); n++) filename = `hearth-db-${db.engine}-${stamp}-${n}.${ext}`
    const partial = join(dir, `${filename}.partial`)
    const started = performance.now()
    try {
      await db.backup(partial)
      const fh = await open(partial, 'r')
      try { await fh.sync() } finally { await fh.close() }
      await rename(partial, join(dir, filename))
      const d = await open(dir, 'r')
      try { await d.sync() } finally { await d.close() }
    } catch (err) {
      await rm(partial, { force: true })
      log.error({ err: (err as Error).message }, 'database backup failed; the earlier backups are kept')
      await notifications?.sendAdmins({ type: 'BackupFailed', level: 'error', title: 'The database backup failed', description: `${(err as Error).message}. The earlier backups are kept.` }).catch(() => {})
      throw err
    }
    const made = (await list()).find((f) => f.filename === filename)!
    log.info({ file: filename, bytes: made.filesize, ms: Math.round(performance.now() - started) }, 'database backed up')
    // The newest `keep` stay; the rest go, oldest first.
    for (const old of (await list()).slice(keep)) {
      await rm(join(dir, old.filename), { force: true })
      log.info({ file: old.filename }, 'old database backup removed')
    }
    return made
  }

  /** Makes a backup now; while one is being made, asking again waits for that one. */
  function create (): Promise<BackupFile> {
    running ??= make().finally(() => { running = undefined })
    return running
  }

  return {
    folder: dir,
    list,
    create,
    /** Removes backups by name; an unknown or foreign name is refused before anything is removed. */
    async remove (names: string[]): Promise<void> {
      const present = new Set((await list()).map((f) => f.filename))
      const missing = names.find((n) => !present.has(n))
      if (missing !== undefined) throw new Error(`no backup named ${JSON.stringify(missing)}`)
      for (const n of names) await rm(join(dir, n), { force: true })
    },
    /** The path of a backup file by name, or undefined for any other name. */
    path (name: string): string | undefined { return isBackupName(name) ? join(dir, name) : undefined },
    /** Resolves once no backup is being made (shutdown waits for one in progress). */
    async idle (): Promise<void> { await running?.catch(() => {}) },
    /** Backs up on `expression` (cron, local time); returns what stops it. */
    schedule (expression: string): () => void {
      if (expression === 'off') return () => {}
      const task: ScheduledTask = cron.schedule(expression, () => { create().catch(() => { /* logged in make */ }) }, { name: 'database backup' })
      return () => { void task.stop() }
    },
  }
}

export type BackupService = ReturnType<typeof createBackupService>

/**
 * Hearth's database as the server and the command line open it, migrated to this version. Before
 * an upgrade migrates a database that already holds data, it is backed up into `<data>/backups`
 * (unless HEARTH_DB_BACKUP is off), so a migration that goes wrong, or a wish to go back to the
 * older Hearth, is undone with `hearth db restore`. When that backup cannot be made the database
 * is left as it is and Hearth does not start: an upgrade never runs without a way back unless
 * the admin says so.
 */
export async function openHearthDatabase (config: Pick<Config, 'DATABASE_URL' | 'HEARTH_DATA_DIR' | 'HEARTH_DB_BACKUP' | 'HEARTH_DB_BACKUP_KEEP'>, log: Logger): Promise<Database> {
  return openDatabase({
    url: config.DATABASE_URL,
    dataDir: resolve(config.HEARTH_DATA_DIR, 'db'),
    beforeMigrate: config.HEARTH_DB_BACKUP === 'off' ? undefined : async (db, { from, to }) => {
      const backups = createBackupService({ db, dataDir: config.HEARTH_DATA_DIR, keep: config.HEARTH_DB_BACKUP_KEEP, log })
      let made: BackupFile
      try {
        made = await backups.create()
      } catch (err) {
        throw new Error(`the database could not be backed up before this upgrade migrates it (from migration ${from} to ${to}): ${(err as Error).message}. ` +
          'Nothing was changed. Fix the cause (free space, or PostgreSQL client tools of the server\'s version for pg_dump), or set HEARTH_DB_BACKUP=off to upgrade without a backup.', { cause: err })
      }
      log.warn({ file: join(backups.folder, made.filename), from, to }, 'upgrading the database: it was backed up first')
    },
  })
}
