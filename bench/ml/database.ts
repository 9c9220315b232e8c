/**
 * A scratch database for a benchmark: a fresh PGlite folder, or a fresh database on the PostgreSQL
 * server at `serverUrl` (undefined when none is given: the caller says it skipped). `cleanup`
 * closes it and removes it.
 *
 * @example
 * const scratch = await benchDatabase('postgres', process.env.BENCH_DATABASE_URL)
 * if (scratch === undefined) { console.log('postgres: skipped (set BENCH_DATABASE_URL)'); return }
 * try { await scratch.db.query('SELECT 1') } finally { await scratch.cleanup() }
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Database } from '../../node/db/index.ts'
import { createScratchDatabase } from '../../test/helpers/pg-database.ts'

export async function benchDatabase (engine: string, serverUrl: string | undefined): Promise<{ db: Database, cleanup: () => Promise<void> } | undefined> {
  if (engine === 'postgres') {
    if (serverUrl === undefined) return undefined
    const scratch = await createScratchDatabase(serverUrl, 'hearth_bench')
    const db = await openDatabase({ url: scratch.url })
    return { db, cleanup: async () => { await db.close(); await scratch.drop() } }
  }
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-'))
  const db = await openDatabase({ dataDir: dir })
  return { db, cleanup: async () => { await db.close(); await rm(dir, { recursive: true, force: true }) } }
}
