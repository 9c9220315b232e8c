import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { openPostgres } from '../../node/db/postgres.ts'
import { engines, freshPostgresDatabase } from '../helpers/engines.ts'

// PGlite has one connection and runs one transaction at a time: no deadlock can happen there.
for (const engine of engines.filter((e) => e === 'postgres')) {
  describe(`[${engine}] transactions`, () => {
    test('two transactions that lock the same rows in opposite order both commit: the one PostgreSQL rolls back runs again', async () => {
      const scratch = await freshPostgresDatabase()
      const db = await openPostgres(scratch.url)
      try {
        await db.query('CREATE TABLE photos (id int PRIMARY KEY, edits text[] NOT NULL DEFAULT \'{}\')')
        await db.query('INSERT INTO photos (id) VALUES (1), (2)')
        // Each holds its first row before either asks for its second: a deadlock every time.
        let release!: () => void
        const bothHold = new Promise<void>((resolve) => { let n = 0; release = () => { if (++n === 2) resolve() } })
        const runs = { a: 0, b: 0 }
        const writer = (name: 'a' | 'b', first: number, second: number) => db.transaction(async (tx) => {
          runs[name]++
          await tx.query("SET LOCAL deadlock_timeout = '100ms'")
          await tx.query('UPDATE photos SET edits = edits || $2::text WHERE id = $1', [first, name])
          if (runs[name] === 1) { release(); await bothHold }
          await tx.query('UPDATE photos SET edits = edits || $2::text WHERE id = $1', [second, name])
          return name
        })
        assert.deepEqual(await Promise.all([writer('a', 1, 2), writer('b', 2, 1)]), ['a', 'b'])
        assert.equal(runs.a + runs.b, 3, 'one of the two was rolled back once and ran again')
        const rows = await db.query<{ id: number, edits: string[] }>('SELECT id, edits FROM photos ORDER BY id')
        assert.deepEqual(rows.map((r) => r.edits.toSorted()), [['a', 'b'], ['a', 'b']], 'each wrote both rows, once')
        // Any other error is the caller's at once, not tried again.
        let tries = 0
        await assert.rejects(db.transaction(async (tx) => { tries++; await tx.query('INSERT INTO photos (id) VALUES (1)') }), /duplicate key/)
        assert.equal(tries, 1)
      } finally {
        await db.close()
        await scratch.drop()
      }
    })
  })
}
