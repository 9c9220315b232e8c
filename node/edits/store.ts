/**
 * Edits a user made to how an asset is shown (today: a rotation), kept apart from the original,
 * which is never rewritten. One small JSON file per user in `<data>/edits/`, replaced atomically
 * (write, fsync, rename, fsync the folder); a household rotates a few hundred photos, not millions.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'

export interface AssetEdits { rotation: 0 | 90 | 180 | 270 }
export type EditMap = Record<string, AssetEdits>

export function createEditStore (dataDir: string) {
  const dir = join(dataDir, 'edits')
  const cache = new Map<string, EditMap>()
  const queues = new Map<string, Promise<unknown>>()
  const file = (userId: string) => join(dir, `${userId}.json`)

  async function load (userId: string): Promise<EditMap> {
    let map = cache.get(userId)
    if (map !== undefined) return map
    try {
      map = JSON.parse(await readFile(file(userId), 'utf8')) as EditMap
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      map = {}
    }
    cache.set(userId, map)
    return map
  }

  async function save (userId: string, map: EditMap): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const tmp = `${file(userId)}.tmp`
    const fh = await open(tmp, 'w', 0o600)
    try { await fh.writeFile(JSON.stringify(map)); await fh.sync() } finally { await fh.close() }
    await rename(tmp, file(userId))
    const d = await open(dir, 'r')
    try { await d.sync() } finally { await d.close() }
  }

  /** Changes for one user run one after another, so two quick rotations never lose one. */
  function serial<T> (userId: string, fn: () => Promise<T>): Promise<T> {
    const run = (queues.get(userId) ?? Promise.resolve()).then(fn, fn)
    queues.set(userId, run.catch(() => {}))
    return run
  }

  return {
    /** Every edited asset of the user: `{ [assetId]: { rotation } }`. */
    all: (userId: string) => load(userId),
    async get (userId: string, assetId: string): Promise<AssetEdits> {
      return (await load(userId))[assetId] ?? { rotation: 0 }
    },
    set: (userId: string, assetId: string, edits: AssetEdits) => serial(userId, async () => {
      const next = { ...(await load(userId)) }
      if (edits.rotation === 0) delete next[assetId]
      else next[assetId] = edits
      await save(userId, next)
      cache.set(userId, next)
      return edits
    }),
  }
}

export type EditStore = ReturnType<typeof createEditStore>
