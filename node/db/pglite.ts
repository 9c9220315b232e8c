import { mkdir } from 'node:fs/promises'
import { PGlite, types } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import type { Database, Queryable } from './types.ts'
import { lockDataDir } from './lock.ts'

/**
 * The embedded engine: PostgreSQL compiled to WebAssembly, in this process, with pgvector.
 * PGlite has one connection, so it serialises transactions itself; queries outside a transaction
 * wait for the transaction in progress.
 */
export async function openPglite (dataDir: string | undefined): Promise<Database> {
  let unlock = async () => {}
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true })
    unlock = await lockDataDir(dataDir)
  }
  const pg = await PGlite.create({
    dataDir,
    extensions: { vector },
    // int8 as number (sizes and counts stay far below 2^53), the same as the pg adapter;
    // bytea as Buffer, as pg returns it (PGlite's default is a plain Uint8Array).
    parsers: {
      [types.INT8]: (v: string) => Number(v),
      [types.BYTEA]: (v: string) => Buffer.from(v.slice(2), 'hex'),
    },
  })
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T> (sql: string, params: readonly unknown[] = []) {
      const result = await q.query<T>(sql, params as unknown[])
      return result.rows
    },
  })
  const self = wrap(pg)
  return {
    engine: 'pglite',
    query: self.query,
    transaction: async (fn) => pg.transaction(async (tx) => fn(wrap(tx))),
    close: async () => { await pg.close(); await unlock() },
  }
}
