/**
 * The database engines the suite runs on. PGlite always; PostgreSQL when HEARTH_TEST_DATABASE_URL
 * names a server with pgvector (`make test` starts one). With HEARTH_TEST_REQUIRE_POSTGRES=1 a
 * missing server is an error, so CI can never pass on PGlite alone.
 */
import { createScratchDatabase } from './pg-database.ts'

export type Engine = 'pglite' | 'postgres'

const serverUrl = process.env.HEARTH_TEST_DATABASE_URL
if (serverUrl === undefined && process.env.HEARTH_TEST_REQUIRE_POSTGRES === '1') {
  throw new Error('HEARTH_TEST_REQUIRE_POSTGRES=1 but HEARTH_TEST_DATABASE_URL is not set: run the tests with `make test`')
}
if (serverUrl === undefined) console.warn('# HEARTH_TEST_DATABASE_URL is not set: database tests run on PGlite only (make test runs both)')

export const engines: Engine[] = serverUrl !== undefined ? ['pglite', 'postgres'] : ['pglite']

/**
 * For a test whose subject is not the database (the browser UI, the ML models, a crash of the ML
 * pipeline): the one engine it names, so the suite stays fast on two cores; the API and storage it
 * goes through are tested on both engines elsewhere (test/api, test/ingest, test/people/people,
 * test/ml/embedding-models, and the browser journey). HEARTH_TEST_ALL_ENGINES=1 runs it on both.
 */
export function oneEngine (preferred: Engine): Engine[] {
  if (process.env.HEARTH_TEST_ALL_ENGINES === '1') return engines
  return engines.includes(preferred) ? [preferred] : ['pglite']
}

/** A fresh, empty database on the PostgreSQL test server; `drop` removes it. */
export async function freshPostgresDatabase (): Promise<{ url: string, drop: () => Promise<void> }> {
  if (serverUrl === undefined) throw new Error('no PostgreSQL test server')
  return createScratchDatabase(serverUrl)
}

/** Database settings for a node under test on `engine`: a DATABASE_URL for PostgreSQL, nothing for PGlite. */
export async function databaseEnv (engine: Engine): Promise<{ env: Record<string, string>, cleanup: () => Promise<void> }> {
  if (engine === 'pglite') return { env: {}, cleanup: async () => {} }
  const { url, drop } = await freshPostgresDatabase()
  return { env: { DATABASE_URL: url }, cleanup: drop }
}
