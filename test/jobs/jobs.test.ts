import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { openDatabase, type Database } from '../../node/db/index.ts'
import { createJobService, PermanentJobError } from '../../node/jobs/service.ts'
import { createJobRepo } from '../../node/jobs/repo.ts'
import { engines, freshPostgresDatabase } from '../helpers/engines.ts'

const log = pino({ level: 'silent' })

for (const engine of engines) {
  describe(`[${engine}] durable jobs`, () => {
    let db: Database
    let cleanup: () => Promise<void>
    before(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hearth-jobs-'))
      const pg = engine === 'postgres' ? await freshPostgresDatabase() : undefined
      db = await openDatabase({ url: pg?.url, dataDir: join(dir, 'db') })
      cleanup = async () => { await db.close(); await pg?.drop(); await rm(dir, { recursive: true, force: true }) }
    })
    after(async () => { await cleanup() })

    test('runs jobs, retries failures with backoff, fails for good after max attempts, and dedupes', async () => {
      const jobs = createJobService({ db, log, pollMs: 50, backoffMs: 20, concurrency: { metadataExtraction: 2 } })
      const seen: string[] = []
      const tries = new Map<string, number>()
      jobs.register('metadataExtraction', async (job) => {
        const id = job.payload.id as string
        tries.set(id, (tries.get(id) ?? 0) + 1)
        if (id === 'flaky' && tries.get(id)! < 3) throw new Error('temporary trouble')
        if (id === 'broken') throw new Error('always broken')
        if (id === 'corrupt') throw new PermanentJobError('the file is truncated')
        seen.push(id)
      })
      await jobs.start()
      try {
        const n = await jobs.enqueue(
          { queue: 'metadataExtraction', name: 'x', payload: { id: 'a' }, dedupeKey: 'a' },
          { queue: 'metadataExtraction', name: 'x', payload: { id: 'a' }, dedupeKey: 'a' },
          { queue: 'metadataExtraction', name: 'x', payload: { id: 'flaky' } },
          { queue: 'metadataExtraction', name: 'x', payload: { id: 'broken' }, maxAttempts: 2 },
          { queue: 'metadataExtraction', name: 'x', payload: { id: 'corrupt' } },
        )
        assert.equal(n, 4, 'the duplicate key was not enqueued twice')
        await jobs.drained(['metadataExtraction'])
        // Retries wait in the future (delayed): wait until only failures and completions remain.
        for (let i = 0; i < 100; i++) {
          const s = (await jobs.status()).metadataExtraction.jobCounts
          if (s.waiting + s.delayed + s.active === 0) break
          await new Promise((ok) => setTimeout(ok, 50))
        }
        assert.deepEqual(seen.sort(), ['a', 'flaky'])
        assert.equal(tries.get('flaky'), 3)
        assert.equal(tries.get('broken'), 2)
        assert.equal(tries.get('corrupt'), 1, 'a permanent error is not retried')
        const status = (await jobs.status()).metadataExtraction
        assert.deepEqual(status.jobCounts, { active: 0, completed: 2, failed: 2, delayed: 0, waiting: 0, paused: 0 })
        const failed = await jobs.repo.failedOf('metadataExtraction')
        assert.deepEqual(failed.map((f) => f.last_error).sort(), ['always broken', 'the file is truncated'])
        assert.equal(await jobs.repo.clear('metadataExtraction', 'failed'), 2)
      } finally {
        await jobs.stop()
      }
    })

    test('a paused queue holds its jobs; on resume the higher priority runs first', async () => {
      const jobs = createJobService({ db, log, pollMs: 50, concurrency: { thumbnailGeneration: 1 } })
      const order: string[] = []
      jobs.register('thumbnailGeneration', async (job) => { order.push(job.payload.id as string) })
      await jobs.pause('thumbnailGeneration')
      await jobs.start()
      try {
        await jobs.enqueue({ queue: 'thumbnailGeneration', name: 't', payload: { id: 'backlog-1' }, priority: -10 })
        await jobs.enqueue({ queue: 'thumbnailGeneration', name: 't', payload: { id: 'backlog-2' }, priority: -10 })
        await jobs.enqueue({ queue: 'thumbnailGeneration', name: 't', payload: { id: 'fresh-upload' }, priority: 10 })
        await new Promise((ok) => setTimeout(ok, 200))
        assert.deepEqual(order, [], 'nothing runs while paused')
        const s = (await jobs.status()).thumbnailGeneration
        assert.equal(s.queueStatus.isPaused, true)
        assert.equal(s.jobCounts.paused, 3)
        await jobs.resume('thumbnailGeneration')
        await jobs.drained(['thumbnailGeneration'])
        assert.deepEqual(order, ['fresh-upload', 'backlog-1', 'backlog-2'])
      } finally {
        await jobs.stop()
      }
    })

    test('afterRunning, in one batch: a job whose twin runs is queued after it, once; one whose twin waits joins it; one without a twin goes in', async () => {
      const repo = createJobRepo(db)
      const [running] = await db.query<{ id: string }>(
        `INSERT INTO jobs (queue, name, payload, dedupe_key, status, locked_at) VALUES ('sidecar', 's', '{}', 'busy', 'active', now()) RETURNING id`)
      await db.query(`INSERT INTO jobs (queue, name, payload, dedupe_key) VALUES ('sidecar', 's', '{}', 'queued')`)
      try {
        const job = (dedupeKey: string) => ({ queue: 'sidecar' as const, name: 's', dedupeKey, afterRunning: true })
        assert.equal(await repo.insert([job('busy'), job('queued'), job('fresh'), job('busy'), job('fresh')]), 2)
        assert.equal(await repo.insert([job('busy')]), 0, 'already queued after the running one')
        const keys = await db.query<{ dedupe_key: string, status: string }>(`SELECT dedupe_key, status FROM jobs WHERE queue = 'sidecar' ORDER BY dedupe_key`)
        assert.deepEqual(keys.map((k) => `${k.dedupe_key} ${k.status}`),
          ['busy active', `busy:after:${running!.id} waiting`, 'fresh waiting', 'queued waiting'])
      } finally {
        await db.query(`DELETE FROM jobs WHERE queue = 'sidecar'`)
      }
    })

    test('a job left active by a crash runs again at the next start; stop requeues what it interrupts', async () => {
      await db.query(`INSERT INTO jobs (queue, name, payload, status, attempts, locked_at) VALUES ('videoConversion', 'v', '{"id":"orphan"}', 'active', 1, now())`)
      const jobs = createJobService({ db, log, pollMs: 50 })
      const ran: string[] = []
      let release: (() => void) | undefined
      jobs.register('videoConversion', async (job, { signal }) => {
        ran.push(job.payload.id as string)
        if (job.payload.id === 'long') {
          await new Promise<void>((ok, fail) => {
            release = ok
            signal.addEventListener('abort', () => fail(new Error('aborted')), { once: true })
          })
        }
      })
      await jobs.start()
      await jobs.drained(['videoConversion'])
      assert.deepEqual(ran, ['orphan'])
      await jobs.enqueue({ queue: 'videoConversion', name: 'v', payload: { id: 'long' } })
      for (let i = 0; i < 100 && !ran.includes('long'); i++) await new Promise((ok) => setTimeout(ok, 20))
      assert.ok(release !== undefined)
      await jobs.stop(100)
      const [row] = await db.query<{ status: string, attempts: number }>(`SELECT status, attempts FROM jobs WHERE payload->>'id' = 'long'`)
      assert.deepEqual(row, { status: 'waiting', attempts: 0 }, 'interrupted by shutdown: waiting again, not counted as a failure')
      const again = createJobService({ db, log, pollMs: 50 })
      again.register('videoConversion', async (job) => { ran.push(`${job.payload.id as string}-again`) })
      await again.start()
      await again.drained(['videoConversion'])
      await again.stop()
      assert.deepEqual(ran, ['orphan', 'long', 'long-again'])
    })

    test('a gate that closes while a claim is in flight: the claimed job it holds back goes back to waiting, unrun', async () => {
      // The first claim is held until the gate has closed and a backlog job has been inserted, as
      // when a claim waits for a pool connection at the moment the ML window closes.
      let holdClaim: (() => void) | undefined
      let claimHeld: (() => void) | undefined
      const claimStarted = new Promise<void>((ok) => { claimHeld = ok })
      const slow: Database = {
        ...db,
        query: async <T = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => {
          if (sql.includes("SET status = 'active'") && holdClaim === undefined) {
            await new Promise<void>((ok) => { holdClaim = ok; claimHeld!() })
          }
          return db.query<T>(sql, params)
        },
      }
      const jobs = createJobService({ db: slow, log, pollMs: 30 })
      const ran: string[] = []
      jobs.register('smartSearch', async (job) => { ran.push(job.payload.id as string) })
      await jobs.start()
      try {
        await claimStarted
        jobs.setGate('smartSearch', { minPriority: 10 })
        await db.query("INSERT INTO jobs (queue, name, payload, priority) VALUES ('smartSearch', 's', '{\"id\":\"backlog\"}', 0)")
        holdClaim!()
        await new Promise((ok) => setTimeout(ok, 300))
        assert.deepEqual(ran, [], 'the held-back job did not run')
        const [row] = await db.query<{ status: string, attempts: number }>("SELECT status, attempts FROM jobs WHERE payload->>'id' = 'backlog'")
        assert.deepEqual(row, { status: 'waiting', attempts: 0 })
        jobs.setGate('smartSearch', undefined)
        await jobs.drained(['smartSearch'])
        assert.deepEqual(ran, ['backlog'], 'it runs once the gate opens')
      } finally {
        await jobs.stop()
      }
    })
  })
}
