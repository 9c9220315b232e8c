/**
 * CLIP for a node: the stage that embeds every preview (queue smartSearch) and the text encoder
 * that smart search asks for a query's embedding. Each uses a remote Immich ML server when one is
 * healthy (HEARTH_ML_URLS), else the `immich` pack's ViT-B-32 models when they are installed; with
 * neither, the stage is unavailable and search works without CLIP. Both say which model made each
 * vector (a remote's: the one a Hearth server's reply names, else the name asked for), so a query
 * is compared only with images of its model.
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
import { CLIP_MODEL } from '../embedding-models.ts'

export const CLIP_PACK = 'immich'
/** The name of the immich pack's CLIP pair, which is also the one asked of remote servers. */
export const CLIP_MODEL_NAME = CLIP_MODEL
/** The model a remote server is asked for (recorded unless a Hearth server's reply names another). */
const REMOTE_CLIP_MODEL = CLIP_MODEL_NAME
/** What the local pair records: the immich pack holds Immich's own export of the same weights. */
const LOCAL_CLIP_MODEL = CLIP_MODEL_NAME

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
        const remote = await tryRemote(ml, () => localReady('clip-visual'), async (r) => r.clip.encodeImage(await readFile(path), { modelName: REMOTE_CLIP_MODEL, signal }))
        if (remote !== undefined) return { embedding: l2normalise(remote.embedding), model: remote.model }
        return { embedding: (await (await encoder()).encodeImages([path], { signal }))[0]!, model: LOCAL_CLIP_MODEL }
      },
    }),
    text: {
      available: async () => await localReady('clip-textual') || ml.remote.available(),
      /** A query's embedding and its model: smart search compares it only with images of that model. */
      encode: async (text: string, o: { signal?: AbortSignal } = {}) => {
        const remote = await tryRemote(ml, () => localReady('clip-textual'), async (r) => r.clip.encodeText(text, { modelName: REMOTE_CLIP_MODEL, signal: o.signal }))
        if (remote !== undefined) return { embedding: l2normalise(remote.embedding), model: remote.model }
        return { embedding: (await (await encoder()).encodeTexts([text], o))[0]!, model: LOCAL_CLIP_MODEL }
      },
    },
  }
}
