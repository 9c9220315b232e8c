/**
 * The ML pipeline: runs each ML stage (faces, OCR, CLIP, duplicates... see stage.ts) on every
 * asset once its preview exists, each stage on its Immich queue, and records what ran in
 * `asset_ml_runs` so a re-run does nothing new and a bumped stage version redoes everything.
 *
 * A stage that cannot run (its models are missing) is not enqueued; when it becomes available
 * (after `hearth models fetch`, noticed within a minute, or at the next start) its backlog is
 * enqueued. An error in a stage fails that job (retried by the job system), never the node.
 *
 * @example
 * const ml = createMlService({ db, jobs, log, dataDir, runtime, models })
 * ml.addStage(faceStage({ db, ml }))        // before node.start()
 * await ml.enqueueAsset(assetId, 'interactive')
 * await ml.enqueueMissing()                 // every asset lacking a stage at its current version
 * await ml.startQueue('faceDetection', { force: true })   // Immich's "All": every asset again
 */
import { resolve } from 'node:path'
import type { Logger } from 'pino'
import type { Database } from '../db/index.ts'
import type { JobService } from '../jobs/service.ts'
import { PermanentJobError } from '../jobs/service.ts'
import { priority as priorities, type QueueName } from '../jobs/queues.ts'
import type { ModelRuntime } from './runtime.ts'
import type { ModelStore } from './model-store.ts'
import type { MlAsset, MlStage } from './stage.ts'
import { createMlRepo } from './repo.ts'
import { RemoteUnavailableError, type RemoteMl } from './protocol.ts'
import { createSettingsRepo, defaultMlSettings, parseMlSettings, type MlSettings, type MlWindow } from './settings.ts'
import { createMlWindow } from './window.ts'

export type MlPriority = keyof typeof priorities | number

export const mlQueues = ['faceDetection', 'facialRecognition', 'smartSearch', 'ocr', 'duplicateDetection'] as const satisfies readonly QueueName[]

/** A remote that is never there (no HEARTH_ML_URLS). */
export const noRemote: RemoteMl = {
  available: () => false,
  clip: {
    encodeImage: async () => { throw new RemoteUnavailableError('no remote ML server is configured') },
    encodeText: async () => { throw new RemoteUnavailableError('no remote ML server is configured') },
  },
  faces: { detect: async () => { throw new RemoteUnavailableError('no remote ML server is configured') } },
  ocr: { read: async () => { throw new RemoteUnavailableError('no remote ML server is configured') } },
}

export interface StageStatus {
  name: string, queue: string, version: number, after: string[], available: boolean
  /** Assets with a preview, and how many of them this stage has done at its current version. */
  total: number, done: number
}

/** Which settings switch turns each ML queue's stages off (Immich's machineLearning sections). */
const featureOf = {
  faceDetection: 'facialRecognition', facialRecognition: 'facialRecognition', smartSearch: 'clip', ocr: 'ocr', duplicateDetection: 'duplicateDetection',
} as const

export interface SettingsPatch { machineLearning?: unknown, job?: unknown, hearth?: { mlWindow?: unknown } }

