/**
 * `hearth db backup|list|restore`: the database's backups (node/backups) from the command line.
 *
 * restore puts a backup back, with Hearth stopped:
 * - the embedded database (PGlite): the backup is unpacked into a new folder beside `db/` and
 *   opened once to check it; only then does `db/` move aside (to `db.before-restore-<time>`, kept
 *   until the owner removes it) and the new folder take its place;
 * - PostgreSQL (DATABASE_URL): pg_restore into that database, replacing what is there, in one
 *   transaction (all or nothing).
 * Either way Hearth then brings the schema up to date (an older backup is migrated forward; one
 * from a newer Hearth is refused). Originals and thumbnails are files and are not touched.
 *
 * @example
 * bin/hearth db backup
 * bin/hearth db restore data/backups/hearth-db-pglite-20261206T020000Z.tar.gz
 */
import { readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { Config } from '../../node/config/schema.ts'
import { restoreReplacing } from '../../node/db/postgres.ts'
import { pgliteExtensions } from '../../node/db/pglite.ts'
import { lockDataDir, DatabaseLockedError } from '../../node/db/lock.ts'
import { createBackupService, fileStamp, isBackupName, openHearthDatabase } from '../../node/backups/service.ts'
import { cliLogger } from '../../node/observability/log.ts'

const usage = 'Usage: hearth db backup | db list | db restore FILE'

export async function dbCommand (config: Config, argv: string[]): Promise<number> {
  const [sub, file] = argv
  const dbDir = resolve(config.HEARTH_DATA_DIR, 'db')
  try {
    switch (sub) {
      case 'backup': case 'list': {
        const db = await openHearthDatabase(config, cliLogger())
        try {
          const backups = createBackupService({ db, dataDir: config.HEARTH_DATA_DIR, keep: config.HEARTH_DB_BACKUP_KEEP, log: cliLogger() })
          if (sub === 'backup') {
            const made = await backups.create()
            console.log(`Backed up to ${resolve(backups.folder, made.filename)} (${(made.filesize / 1e6).toFixed(1)} MB)`)
          } else {
            const all = await backups.list()
            if (all.length === 0) console.log(`No backups in ${backups.folder} yet.`)
            for (const b of all) console.log(`${b.filename}\t${(b.filesize / 1e6).toFixed(1)} MB\t${b.createdAt}`)
          }
        } finally { await db.close() }
        return 0
      }
      case 'restore': {
        if (file === undefined) { console.error(usage); return 64 }
        const path = resolve(file)
        const size = await stat(path).then((s) => s.size, () => -1)
        if (size < 0) { console.error(`hearth db restore: ${path} does not exist`); return 66 }
        const engine = config.DATABASE_URL !== undefined ? 'postgres' : 'pglite'
        const kind = /\.tar\.gz$/.test(path) ? 'pglite' : /\.dump$/.test(path) ? 'postgres' : undefined
        if (kind !== engine) {
          console.error(`hearth db restore: ${basename(path)} is ${kind === undefined ? 'not a Hearth database backup' : `a backup of the ${kind === 'pglite' ? 'embedded database' : 'PostgreSQL database'}`}, and this Hearth uses ${engine === 'pglite' ? 'the embedded database' : 'PostgreSQL (DATABASE_URL)'}`)
          return 65
        }
        if (!isBackupName(basename(path))) console.warn(`hearth db restore: ${basename(path)} is not named as Hearth names its backups; restoring it anyway`)
        const aside = engine === 'pglite' ? await restorePglite(dbDir, path) : await restorePostgres(config.DATABASE_URL!, path)
        // Opening migrates the restored database forward (or refuses one from a newer Hearth).
        const db = await openHearthDatabase(config, cliLogger())
        const [{ users }] = await db.query<{ users: number }>('SELECT count(*)::int AS users FROM users')
        const [{ assets }] = await db.query<{ assets: number }>('SELECT count(*)::int AS assets FROM assets')
        await db.close()
        console.log(`Restored ${basename(path)}: ${users} users, ${assets} assets.${aside !== undefined ? ` The database it replaced is kept in ${aside}; remove it once Hearth runs as it should.` : ''}`)
        return 0
      }
      default:
        console.error(usage)
        return 64
    }
  } catch (err) {
    if (err instanceof DatabaseLockedError) { console.error(`hearth db ${sub}: Hearth is running on this data folder (pid ${err.pid}): stop it first.`); return 75 }
    throw err
  }
}

/** Unpacks and checks the backup beside the database, then swaps the folders; returns where the old one went. */
async function restorePglite (dbDir: string, path: string): Promise<string | undefined> {
  const unlock = await lockDataDir(dbDir).catch(async (err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return async () => {}
    throw err
  })
  const stamp = fileStamp(new Date())
  const fresh = `${dbDir}.restoring-${stamp}`
  try {
    const pg = await PGlite.create({ dataDir: fresh, loadDataDir: new Blob([await readFile(path)]), extensions: pgliteExtensions })
    try {
      await pg.query('SELECT count(*) FROM users')
    } catch (err) {
      throw new Error(`${basename(path)} unpacked, but it holds no Hearth database (${(err as Error).message}); nothing was changed`, { cause: err })
    } finally { await pg.close() }
    // The backup was taken from a running Hearth: its lock file names a process that is gone.
    await unlink(resolve(fresh, 'hearth.pid')).catch(() => {})
  } catch (err) {
    await rm(fresh, { recursive: true, force: true })
    await unlock()
    throw err
  }
  const exists = await stat(dbDir).then(() => true, () => false)
  const aside = `${dbDir}.before-restore-${stamp}`
  await unlock()
  if (exists) await rename(dbDir, aside)
  await rename(fresh, dbDir)
  return exists ? aside : undefined
}

/** pg_restore into the configured database, replacing its objects, all in one transaction (all or nothing). */
async function restorePostgres (url: string, path: string): Promise<undefined> {
  await restoreReplacing(url, path)
    .catch((err: Error) => { throw new Error(`${err.message}; the database was left as it was`, { cause: err }) })
  return undefined
}
