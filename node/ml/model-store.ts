/**
 * The models a running node can use: where each file is (Hearth's models folder, or an existing
 * Immich model cache), and a cheap, cached answer to "are these models here?" for each stage's
 * `available()`, which the pipeline asks for every asset it enqueues.
 *
 * @example
 * const models = createModelStore({ modelsDir, manifest })
 * if (await models.ready('lite', ['face-detector', 'face-embedder'])) {
 *   const detector = runtime.model(models.path('lite', 'face-detector'))
 * }
 */
import { stat } from 'node:fs/promises'
import { packStatus, resolveModel, type Manifest, type ModelStatus } from './models.ts'

export interface ModelStore {
  readonly dir: string
  readonly manifest: Manifest
  /** Absolute path of a model's file (it may not exist: check `ready` first). */
  path(pack: string, model: string): string
  /**
   * Whether every named model of the pack (all of them when none are named) is present with the
   * right size. Answers are cached for a few seconds: hashing is `hearth models verify`'s job.
   */
  ready(pack: string, models?: string[]): Promise<boolean>
  /** Every model of every pack (or one pack), by presence and size; `verify` hashes them. */
  status(options?: { pack?: string, verify?: boolean }): Promise<ModelStatus[]>
  /** Forgets cached answers (after a fetch). */
  invalidate(): void
}

export function createModelStore ({ modelsDir, manifest, immichCache, ttlMs = 30_000, now = Date.now }: {
  modelsDir: string, manifest: Manifest, immichCache?: string, ttlMs?: number, now?: () => number
}): ModelStore {
  const cache = new Map<string, { at: number, ready: Promise<boolean> }>()

  async function check (pack: string, models: string[]): Promise<boolean> {
    const p = manifest.packs[pack]
    if (p === undefined) return false
    for (const model of models) {
      const entry = p.models[model]
      if (entry === undefined) return false
      const info = await stat(resolveModel(modelsDir, manifest, pack, model, { immichCache })).catch(() => undefined)
      if (info === undefined || !info.isFile()) return false
      if (entry.size !== null && info.size !== entry.size) return false
    }
    return true
  }

  return {
    dir: modelsDir,
    manifest,
    path: (pack, model) => resolveModel(modelsDir, manifest, pack, model, { immichCache }),
    ready (pack, models) {
      const names = models ?? Object.keys(manifest.packs[pack]?.models ?? {})
      const key = `${pack}\0${names.join('\0')}`
      const hit = cache.get(key)
      if (hit !== undefined && now() - hit.at < ttlMs) return hit.ready
      const ready = check(pack, names)
      cache.set(key, { at: now(), ready })
      return ready
    },
    async status ({ pack, verify = false } = {}) {
      const packs = pack !== undefined ? [pack] : Object.keys(manifest.packs)
      const out: ModelStatus[] = []
      for (const p of packs) out.push(...await packStatus(modelsDir, manifest, p, { verify, immichCache }))
      return out
    },
    invalidate () { cache.clear() },
  }
}

export interface PackSummary {
  pack: string
  description: string
  /** ready: every model here and intact; partial: some missing or damaged; missing: none here. */
  state: 'ready' | 'partial' | 'missing'
  models: ModelStatus[]
  /** The command that fixes it, when it is not ready. */
  fix?: string
}

/** Model states grouped by pack, each with the command that fixes it. */
export function summarisePacks (statuses: ModelStatus[], manifest: Manifest): PackSummary[] {
  return Object.keys(manifest.packs).flatMap((pack) => {
    const models = statuses.filter((s) => s.pack === pack)
    if (models.length === 0) return []
    const ready = models.filter((s) => s.state === 'ready').length
    const state = ready === models.length ? 'ready' : models.every((s) => s.state === 'missing') ? 'missing' : 'partial'
    return [{ pack, description: manifest.packs[pack]!.description, state, models, fix: state === 'ready' ? undefined : `hearth models fetch ${pack}` }]
  })
}
