/**
 * Faces benchmark, CPU, lite pack: per photo, Hearth's whole face analysis of a 1440 px preview
 * (decode with sharp, letterbox and tiles, BlazeFace, decoding and NMS, the embedder's verdict and
 * RFB-320's on weak candidates, alignment warp, fr_feature, L2) beside a bare loop of the runtime's
 * `run` on the very tensors the analysis fed the models (the anchor: what the models alone cost).
 * Also the same without tiles (the whole image only), to show what small-face tiles cost.
 * Goal: pipeline throughput at least 0.85 of bare.
 *
 * @example
 * node bench/ml/faces.bench.ts            # BENCH_ROUNDS=3
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import sharp from 'sharp'
import { litePack } from '../../test/helpers/models.ts'
import { loadManifest, modelFile } from '../../node/ml/models.ts'
import { createModelRuntime, type ModelRuntime, type TensorData } from '../../node/ml/runtime.ts'
import { createFaceAnalyzer } from '../../node/ml/faces/analyzer.ts'
import { decodeRgb } from '../../node/ml/faces/pixels.ts'

const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets')
const files = ['metadata/faces/portrait.jpg', 'albums/text/craft-beer.jpg', 'albums/text/book-beside-flowers.jpg', 'albums/nature/prairie_falcon.jpg', 'metadata/gps-position/empty_gps.jpg']

const runtime = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 600_000 })
/** The same runtime, remembering every model call's inputs. */
let calls: Array<{ path: string, feeds: Record<string, TensorData> }> = []
const recording: ModelRuntime = {
  ...runtime,
  model (path) {
    const h = runtime.model(path)
    return { ...h, path, loaded: h.loaded, describe: () => h.describe(), run: async (feeds) => { calls.push({ path, feeds }); return h.run(feeds) } }
  },
}
const dir = await litePack()
const manifest = await loadManifest()
const files3 = { detector: modelFile(dir, manifest, 'lite', 'face-detector'), verifier: modelFile(dir, manifest, 'lite', 'face-detector-alt'), embedder: modelFile(dir, manifest, 'lite', 'face-embedder') }
const analyzers = {
  tiles: createFaceAnalyzer({ runtime: recording, files: files3 }),
  whole: createFaceAnalyzer({ runtime: recording, files: files3, tiles: false }),
}
const work = await mkdtemp(join(tmpdir(), 'hearth-faces-bench-'))
try {
  for (const [mode, analyze] of Object.entries(analyzers)) {
    const rows: string[][] = []
    let totalPipe = 0; let totalBare = 0
    for (const file of files) {
      const preview = join(work, basename(file))
      await writeFile(preview, await sharp(join(fixtures, file)).rotate().resize(1440, 1440, { fit: 'outside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer())
      calls = []
      const faces = await analyze(await decodeRgb(preview)) // loads the models; records the feeds
      const recorded = calls
      calls = []
      let pipe = Infinity; let bare = Infinity
      for (let r = 0; r < rounds; r++) {
        let t = performance.now()
        await analyze(await decodeRgb(preview))
        calls = []
        pipe = Math.min(pipe, performance.now() - t)
        t = performance.now()
        for (const c of recorded) await runtime.model(c.path).run(c.feeds)
        bare = Math.min(bare, performance.now() - t)
      }
      totalPipe += pipe; totalBare += bare
      const size = await sharp(preview).metadata()
      rows.push([basename(file), `${size.width}x${size.height}`, String(faces.length), String(recorded.length), pipe.toFixed(0), bare.toFixed(0), (bare / pipe).toFixed(2)])
    }
    rows.push(['all', '', '', '', totalPipe.toFixed(0), totalBare.toFixed(0), (totalBare / totalPipe).toFixed(2)])
    console.log(`\nFaces (${mode === 'tiles' ? 'whole image + tiles, the default' : 'whole image only'}), lite pack, CPU, ${runtime.provider()} provider, best of ${rounds}`)
    console.log(['photo', 'preview', 'faces', 'model runs', 'pipeline ms', 'bare run ms', 'bare/pipeline'].join(' | '))
    for (const r of rows) console.log(r.join(' | '))
  }
} finally {
  await runtime.close()
  await rm(work, { recursive: true, force: true })
}
