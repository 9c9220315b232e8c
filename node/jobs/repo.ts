import type { Queryable } from '../db/index.ts'

export interface JobRow {
  id: number
  queue: string
  name: string
  payload: Record<string, unknown>
  dedupe_key: string | null
  priority: number
  status: 'waiting' | 'active' | 'completed' | 'failed'
  attempts: number
  max_attempts: number
  run_at: Date
  last_error: string | null
}

export interface NewJob {
  queue: string
  name: string
  payload?: Record<string, unknown>
  dedupeKey?: string
  priority?: number
  maxAttempts?: number
  delayMs?: number
  /**
   * With a `dedupeKey`: when a job with that key is running, this one is queued after it (once per
   * running job) instead of being folded into it, for work whose input may have changed after the
   * running job read it. A waiting twin still takes it in.
   */
  afterRunning?: boolean
}

/** Inserts the jobs, each folded into a waiting or running twin with its key; the new ones' queue and key. */
async function insertRows (jobs: NewJob[], q: Queryable): Promise<Array<{ queue: string, dedupe_key: string | null }>> {
  if (jobs.length === 0) return []
  const rows = await q.query(
    `INSERT INTO jobs (queue, name, payload, dedupe_key, priority, max_attempts, run_at)
     SELECT j.queue, j.name, j.payload, j.dedupe_key, j.priority, j.max_attempts, now() + make_interval(secs => j.delay_s)
     FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::int[], $6::int[], $7::float8[])
       AS j(queue, name, payload, dedupe_key, priority, max_attempts, delay_s)
     ON CONFLICT (queue, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('waiting', 'active') DO NOTHING
     RETURNING queue, dedupe_key`,
    [
      jobs.map((j) => j.queue), jobs.map((j) => j.name), jobs.map((j) => JSON.stringify(j.payload ?? {})),
      jobs.map((j) => j.dedupeKey ?? null), jobs.map((j) => j.priority ?? 0), jobs.map((j) => j.maxAttempts ?? 3),
      jobs.map((j) => (j.delayMs ?? 0) / 1000),
    ])
  return rows as Array<{ queue: string, dedupe_key: string | null }>
}

