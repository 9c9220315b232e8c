/**
 * The database: one SQL dialect (PostgreSQL + pgvector) on two engines, the embedded PGlite by
 * default and a PostgreSQL server when DATABASE_URL is set. Migrations run on open.
 *
 * @example
 * const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: './data/db' })
 * const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
 */
import type { Database } from './types.ts'
import { migrate } from './migrate.ts'
import { openPglite } from './pglite.ts'
import { openPostgres } from './postgres.ts'

export type { Database, Queryable } from './types.ts'
export { migrate } from './migrate.ts'

export async function openDatabase ({ url, dataDir, beforeMigrate }: {
  url?: string
  dataDir?: string
  /** Called before an existing database is migrated to this version (see migrate's `before`). */
  beforeMigrate?: (db: Database, step: { from: number, to: number }) => Promise<void>
}): Promise<Database> {
  const db = url !== undefined ? await openPostgres(url) : await openPglite(dataDir)
  try {
    await migrate(db, { before: beforeMigrate === undefined ? undefined : (step) => beforeMigrate(db, step) })
  } catch (err) {
    await db.close().catch(() => {})
    throw err
  }
  return db
}
