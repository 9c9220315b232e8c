/**
 * Durable jobs in the database, on both engines: per-queue workers, retries with backoff,
 * priorities, progress, pause and resume, and recovery of jobs a crash left running.
 *
 * No job library runs on PGlite (graphile-worker and pg-boss need a PostgreSQL server with
 * LISTEN/NOTIFY and several connections), so this is the small part Hearth writes itself: claims use
 * `FOR UPDATE SKIP LOCKED`, and workers in this process are woken directly when work is enqueued.
 *
 * @example
 * const jobs = createJobService({ db, log })
 * jobs.register('metadataExtraction', async (job, { signal }) => { ... })
 * await jobs.enqueue({ queue: 'metadataExtraction', name: 'extract', payload: { assetId }, dedupeKey: assetId })
 * jobs.start()
 */
import type { Logger } from 'pino'
import type { Database } from '../db/index.ts'
import { requestScope } from '../http/context.ts'
import { createJobRepo, type JobRow, type NewJob } from './repo.ts'
import { defaultConcurrency, queueNames, type QueueName } from './queues.ts'

export interface JobContext {
  signal: AbortSignal
  /** Reports progress (0..1); written at most once a second. */
  progress(fraction: number): void
  log: Logger
}

export type JobHandler = (job: JobRow, ctx: JobContext) => Promise<void>

/** Thrown by a handler when retrying cannot help (a corrupt file): the job fails at once. */
export class PermanentJobError extends Error {
  constructor (message: string) { super(message); this.name = 'PermanentJobError' }
}

/**
 * A queue's gate: outside its window a queue runs only urgent work, and fewer at a time (the ML
 * backlog waits for the night while a new upload's ML runs at once). No gate: everything, at the
 * queue's full concurrency.
 */
export interface QueueGate {
  /** Only jobs with at least this priority are claimed. */
  minPriority?: number
  /** At most this many jobs of the queue run at once (never more than the queue's workers). */
  concurrency?: number
}

export interface QueueStatus {
  jobCounts: { active: number, completed: number, failed: number, delayed: number, waiting: number, paused: number }
  queueStatus: { isActive: boolean, isPaused: boolean }
}

