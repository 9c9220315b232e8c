/**
 * Upgrading Hearth on both engines, with real Hearth processes: a database an older Hearth left
 * (one migration behind) is backed up before the new Hearth migrates it, and the backup is the
 * database as it was (restoring it brings back the older version, which is backed up and migrated
 * again on the next open). When that backup cannot be made, Hearth says what to do and does not
 * start, and the database is left unmigrated.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { hearthCli, sandbox, waitFor } from '../helpers/process.ts'
import { listMigrations, migrate } from '../../node/db/migrate.ts'
import { openPglite } from '../../node/db/pglite.ts'
import { openPostgres } from '../../node/db/postgres.ts'
import type { Database } from '../../node/db/types.ts'

for (const engine of engines) {
  test(`[${engine}] an upgrade backs the database up before migrating it, and refuses to migrate without a backup`, async (t) => {
    const latest = (await listMigrations()).at(-1)!.version
    const dataDir = await mkdtemp(join(tmpdir(), 'hearth-upgrade-'))
    t.after(() => rm(dataDir, { recursive: true, force: true }))
    // The database as the Hearth before this one left it. For PGlite it is made before the
    // sandbox, which otherwise seeds a migrated copy.
    const raw = (url: string | undefined): Promise<Database> => url === undefined ? openPglite(join(dataDir, 'db')) : openPostgres(url)
    if (engine === 'pglite') await withRaw(await raw(undefined), (db) => migrate(db, { upTo: latest - 1 }))
    const box = await sandbox(t, engine, { dataDir })
    const url = box.dbEnv.DATABASE_URL
    if (engine === 'postgres') await withRaw(await raw(url), (db) => migrate(db, { upTo: latest - 1 }))
    const version = async () => withRaw(await raw(url), async (db) => (await db.query<{ v: number }>('SELECT max(version)::int AS v FROM hearth_migrations'))[0]!.v)
    assert.equal(await version(), latest - 1)

    // No backup possible (a file where the backups folder goes): Hearth stops before migrating.
    const folder = join(dataDir, 'backups')
    await writeFile(folder, 'not a folder')
    const refused = await box.start().then(() => 'started', (err: Error) => err.message)
    assert.match(refused, /Hearth exited before it was ready/, refused)
    assert.match(refused, new RegExp(`could not be backed up before this upgrade migrates it \\(from migration ${latest - 1} to ${latest}\\)`), refused)
    assert.match(refused, /Nothing was changed.*HEARTH_DB_BACKUP=off/, refused)
    assert.equal(await version(), latest - 1, 'the database was not migrated')
    await rm(folder)

    const hearth = await box.start()
    // The log reaches this process through a pipe, maybe after the ping that said Hearth was ready.
    const upgraded = () => hearth.logs().find((l) => l.msg === 'upgrading the database: it was backed up first')
    await waitFor('the upgrade\'s log line', () => upgraded() !== undefined, 10_000).catch(() => assert.fail(hearth.stdout()))
    const told = upgraded()!
    assert.deepEqual([told.from, told.to], [latest - 1, latest])
    const [backup, ...more] = await readdir(folder)
    assert.deepEqual(more, [], 'one backup')
    assert.equal(told.file, join(folder, backup!))
    await hearth.stop()
    assert.equal(await version(), latest)

    // The backup is the older database: restoring it puts migration latest - 1 back, and opening
    // that again (the restore does) backs it up before migrating it once more.
    const restore = await hearthCli(['db', 'restore', join(folder, backup!)], { HEARTH_DATA_DIR: dataDir, ...box.dbEnv })
    assert.equal(restore.code, 0, `stdout:\n${restore.stdout}\nstderr:\n${restore.stderr}`)
    assert.match(restore.stdout + restore.stderr, /upgrading the database: it was backed up first/)
    assert.equal((await readdir(folder)).length, 2)
    assert.equal(await version(), latest)

    // A restart with nothing to migrate makes no backup.
    const again = await box.start()
    await again.stop()
    assert.equal((await readdir(folder)).length, 2)
  })
}

async function withRaw<T> (db: Database, fn: (db: Database) => Promise<T>): Promise<T> {
  try { return await fn(db) } finally { await db.close() }
}