/** The jobs table: hand-written SQL that runs the same on PGlite and PostgreSQL. */
export function createJobRepo (db: Queryable) {
  return {
    async insert (jobs: NewJob[], q: Queryable = db): Promise<number> {
      const after = (j: NewJob) => j.afterRunning === true && j.dedupeKey !== undefined
      let n = (await insertRows(jobs.filter((j) => !after(j)), q)).length
      // Those queued after a running twin, in batches (a rescan may find thousands of changed files).
      const key = (queue: string, dedupeKey: string | null | undefined) => `${queue}\0${dedupeKey ?? ''}`
      let pending = jobs.filter(after)
      for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
        const inserted = new Set((await insertRows(pending, q)).map((r) => key(r.queue, r.dedupe_key)))
        n += inserted.size
        const folded = pending.filter((j) => !inserted.has(key(j.queue, j.dedupeKey)))
        if (folded.length === 0) break
        const twins = new Map((await q.query<{ queue: string, dedupe_key: string, id: string, status: string }>(
          `SELECT j.queue, j.dedupe_key, j.id, j.status FROM jobs j JOIN unnest($1::text[], $2::text[]) AS t(queue, dedupe_key)
             ON j.queue = t.queue AND j.dedupe_key = t.dedupe_key
           WHERE j.status IN ('waiting', 'active')`,
          [folded.map((j) => j.queue), folded.map((j) => j.dedupeKey!)])).map((t) => [key(t.queue, t.dedupe_key), t]))
        // A waiting twin takes it in; a running one gets it queued after it (once per running job).
        const behind = folded.flatMap((j) => {
          const twin = twins.get(key(j.queue, j.dedupeKey))
          return twin?.status === 'active' ? [{ ...j, dedupeKey: `${j.dedupeKey!}:after:${twin.id}` }] : []
        })
        n += (await insertRows(behind, q)).length
        // The twin finished in between: insert again.
        pending = folded.filter((j) => !twins.has(key(j.queue, j.dedupeKey)))
      }
      return n
    },
    /**
     * Takes the next ready job of a queue, highest priority first; none when the queue is paused.
     * With `minPriority`, only jobs at least that urgent (a gated queue outside its window).
     */
    async claim (queue: string, minPriority?: number): Promise<JobRow | undefined> {
      const [row] = await db.query<JobRow>(
        `UPDATE jobs SET status = 'active', locked_at = now(), attempts = attempts + 1, updated_at = now()
         WHERE id = (
           SELECT id FROM jobs
           WHERE queue = $1 AND status = 'waiting' AND run_at <= now()
             AND ($2::int IS NULL OR priority >= $2::int)
             AND NOT EXISTS (SELECT 1 FROM job_queues p WHERE p.queue = $1 AND p.paused)
           ORDER BY priority DESC, run_at, id
           FOR UPDATE SKIP LOCKED
           LIMIT 1)
         RETURNING id, queue, name, payload, dedupe_key, priority, status, attempts, max_attempts, run_at, last_error`,
        [queue, minPriority ?? null])
      return row
    },
    /** Gives back a job claimed but not started: waiting again, its attempt not counted. */
    async unclaim (id: number) {
      await db.query(`UPDATE jobs SET status = 'waiting', attempts = GREATEST(attempts - 1, 0), locked_at = NULL, updated_at = now() WHERE id = $1 AND status = 'active'`, [id])
    },
    async complete (id: number) {
      await db.query(`UPDATE jobs SET status = 'completed', finished_at = now(), updated_at = now(), progress = 1, locked_at = NULL WHERE id = $1`, [id])
    },
    async retryLater (id: number, error: string, delayMs: number) {
      await db.query(
        `UPDATE jobs SET status = 'waiting', last_error = $2, run_at = now() + make_interval(secs => $3::float8), locked_at = NULL, updated_at = now() WHERE id = $1`,
        [id, error, delayMs / 1000])
    },
    async fail (id: number, error: string) {
      await db.query(`UPDATE jobs SET status = 'failed', last_error = $2, finished_at = now(), locked_at = NULL, updated_at = now() WHERE id = $1`, [id, error])
    },
    async progress (id: number, fraction: number) {
      await db.query('UPDATE jobs SET progress = $2, updated_at = now() WHERE id = $1', [id, fraction])
    },
    /** Jobs a crash left active go back to waiting (one node per database). */
    async requeueActive (): Promise<number> {
      return (await db.query(`UPDATE jobs SET status = 'waiting', locked_at = NULL, updated_at = now() WHERE status = 'active' RETURNING id`)).length
    },
    async counts (): Promise<Array<{ queue: string, status: string, delayed: boolean, n: number }>> {
      return db.query(
        `SELECT queue, status, (status = 'waiting' AND run_at > now()) AS delayed, count(*)::int AS n
         FROM jobs GROUP BY queue, status, (status = 'waiting' AND run_at > now())`)
    },
    async pausedQueues (): Promise<string[]> {
      return (await db.query<{ queue: string }>('SELECT queue FROM job_queues WHERE paused')).map((r) => r.queue)
    },
    async setPaused (queue: string, paused: boolean) {
      await db.query(
        `INSERT INTO job_queues (queue, paused) VALUES ($1, $2)
         ON CONFLICT (queue) DO UPDATE SET paused = $2, updated_at = now()`, [queue, paused])
    },
    async clear (queue: string, status: 'failed' | 'waiting'): Promise<number> {
      return (await db.query('DELETE FROM jobs WHERE queue = $1 AND status = $2 RETURNING id', [queue, status])).length
    },
    async retryFailed (queue: string): Promise<number> {
      return (await db.query(
        `UPDATE jobs SET status = 'waiting', attempts = 0, run_at = now(), finished_at = NULL, updated_at = now()
         WHERE queue = $1 AND status = 'failed' RETURNING id`, [queue])).length
    },
    async pruneCompleted (olderThanMs: number): Promise<number> {
      return (await db.query(
        `DELETE FROM jobs WHERE status = 'completed' AND finished_at < now() - make_interval(secs => $1::float8) RETURNING id`,
        [olderThanMs / 1000])).length
    },
    async failedOf (queue: string, limit = 50): Promise<JobRow[]> {
      return db.query<JobRow>(
        `SELECT id, queue, name, payload, dedupe_key, priority, status, attempts, max_attempts, run_at, last_error
         FROM jobs WHERE queue = $1 AND status = 'failed' ORDER BY finished_at DESC LIMIT $2`, [queue, limit])
    },
  }
}

export type JobRepo = ReturnType<typeof createJobRepo>
