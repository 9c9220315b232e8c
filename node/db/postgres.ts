import pg from 'pg'
import type { Database, Queryable } from './types.ts'

// int8 as number, the same as the PGlite adapter (sizes and counts stay far below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

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
    query: self.query,
    async transaction (fn) {
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
    },
    close: async () => { await pool.end() },
  }
}
