/**
 * OCR benchmark, CPU, lite pack (PP-OCRv4): per photo of albums/text, Hearth's whole OCR of a
 * 1440 px preview (decode, resize, detection, DB post-processing, crops, batched recognition, CTC)
 * beside a bare `session.run` loop (bench/ml/bare.ts) on the very tensors that OCR fed the models
 * (the anchor: what the models alone cost); then the backlog, by one job and by the overnight
 * window's number at once. Goal: pipeline throughput at least 0.85 of bare.
 *
 * @example
 * node bench/ml/ocr.bench.ts            # BENCH_ROUNDS=3
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { basename, join, resolve } from 'node:path'
import sharp from 'sharp'
import { litePack } from '../../test/helpers/models.ts'
import { loadManifest, modelFile } from '../../node/ml/models.ts'
import { createModelRuntime, ML_NICE } from '../../node/ml/runtime.ts'
import { createPixelReader } from '../../node/media/pixels.ts'
import { createOcrEngine } from '../../node/ml/ocr/engine.ts'
import { bareSessions, recordingRuntime, type RecordedCall } from './bare.ts'
import { defaultConcurrency } from '../../node/jobs/queues.ts'

const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
/** Watches the event loop; the returned function stops and gives the longest delay seen and the 99th percentile, in ms. */
function stallMonitor (): () => { max: number, p99: number } {
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  return () => { h.disable(); return { max: h.max / 1e6, p99: h.percentile(99) / 1e6 } }
}

/** The OCR jobs the overnight window runs at once here. */
const windowJobs = defaultConcurrency().ocr
const album = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets/albums/text')
const files = ['craft-beer.jpg', 'book-beside-flowers.jpg', 'handwritten-notes.jpg', 'japanese-shop.jpg']

/** As Hearth runs it: two inference threads at nice ML_NICE. */
const runtime = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 600_000, nice: ML_NICE })
/** The same with one inference thread (Hearth before it had two), for the backlog. */
const oneThread = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 600_000, workers: 1, nice: ML_NICE })
/** Two threads at the main thread's priority (HEARTH_ML_NICE=0), for the backlog. */
const sameNice = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 600_000, nice: 0 })
const bareRuns = bareSessions()
const recorder = recordingRuntime(runtime)
const dir = await litePack()
const manifest = await loadManifest()
const engine = createOcrEngine({ runtime: recorder.runtime, pixels: createPixelReader(), manifest, path: (m) => modelFile(dir, manifest, 'lite', m) })
const oneThreadEngine = createOcrEngine({ runtime: oneThread, pixels: createPixelReader(), manifest, path: (m) => modelFile(dir, manifest, 'lite', m) })
const sameNiceEngine = createOcrEngine({ runtime: sameNice, pixels: createPixelReader(), manifest, path: (m) => modelFile(dir, manifest, 'lite', m) })
const work = await mkdtemp(join(tmpdir(), 'hearth-ocr-bench-'))
try {
  const rows: string[][] = []
  const previews: Array<{ path: string, recorded: RecordedCall[] }> = []
  let totalPipe = 0; let totalBare = 0
  for (const file of files) {
    const preview = join(work, basename(file))
    await writeFile(preview, await sharp(join(album, file)).rotate().resize(1440, 1440, { fit: 'outside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer())
    // The first read loads the models and records the feeds.
    const { result: warm, calls: recorded } = await recorder.record(async () => engine.read(preview))
    previews.push({ path: preview, recorded })
    let pipe = Infinity; let bare = Infinity
    for (let r = 0; r < rounds; r++) {
      let t = performance.now()
      await engine.read(preview)
      pipe = Math.min(pipe, performance.now() - t)
      t = performance.now()
      for (const c of recorded) await bareRuns.run(c.path, c.feeds)
      bare = Math.min(bare, performance.now() - t)
    }
    totalPipe += pipe; totalBare += bare
    rows.push([file, String(warm.lines.length), String(recorded.length - 1), pipe.toFixed(0), bare.toFixed(0), (bare / pipe).toFixed(2)])
  }
  rows.push(['all', '', '', totalPipe.toFixed(0), totalBare.toFixed(0), (totalBare / totalPipe).toFixed(2)])
  console.log(`OCR, lite pack (PP-OCRv4), CPU, ${runtime.provider()} provider, best of ${rounds}; preview 1440 px short side`)
  console.log(['photo', 'lines', 'rec batches', 'pipeline ms', 'bare run ms', 'bare/pipeline'].join(' | '))
  for (const r of rows) console.log(r.join(' | '))

  // The backlog as the OCR queue runs it: every photo `rounds` times, by one job and by the
  // overnight window's number at once (one read's decode, post-processing and crops beside
  // another's model runs in the inference thread), beside all their bare runs one after another.
  // Also how long the main thread (where Hearth serves requests) waited to run, at most and at
  // the 99th percentile: the bare loop runs the models on it, as Hearth did before the inference
  // thread; with the models' threads at the same priority, it also waits for a core.
  const jobs = Array.from({ length: rounds }, () => previews).flat()
  let stalls = stallMonitor()
  let t = performance.now()
  for (const p of jobs) for (const c of p.recorded) await bareRuns.run(c.path, c.feeds)
  const bare = performance.now() - t
  const bareStall = stalls()
  console.log(`\nOCR backlog: ${jobs.length} photos (the four above, ${rounds} times); bare runs one after another ${bare.toFixed(0)} ms, the main thread held up to ${bareStall.max.toFixed(0)} ms at a time`)
  console.log(['jobs at once', 'inference threads', 'their nice', 'pipeline ms', 'bare run ms', 'bare/pipeline', 'main thread waited at most (ms)', 'p99 (ms)'].join(' | '))
  for (const p of previews) { await oneThreadEngine.read(p.path); await sameNiceEngine.read(p.path) } // loads their models
  const runs: Array<[number, typeof engine, number, number]> = [[1, engine, runtime.workers, ML_NICE], [windowJobs, oneThreadEngine, 1, ML_NICE], [windowJobs, sameNiceEngine, sameNice.workers, 0], [windowJobs, engine, runtime.workers, ML_NICE]]
  for (const [at, reader, threads, nice] of runs) {
    const queue = [...jobs]
    stalls = stallMonitor()
    t = performance.now()
    await Promise.all(Array.from({ length: at }, async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) await reader.read(p.path)
    }))
    const pipe = performance.now() - t
    const waited = stalls()
    console.log([at === windowJobs ? `${at} (the window)` : at, threads, nice, pipe.toFixed(0), bare.toFixed(0), (bare / pipe).toFixed(2), waited.max.toFixed(0), waited.p99.toFixed(0)].join(' | '))
  }
} finally {
  await runtime.close()
  await oneThread.close()
  await sameNice.close()
  await bareRuns.close()
  await rm(work, { recursive: true, force: true })
}
