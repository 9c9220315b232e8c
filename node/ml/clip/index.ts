/**
 * CLIP for a node: the stage that embeds every preview (queue smartSearch) and the text encoder
 * that smart search asks for a query's embedding. Each uses a remote Immich ML server when one is
 * healthy (HEARTH_ML_URLS), else the `immich` pack's ViT-B-32 models when they are installed; with
 * neither, the stage is unavailable and search works without CLIP.
 *
 * @example
 * const clip = createClip({ db, ml, runtime })
 * ml.addStage(clip.stage)
 * createSmartSearch({ repo, clip: clip.text })
 */
import { readFile } from 'node:fs/promises'
import type { Database } from '../../db/index.ts'
import type { ModelRuntime } from '../runtime.ts'
import type { MlService } from '../service.ts'
import { createClipEncoder, l2normalise, type ClipEncoder } from './encoder.ts'
import { clipStage } from './stage.ts'
import { loadClipTokenizer } from './tokenizer.ts'
import { tryRemote } from '../remote/stages.ts'

export const CLIP_PACK = 'immich'
export const CLIP_MODEL_NAME = 'ViT-B-32__openai'

export function createClip ({ db, ml, runtime }: { db: Database, ml: Pick<MlService, 'models' | 'remote'>, runtime: ModelRuntime }) {
  let local: Promise<ClipEncoder> | undefined
  const encoder = () => {
    local ??= loadClipTokenizer().then((tokenizer) => createClipEncoder({
      runtime, tokenizer, visualPath: ml.models.path(CLIP_PACK, 'clip-visual'), textualPath: ml.models.path(CLIP_PACK, 'clip-textual'),
    }))
    return local
  }
  const localReady = (model: 'clip-visual' | 'clip-textual') => ml.models.ready(CLIP_PACK, [model])

  return {
    stage: clipStage({
      db,
      ready: async () => await localReady('clip-visual') || ml.remote.available(),
      encode: async (path, { signal }) => {
        const remote = await tryRemote(ml, () => localReady('clip-visual'), async (r) => l2normalise(await r.clip.encodeImage(await readFile(path), { modelName: CLIP_MODEL_NAME, signal })))
        return remote ?? (await (await encoder()).encodeImages([path], { signal }))[0]!
      },
    }),
    text: {
      available: async () => await localReady('clip-textual') || ml.remote.available(),
      encode: async (text: string, o: { signal?: AbortSignal } = {}) => {
        const remote = await tryRemote(ml, () => localReady('clip-textual'), async (r) => l2normalise(await r.clip.encodeText(text, { modelName: CLIP_MODEL_NAME, signal: o.signal })))
        return remote ?? (await (await encoder()).encodeTexts([text], o))[0]!
      },
    },
  }
}
