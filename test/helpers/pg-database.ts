/** A fresh, empty database on a PostgreSQL server, for a test or a benchmark; `drop` removes it. */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export async function createScratchDatabase (serverUrl: string, prefix = 'hearth_test'): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl })
    await c.connect()
    try { await c.query(sql) } finally { await c.end() }
  }
  await run(`CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}
