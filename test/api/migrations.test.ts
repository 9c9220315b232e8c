import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, migrate } from '../../node/db/index.ts'
import { listMigrations } from '../../node/db/migrate.ts'
import { engines, freshPostgresDatabase } from '../helpers/engines.ts'

for (const engine of engines) {
  describe(`[${engine}] migrations`, () => {
    test('an empty database migrates to the latest version, and again is a no-op', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hearth-mig-'))
      const pg = engine === 'postgres' ? await freshPostgresDatabase() : undefined
      const db = await openDatabase({ url: pg?.url, dataDir: join(dir, 'db') })
      try {
        const latest = (await listMigrations()).at(-1)!.version
        const [{ v }] = await db.query<{ v: number }>('SELECT max(version)::int AS v FROM hearth_migrations')
        assert.equal(v, latest)
        assert.deepEqual((await migrate(db)).applied, [])
        const tables = (await db.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).map((r) => r.t)
        for (const t of ['users', 'sessions', 'api_keys', 'assets', 'albums', 'album_assets', 'upload_intents']) assert.ok(tables.includes(t), t)
        const [{ d }] = await db.query<{ d: number }>("SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector AS d")
        assert.equal(d, 1, 'pgvector answers')
        const [{ trgm }] = await db.query<{ trgm: boolean }>("SELECT 'Lisbon 2019' ILIKE '%bon%' AND similarity('lisbon', 'lisboa') > 0.3 AS trgm")
        assert.equal(trgm, true, 'pg_trgm answers (migration 0013)')
        // A migration that fails says which, why, and what to do; it is not recorded.
        const needsExtension = { version: 9000, name: '9000_needs_an_extension', sql: 'CREATE TABLE hearth_half_done (x int);\nCREATE EXTENSION hearth_no_such_extension;' }
        await assert.rejects(migrate(db, { migrations: [needsExtension] }),
          /Database migration 9000_needs_an_extension failed: extension "hearth_no_such_extension" is not available\. Install it on the database server/)
        assert.deepEqual(await db.query('SELECT version FROM hearth_migrations WHERE version = 9000'), [])
        assert.deepEqual(await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'hearth_half_done'"), [], 'rolled back as a whole')
        // A database newer than the code is refused, not guessed at.
        await db.query("INSERT INTO hearth_migrations (version, name) VALUES (9999, '9999_future')")
        await assert.rejects(migrate(db), /migration 9999/)
      } finally {
        await db.close()
        await pg?.drop()
        await rm(dir, { recursive: true, force: true })
      }
    })
  })
}