export function createMlService ({ db, jobs, log, dataDir, runtime, models, remote = noRemote, defaults = defaultMlSettings(), now, recheckMs = 60_000, pageSize = 5000 }: {
  db: Database, jobs: JobService, log: Logger, dataDir: string, runtime: ModelRuntime, models: ModelStore, remote?: RemoteMl
  /** Settings before an admin changes any (they follow the environment). */
  defaults?: MlSettings
  /** The clock the overnight window reads (tests). */
  now?: () => Date
  /** How often stages that were unavailable are asked again (their models may have been fetched). */
  recheckMs?: number
  pageSize?: number
}) {
  const repo = createMlRepo(db)
  const settingsRepo = createSettingsRepo(db)
  let current: MlSettings = defaults
  const stages = new Map<string, MlStage>()
  /** What each stage answered last time, to notice one becoming available. */
  const lastAvailable = new Map<string, boolean>()
  let recheckTimer: NodeJS.Timeout | undefined
  let started = false

  const toPriority = (p: MlPriority) => typeof p === 'number' ? p : priorities[p]
  const job = (stage: MlStage, assetId: string, priority: number) =>
    ({ queue: stage.queue, name: stage.name, payload: { assetId, stage: stage.name }, dedupeKey: `${stage.name}:${assetId}`, priority })

  async function isAvailable (stage: MlStage): Promise<boolean> {
    let ok = false
    const s = current.machineLearning
    if (!s.enabled || !s[featureOf[stage.queue]].enabled) { lastAvailable.set(stage.name, false); return false }
    try { ok = await stage.available() } catch (err) { log.warn({ stage: stage.name, err: (err as Error).message }, 'ML stage availability check failed') }
    lastAvailable.set(stage.name, ok)
    return ok
  }

  /** Stages that may run on an asset now: available, not done at their version, prerequisites done. */
  async function runnable (done: Map<string, number>, candidates: Iterable<MlStage>): Promise<MlStage[]> {
    const out: MlStage[] = []
    for (const s of candidates) {
      if (done.get(s.name) === s.version) continue
      if (!(s.after ?? []).every((d) => stages.has(d) && done.get(d) === stages.get(d)!.version)) continue
      if (await isAvailable(s)) out.push(s)
    }
    return out
  }

  /** Every stage that needs `name` first, directly or through another. */
  function dependants (name: string): string[] {
    const out = new Set<string>()
    const visit = (n: string) => {
      for (const s of stages.values()) if ((s.after ?? []).includes(n) && !out.has(s.name)) { out.add(s.name); visit(s.name) }
    }
    visit(name)
    return [...out]
  }

  function toMlAsset (row: NonNullable<Awaited<ReturnType<typeof repo.asset>>>): MlAsset | undefined {
    if (row.deleted_at !== null || row.preview_path === null || row.ingest_status !== 'ready') return undefined
    if (row.type !== 'IMAGE' && row.type !== 'VIDEO') return undefined
    return {
      id: row.id, ownerId: row.owner_id, type: row.type, previewPath: resolve(dataDir, row.preview_path),
      originalPath: row.original_path, width: row.width, height: row.height,
    }
  }

  async function handle (payload: Record<string, unknown>, priority: number, signal: AbortSignal, jobLog: Logger) {
    const stage = stages.get(String(payload.stage))
    if (stage === undefined) throw new PermanentJobError(`no ML stage named "${String(payload.stage)}" in this Hearth`)
    const row = await repo.asset(String(payload.assetId))
    const asset = row === undefined ? undefined : toMlAsset(row)
    if (asset === undefined) { jobLog.debug({ assetId: payload.assetId }, 'asset gone, trashed or without preview; ML skipped'); return }
    const done = await repo.doneFor(asset.id)
    if (done.get(stage.name) !== stage.version) {
      if (!(stage.after ?? []).every((d) => done.get(d) === stages.get(d)?.version)) {
        // Enqueued again when its prerequisite finishes.
        jobLog.debug({ assetId: asset.id, stage: stage.name }, 'prerequisite stages not done yet')
        return
      }
      await stage.run(asset, { signal })
      if (!await repo.markDone(asset.id, stage.name, stage.version)) return
      done.set(stage.name, stage.version)
      // Stages built on this one's results (recognition on detection) are redone after it.
      const stale = dependants(stage.name)
      await repo.forget(asset.id, stale)
      for (const s of stale) done.delete(s)
    }
    // Stages waiting on this one for this asset.
    const next = await runnable(done, [...stages.values()].filter((s) => (s.after ?? []).includes(stage.name)))
    if (next.length > 0) await jobs.enqueue(...next.map((s) => job(s, asset.id, priority)))
  }

  const window = createMlWindow({
    jobs, queues: mlQueues, settings: () => current, log, now,
    onOpen: () => service.enqueueMissing(),
    backlogEmpty: async () => {
      const [{ n }] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE queue = ANY($1::text[]) AND (status = 'active' OR (status = 'waiting' AND priority < $2))`,
        [mlQueues, priorities.interactive])
      return n === 0
    },
    saveWindow: async (w) => { await service.updateSettings({ hearth: { mlWindow: w } }) },
  })

  for (const queue of mlQueues) {
    jobs.register(queue, async (j, { signal, log: jobLog }) => handle(j.payload, j.priority, signal, jobLog))
  }

  const service = {
    models,
    runtime,
    remote,

    /** Adds a capability. Call before the node starts; names are unique. */
    addStage (stage: MlStage) {
      if (stages.has(stage.name)) throw new Error(`ML stage "${stage.name}" is added twice`)
      if (!(mlQueues as readonly string[]).includes(stage.queue)) throw new Error(`ML stage "${stage.name}": queue ${stage.queue} is not an ML queue`)
      stages.set(stage.name, stage)
      if (started) void service.enqueueMissing(stage.name).catch((err: unknown) => log.error({ err, stage: stage.name }, 'could not enqueue an ML backlog'))
    },

    stages (): MlStage[] { return [...stages.values()] },

    /** Enqueues the stages that can run on an asset now (after its thumbnails, or on demand). Returns how many. */
    async enqueueAsset (assetId: string, priority: MlPriority = 'normal'): Promise<number> {
      if (stages.size === 0) return 0
      const done = await repo.doneFor(assetId)
      const ready = await runnable(done, stages.values())
      if (ready.length === 0) return 0
      return jobs.enqueue(...ready.map((s) => job(s, assetId, toPriority(priority))))
    },

    /**
     * The backlog: every ready asset lacking a stage at its current version (prerequisites done),
     * as `backlog` jobs, for every available stage or just `stageName`. Stages waiting on
     * prerequisites follow as those finish. Returns how many jobs were enqueued.
     */
    async enqueueMissing (stageName?: string, priority: MlPriority = 'backlog'): Promise<number> {
      let total = 0
      for (const stage of stages.values()) {
        if (stageName !== undefined && stage.name !== stageName) continue
        if (!await isAvailable(stage)) continue
        const prerequisites = (stage.after ?? []).map((d) => ({ stage: d, version: stages.get(d)?.version ?? -1 }))
        let after: string | undefined
        for (;;) {
          const ids = await repo.missing(stage.name, stage.version, prerequisites, pageSize, after)
          if (ids.length === 0) break
          total += await jobs.enqueue(...ids.map((id) => job(stage, id, toPriority(priority))))
          after = ids.at(-1)
          if (ids.length < pageSize) break
        }
      }
      if (total > 0) log.info({ jobs: total, stage: stageName }, 'queued the ML backlog')
      return total
    },

    /**
     * Immich's `PUT /api/jobs/<queue>` `{ command: 'start', force }` for an ML queue. Without
     * force: the backlog of every available stage on the queue (assets it has not done at its
     * version; Immich's "Missing"). With force (Immich's "All"/"Reset"): each available stage's
     * `reset` runs, then every record of it in asset_ml_runs is forgotten, so the backlog is every
     * asset again; stages that depend on it are redone as each asset finishes. Either way the jobs
     * are `backlog` jobs: they wait for the overnight window, or run now after "run now". A job
     * already waiting or running for an asset is not queued twice. Returns how many were queued.
     */
    async startQueue (queue: string, { force = false }: { force?: boolean } = {}): Promise<number> {
      let total = 0
      for (const stage of stages.values()) {
        if (stage.queue !== queue) continue
        if (!await isAvailable(stage)) { log.info({ stage: stage.name, force }, 'ML stage not available: nothing queued'); continue }
        if (force) {
          await stage.reset?.()
          const forgotten = await repo.forgetStage(stage.name)
          log.info({ stage: stage.name, forgotten }, 'ML stage forced: every asset is done again')
        }
        total += await service.enqueueMissing(stage.name)
      }
      return total
    },

    /** How many face and CLIP embeddings each model made: more than one model means a re-run with force would unite them. */
    embeddingModels: () => repo.embeddingModels(),

    /** Each stage: available or not, and how far it is through the library. */
    async status (): Promise<StageStatus[]> {
      const list = [...stages.values()]
      const { total, done } = await repo.progress(list.map((s) => ({ stage: s.name, version: s.version })))
      const out: StageStatus[] = []
      for (const s of list) {
        out.push({ name: s.name, queue: s.queue, version: s.version, after: s.after ?? [], available: await isAvailable(s), total, done: done[s.name] ?? 0 })
      }
      return out
    },

    /** Asks every stage whether it is available; those that just became so get their backlog. */
    async recheck (): Promise<number> {
      models.invalidate()
      let queued = 0
      for (const s of stages.values()) {
        const before = lastAvailable.get(s.name)
        if (await isAvailable(s) && before === false) {
          log.info({ stage: s.name }, 'ML stage became available')
          queued += await service.enqueueMissing(s.name)
        }
      }
      return queued
    },

    /** Immich's ML feature flags: true while a stage of that kind is enabled and its models are ready. */
    async features (): Promise<{ smartSearch: boolean, facialRecognition: boolean, ocr: boolean, duplicateDetection: boolean }> {
      const any = async (queues: string[]) => {
        for (const s of stages.values()) if (queues.includes(s.queue) && await isAvailable(s)) return true
        return false
      }
      return {
        smartSearch: await any(['smartSearch']),
        facialRecognition: await any(['faceDetection', 'facialRecognition']),
        ocr: await any(['ocr']),
        duplicateDetection: await any(['duplicateDetection']),
      }
    },

    /** The settings in force (the defaults, overlaid with what an admin stored). */
    settings (): MlSettings { return current },

    /**
     * Changes settings (any subset of sections and fields), validated as a whole, stored, and
     * applied at once: the window's gates and schedule, the remote servers. Throws a ZodError
     * naming every bad field; nothing is stored then.
     */
    async updateSettings (patch: SettingsPatch): Promise<MlSettings> {
      const next = parseMlSettings(current, { machineLearning: patch.machineLearning, job: patch.job, mlWindow: patch.hearth?.mlWindow })
      if (patch.machineLearning !== undefined) await settingsRepo.save('machineLearning', next.machineLearning)
      if (patch.job !== undefined) await settingsRepo.save('job', next.job)
      if (patch.hearth?.mlWindow !== undefined) await settingsRepo.save('hearth.mlWindow', next.hearth.mlWindow)
      const wasEnabled = current.machineLearning
      current = next
      remote.configure?.(next.machineLearning)
      if (started) {
        window.schedule()
        await window.apply()
        // A capability switched back on gets its backlog.
        const switchedOn = JSON.stringify(wasEnabled) !== JSON.stringify(next.machineLearning)
        if (switchedOn) await service.recheck()
      }
      return next
    },

    /** "Run now": opens the backlog until `until`, or until it is empty. Lifts a pause. */
    async runNow ({ until }: { until?: Date } = {}): Promise<MlWindow> {
      const w = current.hearth.mlWindow
      await service.updateSettings({ hearth: { mlWindow: { ...w, paused: false, runNow: { until: until?.toISOString() ?? null, untilEmpty: until === undefined } } } })
      return current.hearth.mlWindow
    },

    /** Holds the backlog (even in the window) until resumed; ends a "run now". New uploads' ML still runs. */
    async pauseBacklog (): Promise<MlWindow> {
      await service.updateSettings({ hearth: { mlWindow: { ...current.hearth.mlWindow, paused: true, runNow: null } } })
      return current.hearth.mlWindow
    },

    async resumeBacklog (): Promise<MlWindow> {
      await service.updateSettings({ hearth: { mlWindow: { ...current.hearth.mlWindow, paused: false } } })
      return current.hearth.mlWindow
    },

    /** Whether the backlog runs now, and why. */
    windowState () { return window.state() },
    /** Re-decides the window now (the minute tick does this; tests call it with their clock). */
    tickWindow () { return window.tick() },

    /** Loads stored settings, opens or gates the backlog, queues it, and watches for stages becoming available. */
    async start () {
      try {
        const stored = await settingsRepo.load()
        current = parseMlSettings(defaults, { machineLearning: stored.machineLearning, job: stored.job, mlWindow: stored['hearth.mlWindow'] })
      } catch (err) {
        log.error({ err }, 'stored ML settings are invalid; using the defaults until an admin saves new ones')
      }
      remote.configure?.(current.machineLearning)
      started = true
      await window.start()
      await service.enqueueMissing()
      recheckTimer = setInterval(() => {
        service.recheck().catch((err: unknown) => log.warn({ err }, 'ML availability check failed'))
      }, recheckMs).unref()
    },

    async stop () {
      started = false
      clearInterval(recheckTimer)
      await window.stop()
      await runtime.close()
    },
  }
  return service
}

export type MlService = ReturnType<typeof createMlService>
