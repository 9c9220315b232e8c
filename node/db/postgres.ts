import { spawn } from 'node:child_process'
import { chmod } from 'node:fs/promises'
import pg from 'pg'
import type { Database, Queryable } from './types.ts'

// int8 as number, the same as the PGlite adapter (sizes and counts stay far below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

/**
 * PostgreSQL's answer when two transactions wait on each other (40P01, deadlock_detected) or a
 * snapshot cannot be kept (40001): one of them is rolled back and may simply run again, which
 * PostgreSQL's manual asks applications to do. Two writers of the same photos in a different
 * order (a bulk date change and the duplicate finder, say) meet this now and then.
 */
const RETRYABLE = new Set(['40P01', '40001'])
const ATTEMPTS = 4

/** Runs `work` again, after a short random wait, while PostgreSQL rolls it back as a deadlock victim. */
export async function retryOnConflict<T> (work: () => Promise<T>, attempts = ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (err) {
      if (attempt >= attempts || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt))
    }
  }
}

/** The server engine: PostgreSQL 15+ with pgvector, reached through a pool. */
export async function openPostgres (url: string, { max = 10 }: { max?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max })
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {})
  // Fail early with a clear message when the server is unreachable.
  const client = await pool.connect().catch((err: Error) => {
    throw new Error(`Cannot connect to the PostgreSQL server in DATABASE_URL: ${err.message}`)
  })
  client.release()
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T> (sql: string, params: readonly unknown[] = []) {
      const result = await c.query(sql, params as unknown[])
      return result.rows as T[]
    },
  })
  const self = wrap(pool)
  return {
    engine: 'postgres',
    // A statement on its own is its own transaction: rolled back whole, it can run again.
    query: async (sql, params) => retryOnConflict(() => self.query(sql, params)),
    // The whole transaction runs again: `fn` holds database work only (files are written before or
    // removed after it), so a second run does what the first would have.
    transaction: async (fn) => retryOnConflict(async () => {
      const c = await pool.connect()
      try {
        await c.query('BEGIN')
        const result = await fn(wrap(c))
        await c.query('COMMIT')
        return result
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        c.release()
      }
    }),
    backup: async (file) => { await pgDump(url, file) },
    close: async () => { await pool.end() },
  }
}

/** pg_dump's custom format (compressed; pg_restore reads it) of the database at `url`. */
async function pgDump (url: string, file: string): Promise<void> {
  await runPgTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`], url)
  await chmod(file, 0o600)
}

/**
 * Runs one of PostgreSQL's client tools (pg_dump, pg_restore) against the database at `url`. The
 * password goes to it in its environment, never on its command line (where `ps` would show it).
 * Rejects with the tool's last lines of error output, or with what to install when it is missing.
 */
export async function runPgTool (tool: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  const u = new URL(url)
  const password = decodeURIComponent(u.password)
  u.password = ''
  await new Promise<void>((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${u.toString()}`], {
      env: { ...process.env, ...(password !== '' ? { PGPASSWORD: password } : {}) }, stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT'
      ? new Error(`${tool} was not found: install PostgreSQL's client tools, of the server's version or newer (Debian: postgresql-client)`)
      : err))
    child.on('close', (code) => code === 0 ? resolve() : reject(new Error(`${tool} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`)))
  })
}
