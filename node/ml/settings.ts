/**
 * Run-time ML settings an admin changes (GET/PUT /api/system-config): Immich's `machineLearning`
 * and `job` sections (same field names) and Hearth's `hearth.mlWindow`, the overnight window for
 * the ML backlog. Stored per section in `system_config`, so they survive restarts; anything not
 * stored comes from the defaults (which follow the environment: HEARTH_ML_URLS, HEARTH_ML_WINDOW).
 */
import { z } from 'zod'
import type { Queryable } from '../db/index.ts'

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'expected a local time such as 01:00')

export const mlWindowSchema = z.object({
  /** Local time the backlog may start, and when it stops (HH:MM; the window may cross midnight; equal times: always open). */
  start: time,
  end: time,
  /** The backlog holds even inside the window. New uploads' ML still runs. */
  paused: z.boolean(),
  /** "Run now": the window is open until this time (ISO), or, with `untilEmpty`, until the ML backlog is empty. */
  runNow: z.object({ until: z.iso.datetime({ offset: true }).nullable(), untilEmpty: z.boolean() }).nullable(),
  /** Jobs at once per ML queue outside the window (new uploads only). */
  outsideConcurrency: z.number().int().min(1).max(64),
}).strict()

export type MlWindow = z.infer<typeof mlWindowSchema>

export const machineLearningSchema = z.object({
  enabled: z.boolean(),
  urls: z.array(z.url({ protocol: /^https?$/, error: 'expected http(s) URLs' })),
  availabilityChecks: z.object({ enabled: z.boolean(), timeout: z.number().int().min(100).max(600_000), interval: z.number().int().min(1000).max(86_400_000) }),
  clip: z.object({ enabled: z.boolean(), modelName: z.string().min(1) }),
  duplicateDetection: z.object({ enabled: z.boolean(), maxDistance: z.number().min(0.001).max(0.1) }),
  facialRecognition: z.object({
    enabled: z.boolean(), modelName: z.string().min(1),
    minScore: z.number().min(0.1).max(1), maxDistance: z.number().min(0.1).max(2), minFaces: z.number().int().min(1),
  }),
  ocr: z.object({
    enabled: z.boolean(), modelName: z.string().min(1),
    minDetectionScore: z.number().min(0.1).max(1), minRecognitionScore: z.number().min(0.1).max(1), maxResolution: z.number().int().min(1),
  }),
})

export type MachineLearningSettings = z.infer<typeof machineLearningSchema>

export const mlJobQueues = ['faceDetection', 'facialRecognition', 'smartSearch', 'ocr', 'duplicateDetection'] as const
export const jobSchema = z.object(Object.fromEntries(mlJobQueues.map((q) => [q, z.object({ concurrency: z.number().int().min(1).max(64) })])) as Record<typeof mlJobQueues[number], z.ZodObject<{ concurrency: z.ZodNumber }>>)
export type JobSettings = z.infer<typeof jobSchema>

export interface MlSettings { machineLearning: MachineLearningSettings, job: JobSettings, hearth: { mlWindow: MlWindow } }

export function defaultMlSettings ({ urls = [], window = '01:00-06:00', concurrency = {} }: { urls?: string[], window?: string, concurrency?: Partial<Record<string, number>> } = {}): MlSettings {
  const [start, end] = window.split('-') as [string, string]
  return {
    machineLearning: {
      enabled: true,
      urls,
      availabilityChecks: { enabled: true, timeout: 2000, interval: 30_000 },
      clip: { enabled: true, modelName: 'ViT-B-32__openai' },
      duplicateDetection: { enabled: true, maxDistance: 0.01 },
      facialRecognition: { enabled: true, modelName: 'buffalo_l', minScore: 0.7, maxDistance: 0.5, minFaces: 3 },
      ocr: { enabled: true, modelName: 'PP-OCRv4', minDetectionScore: 0.5, minRecognitionScore: 0.8, maxResolution: 736 },
    },
    job: Object.fromEntries(mlJobQueues.map((q) => [q, { concurrency: concurrency[q] ?? 1 }])) as JobSettings,
    hearth: { mlWindow: { start, end, paused: false, runNow: null, outsideConcurrency: 1 } },
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** `patch` laid over `base`, object by object (arrays and values replace). */
export function deepMerge<T> (base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return (patch === undefined ? base : patch) as T
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(patch)) out[k] = k in base ? deepMerge((base as Record<string, unknown>)[k], v) : v
  return out as T
}

/** The stored sections. */
export function createSettingsRepo (db: Queryable) {
  return {
    async load (): Promise<Record<string, unknown>> {
      const rows = await db.query<{ key: string, value: unknown }>(`SELECT key, value FROM system_config WHERE key IN ('machineLearning', 'job', 'hearth.mlWindow')`)
      return Object.fromEntries(rows.map((r) => [r.key, r.value]))
    },
    async save (key: 'machineLearning' | 'job' | 'hearth.mlWindow', value: unknown) {
      await db.query(
        `INSERT INTO system_config (key, value) VALUES ($1, $2::jsonb)
         ON CONFLICT (key) DO UPDATE SET value = $2::jsonb, updated_at = now()`, [key, JSON.stringify(value)])
    },
  }
}

/** Parses a stored or sent config over the defaults; throws one ZodError naming every bad field (paths from the top). */
export function parseMlSettings (defaults: MlSettings, stored: { machineLearning?: unknown, job?: unknown, mlWindow?: unknown }): MlSettings {
  const ml = machineLearningSchema.safeParse(deepMerge(defaults.machineLearning, stored.machineLearning))
  const job = jobSchema.safeParse(deepMerge(defaults.job, stored.job))
  const window = mlWindowSchema.safeParse(deepMerge(defaults.hearth.mlWindow, stored.mlWindow))
  const issues = [
    ...(ml.error?.issues ?? []).map((i) => ({ ...i, path: ['machineLearning', ...i.path] })),
    ...(job.error?.issues ?? []).map((i) => ({ ...i, path: ['job', ...i.path] })),
    ...(window.error?.issues ?? []).map((i) => ({ ...i, path: ['hearth', 'mlWindow', ...i.path] })),
  ]
  if (issues.length > 0 || !ml.success || !job.success || !window.success) throw new z.ZodError(issues)
  return { machineLearning: ml.data, job: job.data, hearth: { mlWindow: window.data } }
}
