import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Database } from './types.ts'

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url))

export interface Migration { version: number, name: string, sql: string }

export async function listMigrations (): Promise<Migration[]> {
  const files = (await readdir(migrationsDir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort()
  return Promise.all(files.map(async (file) => ({
    version: Number(file.slice(0, 4)),
    name: file.replace(/\.sql$/, ''),
    sql: await readFile(migrationsDir + file, 'utf8'),
  })))
}

/**
 * Applies the migrations not yet recorded, in order, each in its own transaction. Forward-only:
 * a database newer than this code is refused rather than guessed at. `upTo` stops after that
 * version (tests: a database as an older Hearth left it, with data, then migrated on).
 */
export async function migrate (db: Database, { upTo, migrations: given, before }: {
  upTo?: number
  /** Instead of node/db/migrations/ (tests). */
  migrations?: Migration[]
  /**
   * Called once before a database that already has data is migrated (an upgrade), with the
   * version it is at and the one it goes to; not for a new database, nor when nothing is pending.
   */
  before?: (step: { from: number, to: number }) => Promise<void>
} = {}): Promise<{ applied: string[] }> {
  await db.query(`CREATE TABLE IF NOT EXISTS hearth_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
  const migrations = given ?? await listMigrations()
  if (before !== undefined) {
    const [{ at }] = await db.query<{ at: number | null }>('SELECT max(version) AS at FROM hearth_migrations')
    const pending = migrations.filter((m) => m.version > (at ?? 0) && (upTo === undefined || m.version <= upTo))
    if (at !== null && pending.length > 0) await before({ from: at, to: pending.at(-1)!.version })
  }
  const applied: string[] = []
  for (const m of migrations) {
    if (upTo !== undefined && m.version > upTo) break
    const did = await db.transaction(async (tx) => {
      // Two processes starting at once against one server: the second waits, then skips.
      await tx.query('SELECT pg_advisory_xact_lock(728461)')
      const done = await tx.query('SELECT 1 FROM hearth_migrations WHERE version = $1', [m.version])
      if (done.length > 0) return false
      for (const statement of splitStatements(m.sql)) {
        try {
          await tx.query(statement)
        } catch (err) {
          // "extension "pg_trgm" is not available": a server without PostgreSQL's contrib or pgvector.
          const missing = /extension "([^"]+)" is not available/.exec((err as Error).message)?.[1]
          const hint = missing === undefined ? '' : ` Install it on the database server (${missing === 'vector' ? 'pgvector, from its package or https://github.com/pgvector/pgvector' : `${missing} ships with PostgreSQL: Debian's postgresql-NN or postgresql-contrib package`}), then start Hearth again.`
          throw new Error(`Database migration ${m.name} failed: ${(err as Error).message}.${hint}`, { cause: err })
        }
      }
      await tx.query('INSERT INTO hearth_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
      return true
    })
    if (did) applied.push(m.name)
  }
  const [{ max }] = await db.query<{ max: number | null }>('SELECT max(version) AS max FROM hearth_migrations')
  const latest = migrations.at(-1)?.version ?? 0
  if (max !== null && max > latest) {
    throw new Error(`The database is at migration ${max} but this Hearth knows only up to ${latest}: run a newer Hearth, or restore a backup of the database taken with this version.`)
  }
  return { applied }
}

/** Splits a migration file on semicolons at the end of a line (migrations avoid $$ bodies with inner ones). */
function splitStatements (sql: string): string[] {
  return sql.split(/;\s*$/m).map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter((s) => s.length > 0)
}
