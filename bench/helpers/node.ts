/**
 * What the HTTP benchmarks share: a fresh Hearth node on either engine (a scratch PostgreSQL
 * database when a URL is given), signed up, torn down after; and p50/p95 timing.
 *
 * @example
 * await withBenchNode('timeline', process.env.BENCH_DATABASE_URL, async ({ node, client, me, userId }) => { ... })
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../node/config/load.ts'
import { createNode } from '../../node/index.ts'
import { createLogger } from '../../node/observability/log.ts'
import { createClient, type Session } from '../../test/helpers/client.ts'
import { createScratchDatabase } from '../../test/helpers/pg-database.ts'

export const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!

/** Runs `fn` `n` times, one after another; its p50 and p95 in ms. */
export async function time (n: number, fn: (i: number) => unknown): Promise<{ p50: number, p95: number }> {
  const out: number[] = []
  for (let i = 0; i < n; i++) { const t = performance.now(); await fn(i); out.push(performance.now() - t) }
  return { p50: pct(out, 0.5), p95: pct(out, 0.95) }
}

export interface BenchNode {
  node: Awaited<ReturnType<typeof createNode>>
  client: ReturnType<typeof createClient>
  /** The admin's session. */
  me: Session
  /** The admin's user id. */
  userId: string
}

/** A started node (PGlite, or PostgreSQL at `databaseUrl`) with an admin signed up, for `fn`; then gone. */
export async function withBenchNode<T> (name: string, databaseUrl: string | undefined, fn: (b: BenchNode) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `hearth-bench-${name}-`))
  const scratch = databaseUrl !== undefined ? await createScratchDatabase(databaseUrl, 'hearth_bench') : undefined
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_PORT: '0', HEARTH_HOST: '127.0.0.1', HEARTH_LOG_LEVEL: 'silent', ...(scratch && { DATABASE_URL: scratch.url }) })
  const node = await createNode(config, { log: createLogger({ level: 'silent', format: 'json' }) })
  await node.start()
  try {
    const client = createClient(node.url)
    const me = await client.signUpAdmin()
    const [{ id }] = await node.db.query<{ id: string }>('SELECT id FROM users LIMIT 1')
    return await fn({ node, client, me, userId: id! })
  } finally {
    await node.stop()
    await scratch?.drop()
    await rm(dir, { recursive: true, force: true })
  }
}
