import { chmod, mkdir, open, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PGlite, types } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { pg_trgm as pgTrgm } from '@electric-sql/pglite/contrib/pg_trgm'
import type { Database, Queryable } from './types.ts'
import { lockDataDir } from './lock.ts'

/**
 * The embedded engine: PostgreSQL compiled to WebAssembly, in this process, with pgvector and
 * pg_trgm (text search indexes).
 * PGlite has one connection, so it serialises transactions itself; queries outside a transaction
 * wait for the transaction in progress.
 */
/** The extensions Hearth's schema needs, for every PGlite it opens (a restore's check too). */
export const pgliteExtensions = { vector, pg_trgm: pgTrgm }

export async function openPglite (dataDir: string | undefined): Promise<Database> {
  let unlock = async () => {}
  if (dataDir !== undefined) {
    // Only Hearth may read its database (PGlite creates its files world-readable).
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    await chmod(dataDir, 0o700)
    unlock = await lockDataDir(dataDir)
  }
  const pg = await PGlite.create({
    dataDir,
    // A small buffer pool for a NAS (PGlite's default is 128 MB). fsync stays as PGlite sets it:
    // its file system layer ignores fsync either way, so syncWal() below does it from Node.
    startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'wal_buffers=1MB'],
    extensions: pgliteExtensions,
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
    async transaction (fn) {
      const result = await pg.transaction(async (tx) => fn(wrap(tx)))
      // A committed transaction is durable once its WAL is on disk, as PostgreSQL does at COMMIT.
      if (dataDir !== undefined) await syncWal(dataDir)
      return result
    },
    async backup (file) {
      // A checkpoint first, so that a restore replays little WAL; then the folder is copied while
      // no transaction runs (holding PGlite's transaction lock, between its queries).
      await pg.query('CHECKPOINT')
      const blob = await pg.transaction(async () => pg.dumpDataDir('gzip'))
      await writeFile(file, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 })
    },
    close: async () => { await pg.close(); await unlock() },
  }
}

/**
 * Flushes PGlite's write-ahead log to disk. PGlite runs PostgreSQL on an Emscripten file system
 * whose fsync does nothing, so without this a power cut could lose transactions it reported
 * committed. The newest WAL segment (two, right after a switch) holds every recent commit.
 */
async function syncWal (dataDir: string) {
  const walDir = join(dataDir, 'pg_wal')
  const names = (await readdir(walDir)).filter((n) => /^[0-9A-F]{24}$/.test(n))
  const withTimes = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(walDir, n))).mtimeMs })))
  for (const { n } of withTimes.sort((a, b) => b.t - a.t).slice(0, 2)) {
    const fh = await open(join(walDir, n), 'r')
    try { await fh.datasync() } finally { await fh.close() }
  }
}