export function createJobService ({ db, log, concurrency = {}, pollMs = 2000, backoffMs = 5000 }: {
  db: Database, log: Logger, concurrency?: Partial<Record<QueueName, number>>, pollMs?: number, backoffMs?: number
}) {
  const repo = createJobRepo(db)
  const limits = { ...defaultConcurrency(), ...concurrency }
  const handlers = new Map<string, JobHandler>()
  const wakers = new Map<string, Set<() => void>>()
  const active = new Map<number, AbortController>()
  const idleWaiters = new Set<() => void>()
  let running = false
  let stopController = new AbortController()
  const loops: Array<Promise<void>> = []
  let pruneTimer: NodeJS.Timeout | undefined

  const paused = new Set<string>()
  const gates = new Map<string, QueueGate>()
  /** Jobs of each queue being claimed or run by this process (what a gate's concurrency caps). */
  const busy = new Map<string, number>()
  /** Wakes up to `count` idle workers of a queue (each then claims one job), none while it is paused. */
  const wake = (queue: string, count = Number.POSITIVE_INFINITY) => {
    if (paused.has(queue)) return
    let left = count
    for (const w of [...(wakers.get(queue) ?? [])]) { if (left-- <= 0) break; w() }
  }

  const sleep = (queue: string, ms: number) => new Promise<void>((resolve) => {
    const set = wakers.get(queue) ?? new Set()
    wakers.set(queue, set)
    const done = () => { clearTimeout(timer); set.delete(done); resolve() }
    const timer = setTimeout(done, ms)
    set.add(done)
    stopController.signal.addEventListener('abort', done, { once: true })
  })

  async function runOne (job: JobRow) {
    const handler = handlers.get(job.queue)
    const controller = new AbortController()
    active.set(job.id, controller)
    const jobLog = log.child({ jobId: job.id, queue: job.queue, job: job.name })
    let lastProgress = 0
    try {
      if (handler === undefined) throw new PermanentJobError(`No handler for queue ${job.queue}`)
      await requestScope.run({ requestId: `job-${job.id}`, log: jobLog }, () => handler(job, {
        signal: controller.signal,
        log: jobLog,
        progress: (fraction) => {
          if (Date.now() - lastProgress < 1000) return
          lastProgress = Date.now()
          repo.progress(job.id, fraction).catch(() => {})
        },
      }))
      await repo.complete(job.id)
    } catch (err) {
      const message = (err as Error).message ?? String(err)
      if (controller.signal.aborted && !running) {
        // Stopped by shutdown: it runs again at the next start, without counting as a failure.
        await db.query(`UPDATE jobs SET status = 'waiting', attempts = greatest(0, attempts - 1), locked_at = NULL WHERE id = $1`, [job.id]).catch(() => {})
      } else if (err instanceof PermanentJobError || job.attempts >= job.max_attempts) {
        jobLog.warn({ err: message, attempts: job.attempts }, 'job failed')
        await repo.fail(job.id, message)
      } else {
        const delay = backoffMs * 2 ** (job.attempts - 1)
        jobLog.info({ err: message, attempts: job.attempts, retryInMs: delay }, 'job will be retried')
        await repo.retryLater(job.id, message, delay)
      }
    } finally {
      active.delete(job.id)
      if (active.size === 0) for (const w of idleWaiters) w()
    }
  }

  async function workerLoop (queue: QueueName) {
    while (running) {
      const gate = gates.get(queue)
      if (gate?.concurrency !== undefined && (busy.get(queue) ?? 0) >= gate.concurrency) { await sleep(queue, pollMs); continue }
      busy.set(queue, (busy.get(queue) ?? 0) + 1)
      try {
        let job: JobRow | undefined
        try {
          job = await repo.claim(queue, gate?.minPriority)
        } catch (err) {
          if (!running) return
          log.error({ err, queue }, 'could not claim a job')
          await sleep(queue, pollMs)
          continue
        }
        if (job === undefined) { await sleep(queue, pollMs); continue }
        // The gate may have closed while the claim waited for a connection (the window closing as
        // a worker claims): a job it now holds back goes back to waiting, untouched.
        const now = gates.get(queue)
        if (now?.minPriority !== undefined && job.priority < now.minPriority) {
          await repo.unclaim(job.id)
          continue
        }
        await runOne(job)
      } finally {
        busy.set(queue, (busy.get(queue) ?? 1) - 1)
      }
    }
  }

  return {
    repo,
    limits,

    register (queue: QueueName, handler: JobHandler) {
      handlers.set(queue, handler)
    },

    async enqueue (...jobs: NewJob[]): Promise<number> {
      const n = await repo.insert(jobs)
      const perQueue = new Map<string, number>()
      for (const j of jobs) perQueue.set(j.queue, (perQueue.get(j.queue) ?? 0) + 1)
      for (const [q, count] of perQueue) wake(q, count)
      return n
    },

    async start () {
      if (running) return
      for (const q of await repo.pausedQueues()) paused.add(q)
      const requeued = await repo.requeueActive()
      if (requeued > 0) log.info({ requeued }, 'picked up jobs a previous run left unfinished')
      running = true
      stopController = new AbortController()
      for (const queue of queueNames) {
        if (!handlers.has(queue)) continue
        for (let i = 0; i < limits[queue]; i++) loops.push(workerLoop(queue))
      }
      const prune = () => { repo.pruneCompleted(86_400_000).catch((err: unknown) => log.warn({ err }, 'pruning jobs failed')) }
      pruneTimer = setInterval(prune, 3_600_000).unref()
    },

    /** Stops claiming; jobs in flight get `graceMs` to finish, then are aborted and requeued. */
    async stop (graceMs = 10_000) {
      if (!running) return
      running = false
      clearInterval(pruneTimer)
      stopController.abort()
      const idle = active.size === 0 ? Promise.resolve() : new Promise<void>((ok) => idleWaiters.add(ok))
      const timeout = new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), graceMs).unref())
      if (await Promise.race([idle, timeout]) === 'timeout') {
        for (const c of active.values()) c.abort()
      }
      await Promise.allSettled(loops)
      loops.length = 0
    },

    /**
     * Resolves when no job is waiting (ready now) or active in these queues: for tests and the CLI.
     * Jobs a gate holds back (backlog outside its window) do not count.
     */
    async drained (queues: readonly QueueName[] = queueNames, { timeoutMs = 120_000 } = {}) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const rows = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM jobs j
           JOIN unnest($1::text[], $2::int[]) AS q(queue, min_priority) ON q.queue = j.queue
           WHERE j.status = 'active' OR (j.status = 'waiting' AND j.run_at <= now() AND (q.min_priority IS NULL OR j.priority >= q.min_priority))`,
          [queues, queues.map((q) => gates.get(q)?.minPriority ?? null)])
        if (rows[0].n === 0) return
        if (Date.now() > deadline) throw new Error(`jobs not drained after ${timeoutMs} ms`)
        await new Promise((ok) => setTimeout(ok, 50))
      }
    },

    /** Immich's GET /api/jobs shape. */
    async status (): Promise<Record<QueueName, QueueStatus>> {
      const paused = new Set(await repo.pausedQueues())
      const out = {} as Record<QueueName, QueueStatus>
      for (const q of queueNames) {
        out[q] = {
          jobCounts: { active: 0, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 0 },
          queueStatus: { isActive: false, isPaused: paused.has(q) },
        }
      }
      for (const row of await repo.counts()) {
        const s = out[row.queue as QueueName]
        if (s === undefined) continue
        if (row.status === 'waiting') {
          if (row.delayed) s.jobCounts.delayed += row.n
          else if (paused.has(row.queue)) s.jobCounts.paused += row.n
          else s.jobCounts.waiting += row.n
        } else {
          s.jobCounts[row.status as 'active' | 'completed' | 'failed'] += row.n
        }
      }
      for (const s of Object.values(out)) s.queueStatus.isActive = s.jobCounts.active > 0
      return out
    },

    /** Wakes this process's workers of a queue (after jobs were inserted in another transaction). */
    wake (queue: QueueName) { wake(queue) },

    /** Sets (or with undefined, lifts) a queue's gate; idle workers re-check at once. Not persisted: its owner sets it at start. */
    setGate (queue: QueueName, gate: QueueGate | undefined) {
      if (gate === undefined) gates.delete(queue)
      else gates.set(queue, { ...gate })
      wake(queue)
    },
    gate (queue: QueueName): QueueGate | undefined { return gates.get(queue) },

    async pause (queue: QueueName) { await repo.setPaused(queue, true); paused.add(queue) },
    async resume (queue: QueueName) { await repo.setPaused(queue, false); paused.delete(queue); wake(queue) },
  }
}

export type JobService = ReturnType<typeof createJobService>
