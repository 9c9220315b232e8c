/**
 * The overnight window for the ML backlog. Outside it, the ML queues are gated (node/jobs
 * `setGate`): only interactive jobs (a new upload's ML) are claimed, a few at a time; inside it
 * (or while an admin's "run now" lasts) every job is, at the queues' full concurrency, and the
 * backlog of every stage is enqueued. node-cron opens and closes it at the window's edges; a
 * minute tick ends a "run now" whose time is up or whose backlog is empty.
 *
 * @example
 * const window = createMlWindow({ jobs, queues: mlQueues, settings: () => current, onOpen: () => ml.enqueueMissing(), ... })
 * window.start()                 // applies the gate now and schedules the edges
 * isBacklogOpen(w, new Date())   // the pure decision, for tests with any clock
 */
import cron, { type ScheduledTask } from 'node-cron'
import type { Logger } from 'pino'
import type { JobService } from '../jobs/service.ts'
import { priority, type QueueName } from '../jobs/queues.ts'
import type { MlSettings, MlWindow } from './settings.ts'

const seconds = (t: string) => { const [h, m, s] = t.split(':').map(Number); return h! * 3600 + m! * 60 + (s ?? 0) }

/** Whether local time `now` is inside the window [start, end); it may cross midnight; start == end: always. */
export function inWindow (w: Pick<MlWindow, 'start' | 'end'>, now: Date): boolean {
  const s = seconds(w.start)
  const e = seconds(w.end)
  const n = now.getHours() * 3600 + now.getMinutes() * 60 + now.getSeconds()
  if (s === e) return true
  return s < e ? n >= s && n < e : n >= s || n < e
}

export type BacklogState = { open: true, reason: 'window' | 'run-now' } | { open: false, reason: 'paused' | 'outside-window' }

/** Whether the backlog may run at `now`: paused holds it; a "run now" that has not expired opens it; else the window decides. */
export function isBacklogOpen (w: MlWindow, now: Date): BacklogState {
  if (w.paused) return { open: false, reason: 'paused' }
  if (w.runNow !== null && (w.runNow.until === null || new Date(w.runNow.until).getTime() > now.getTime())) return { open: true, reason: 'run-now' }
  return inWindow(w, now) ? { open: true, reason: 'window' } : { open: false, reason: 'outside-window' }
}

/** node-cron's expression for a local time of day (`HH:MM[:SS]`). */
export function cronAt (t: string): string {
  const [h, m, s] = t.split(':').map(Number)
  return `${s ?? 0} ${m} ${h} * * *`
}

export function createMlWindow ({ jobs, queues, settings, onOpen, backlogEmpty, saveWindow, log, now = () => new Date(), tickMs = 60_000 }: {
  jobs: Pick<JobService, 'setGate' | 'limits'>
  queues: readonly QueueName[]
  settings: () => MlSettings
  /** Called when the backlog opens (queue every stage's backlog). */
  onOpen: () => Promise<unknown>
  /** Whether no backlog job waits in the ML queues (ends a "run now" until empty). */
  backlogEmpty: () => Promise<boolean>
  saveWindow: (w: MlWindow) => Promise<void>
  log: Logger
  now?: () => Date
  tickMs?: number
}) {
  let tasks: ScheduledTask[] = []
  let ticker: NodeJS.Timeout | undefined
  let state: BacklogState | undefined
  let scheduled = ''

  function gate (open: boolean) {
    const s = settings()
    for (const q of queues) {
      const full = Math.min(jobs.limits[q], s.job[q as keyof MlSettings['job']]?.concurrency ?? jobs.limits[q])
      jobs.setGate(q, open
        ? { concurrency: full }
        : { minPriority: priority.interactive, concurrency: Math.min(full, s.hearth.mlWindow.outsideConcurrency) })
    }
  }

  const window = {
    /** Re-decides now: sets the gates, and queues the backlog when it has just opened. */
    async apply (): Promise<BacklogState> {
      const w = settings().hearth.mlWindow
      const next = isBacklogOpen(w, now())
      const opened = next.open && state?.open !== true
      if (state === undefined || state.open !== next.open || state.reason !== next.reason) log.info({ backlog: next.open ? 'open' : 'held', reason: next.reason }, 'ML backlog window')
      state = next
      try {
        // The backlog is queued while the gates still hold it, then they open: queued with the
        // gates open, an asset's job could finish between the backlog's "not done yet" read and
        // its insert, and be queued (and claimed, for nothing) a second time.
        if (opened) { gate(false); await onOpen() }
      } finally {
        gate(next.open)
      }
      return next
    },

    /** The edges of the window as node-cron schedules (again after the window changes). */
    schedule () {
      const w = settings().hearth.mlWindow
      const key = `${w.start}-${w.end}`
      if (key === scheduled && tasks.length > 0) return
      for (const t of tasks) void t.destroy()
      scheduled = key
      const run = () => { window.apply().catch((err: unknown) => log.error({ err }, 'could not apply the ML window')) }
      tasks = [cron.schedule(cronAt(w.start), run, { name: 'ml-window-open' }), cron.schedule(cronAt(w.end), run, { name: 'ml-window-close' })]
    },

    /** Ends a "run now" whose time is up, or whose backlog is empty. */
    async tick () {
      const w = settings().hearth.mlWindow
      if (w.runNow !== null) {
        const expired = w.runNow.until !== null && new Date(w.runNow.until).getTime() <= now().getTime()
        if (expired || (w.runNow.untilEmpty && await backlogEmpty())) {
          log.info({ reason: expired ? 'time is up' : 'backlog empty' }, 'ML "run now" ended')
          await saveWindow({ ...w, runNow: null })
        }
      }
      return window.apply()
    },

    state: () => state,

    async start () {
      window.schedule()
      await window.apply()
      ticker = setInterval(() => { window.tick().catch((err: unknown) => log.error({ err }, 'ML window tick failed')) }, tickMs).unref()
    },

    async stop () {
      clearInterval(ticker)
      for (const t of tasks) await t.destroy()
      tasks = []
      scheduled = ''
    },
  }
  return window
}

export type MlWindowScheduler = ReturnType<typeof createMlWindow>
