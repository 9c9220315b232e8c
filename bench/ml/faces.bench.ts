/**
 * Faces benchmark, CPU, lite pack: per photo, Hearth's whole face analysis of a 1440 px preview
 * (decode with sharp, letterbox and tiles, BlazeFace, decoding and NMS, the embedder's verdict and
 * RFB-320's on weak candidates, alignment warp, fr_feature, L2) beside a bare `session.run` loop
 * (bench/ml/bare.ts) on the very tensors the analysis fed the models (the anchor: what the models
 * alone cost).
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
import { createModelRuntime, ML_NICE } from '../../node/ml/runtime.ts'
import { createFaceAnalyzer, type FaceAnalyzer } from '../../node/ml/faces/analyzer.ts'
import { decodeRgb } from '../../node/ml/faces/pixels.ts'
import { defaultConcurrency } from '../../node/jobs/queues.ts'
import { bareSessions, recordingRuntime, type RecordedCall } from './bare.ts'

const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
/** The faces jobs the overnight window runs at once here. */
const windowJobs = defaultConcurrency().faceDetection
// libvips as the server sets it (node/media/image.ts): one thread per image, no operation cache.
sharp.concurrency(1)
sharp.cache(false)
const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets')
const files = ['metadata/faces/portrait.jpg', 'albums/text/craft-beer.jpg', 'albums/text/book-beside-flowers.jpg', 'albums/nature/prairie_falcon.jpg', 'metadata/gps-position/empty_gps.jpg']

/** As Hearth runs it: two inference threads at nice ML_NICE. */
const runtime = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 600_000, nice: ML_NICE })
/** The same with one inference thread (Hearth before it had two), for the backlog. */
const oneThread = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 600_000, workers: 1, nice: ML_NICE })
const bareRuns = bareSessions()
const recorder = recordingRuntime(runtime)
const dir = await litePack()
const manifest = await loadManifest()
const files3 = { detector: modelFile(dir, manifest, 'lite', 'face-detector'), verifier: modelFile(dir, manifest, 'lite', 'face-detector-alt'), embedder: modelFile(dir, manifest, 'lite', 'face-embedder') }
const analyzers = {
  tiles: createFaceAnalyzer({ runtime: recorder.runtime, files: files3 }),
  whole: createFaceAnalyzer({ runtime: recorder.runtime, files: files3, tiles: false }),
}
const oneThreadAnalyzer = createFaceAnalyzer({ runtime: oneThread, files: files3 })
/**
 * The backlog as the faces queue runs it: every preview `rounds` times, by 1, 2 and the overnight
 * window's number of jobs at once (decode, resizes and crops run on libuv's threads and the main
 * thread while another job's model runs in the inference thread), beside the bare runs of all of
 * them one after another.
 */
async function backlog (analyze: FaceAnalyzer, previews: Array<{ path: string, recorded: RecordedCall[] }>): Promise<void> {
  const jobs = Array.from({ length: rounds }, () => previews).flat()
  let t = performance.now()
  for (const p of jobs) for (const c of p.recorded) await bareRuns.run(c.path, c.feeds, c.threads)
  const bare = performance.now() - t
  console.log(`\nFaces backlog: ${jobs.length} previews (the five above, ${rounds} times); bare runs one after another ${bare.toFixed(0)} ms`)
  console.log(['jobs at once', 'inference threads', 'pipeline ms', 'bare run ms', 'bare/pipeline'].join(' | '))
  const runs: Array<[number, FaceAnalyzer, number]> = [[1, analyze, runtime.workers], [2, analyze, runtime.workers], [windowJobs, oneThreadAnalyzer, 1], [windowJobs, analyze, runtime.workers]]
  for (const p of previews) await oneThreadAnalyzer(await decodeRgb(p.path)) // loads its models
  for (const [workers, analyzer, threads] of runs) {
    const queue = [...jobs]
    t = performance.now()
    await Promise.all(Array.from({ length: workers }, async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) await analyzer(await decodeRgb(p.path))
    }))
    const pipe = performance.now() - t
    console.log([workers === windowJobs ? `${workers} (the window)` : workers, threads, pipe.toFixed(0), bare.toFixed(0), (bare / pipe).toFixed(2)].join(' | '))
  }
}

const work = await mkdtemp(join(tmpdir(), 'hearth-faces-bench-'))
try {
  for (const [mode, analyze] of Object.entries(analyzers)) {
    const rows: string[][] = []
    const previews: Array<{ path: string, recorded: RecordedCall[] }> = []
    let totalPipe = 0; let totalBare = 0
    for (const file of files) {
      const preview = join(work, basename(file))
      await writeFile(preview, await sharp(join(fixtures, file)).rotate().resize(1440, 1440, { fit: 'outside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer())
      // The first run loads the models and records the feeds.
      const { result: faces, calls: recorded } = await recorder.record(async () => analyze(await decodeRgb(preview)))
      previews.push({ path: preview, recorded })
      let pipe = Infinity; let bare = Infinity
      for (let r = 0; r < rounds; r++) {
        let t = performance.now()
        await analyze(await decodeRgb(preview))
        pipe = Math.min(pipe, performance.now() - t)
        t = performance.now()
        for (const c of recorded) await bareRuns.run(c.path, c.feeds, c.threads)
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
    if (mode === 'tiles') await backlog(analyze, previews)
  }
} finally {
  await runtime.close()
  await oneThread.close()
  await bareRuns.close()
  await rm(work, { recursive: true, force: true })
}
