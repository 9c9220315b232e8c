/**
 * A real Hearth node in this process, on a temporary data folder, a free port and the chosen
 * engine. For tests that need a separate process (kill -9, SIGTERM) see process.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../node/config/load.ts'
import { createNode, type HearthNode, type NodeOptions } from '../../node/index.ts'
import type { Logger } from 'pino'
import { createLogger } from '../../node/observability/log.ts'
import { databaseEnv, type Engine } from './engines.ts'
import { createClient, type Client } from './client.ts'
import { seedPglite } from './pglite-template.ts'

export interface TestNode {
  node: HearthNode
  url: string
  dataDir: string
  client: Client
  stop(): Promise<void>
}

export async function startTestNode (engine: Engine, env: Record<string, string> = {}, { dataDir, log, modules, jobConcurrency }: { dataDir?: string, log?: Logger } & Pick<NodeOptions, 'modules' | 'jobConcurrency'> = {}): Promise<TestNode> {
  const dir = dataDir ?? await mkdtemp(join(tmpdir(), 'hearth-test-'))
  const db = await databaseEnv(engine)
  // A fresh PGlite starts from a migrated copy (pglite-template.ts), not from its initdb.
  if (engine === 'pglite' && (env.DATABASE_URL ?? db.env.DATABASE_URL) === undefined) await seedPglite(join(dir, 'db'))
  const config = loadConfig({
    HEARTH_DATA_DIR: dir, HEARTH_PORT: '0', HEARTH_HOST: '127.0.0.1', HEARTH_MIN_FREE_SPACE: '0',
    HEARTH_LOG_LEVEL: process.env.HEARTH_TEST_LOG_LEVEL ?? 'silent', ...db.env, ...env,
  })
  // HEARTH_PORT=0 is refused by the schema for users; tests ask the OS for a free port instead.
  const node = await createNode(config, { log: log ?? createLogger({ level: config.HEARTH_LOG_LEVEL, format: 'json' }), modules, jobConcurrency })
  await node.start()
  return {
    node,
    url: node.url,
    dataDir: dir,
    client: createClient(node.url),
    async stop () {
      await node.stop()
      await db.cleanup()
      if (dataDir === undefined) await rm(dir, { recursive: true, force: true })
    },
  }
}
