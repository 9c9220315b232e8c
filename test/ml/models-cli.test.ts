/**
 * Model packs from URLs (the `immich` pack's Hugging Face files: unpinned, their hash recorded at
 * first fetch), an existing Immich model cache used as it is, and `hearth models list|fetch|verify`
 * with their exit codes. Hugging Face cannot be reached here: a local HTTP server serves
 * placeholder files at the same paths (a fake upstream; everything else is real).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { fetchPack, loadManifest, packStatus } from '../../node/ml/models.ts'
import { createModelStore } from '../../node/ml/model-store.ts'
import { hearthCli } from '../helpers/process.ts'

const immichFiles = ['clip/ViT-B-32__openai/visual/model.onnx', 'clip/ViT-B-32__openai/textual/model.onnx', 'facial-recognition/buffalo_l/detection/model.onnx', 'facial-recognition/buffalo_l/recognition/model.onnx']

async function placeholders (root: string, tag = 'placeholder') {
  for (const f of immichFiles) {
    await mkdir(dirname(join(root, f)), { recursive: true })
    await writeFile(join(root, f), `${tag} ${f}`)
  }
}

/** Serves `/immich-app/<repo>/resolve/main/<path>` like Hugging Face, from a map the test changes. */
async function fakeHub (files: Map<string, Buffer>) {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(req.url!)
    const body = files.get(req.url!)
    if (body === undefined) { res.writeHead(404).end('not found'); return }
    res.writeHead(200, { 'content-length': body.length }).end(body)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const fetchImpl: typeof fetch = async (url, init) => fetch(String(url).replace('https://huggingface.co', base), init)
  return { requests, fetchImpl, close: () => new Promise<void>((ok) => server.close(() => ok())) }
}

test('the immich pack downloads from its URLs, records each hash at first fetch, and refuses a changed upstream file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-models-url-'))
  const files = new Map<string, Buffer>()
  for (const [repo, prefix] of [['ViT-B-32__openai', 'clip/ViT-B-32__openai/'], ['buffalo_l', 'facial-recognition/buffalo_l/']] as const) {
    for (const f of immichFiles.filter((x) => x.startsWith(prefix))) files.set(`/immich-app/${repo}/resolve/main/${f.slice(prefix.length)}`, Buffer.from(`weights of ${f}`))
  }
  const hub = await fakeHub(files)
  try {
    const manifest = await loadManifest()
    const progress: string[] = []
    const written = await fetchPack(manifest, 'immich', { modelsDir: dir, fetchImpl: hub.fetchImpl, onProgress: (e) => progress.push(e.source) })
    assert.deepEqual(written.sort(), ['clip-textual', 'clip-visual', 'face-detector', 'face-embedder'])
    assert.ok(progress.includes('immich-clip/visual/model.onnx'))
    assert.equal(await readFile(join(dir, 'immich', 'clip/ViT-B-32__openai/visual/model.onnx'), 'utf8'), 'weights of clip/ViT-B-32__openai/visual/model.onnx')
    const recorded = JSON.parse(await readFile(join(dir, 'immich', 'sha256.json'), 'utf8')) as Record<string, string>
    assert.deepEqual(Object.keys(recorded).sort(), [...immichFiles].sort())
    assert.deepEqual((await packStatus(dir, manifest, 'immich', { verify: true })).map((s) => s.state), ['ready', 'ready', 'ready', 'ready'])

    // A file damaged on disk is noticed by verify, and fetched again; the recorded hash holds.
    await writeFile(join(dir, 'immich', 'facial-recognition/buffalo_l/detection/model.onnx'), 'weights of facial-recognition/buffalo_l/detection/model.onnX')
    assert.equal((await packStatus(dir, manifest, 'immich', { verify: true })).find((s) => s.model === 'face-detector')!.state, 'corrupt')
    assert.deepEqual(await fetchPack(manifest, 'immich', { modelsDir: dir, fetchImpl: hub.fetchImpl }), ['face-detector'])

    // Upstream replaced a file: not taken silently.
    await rm(join(dir, 'immich', 'clip/ViT-B-32__openai/visual/model.onnx'))
    files.set('/immich-app/ViT-B-32__openai/resolve/main/visual/model.onnx', Buffer.from('something else entirely'))
    await assert.rejects(fetchPack(manifest, 'immich', { modelsDir: dir, fetchImpl: hub.fetchImpl }), /upstream file changed since it was first fetched/)
    assert.equal((await packStatus(dir, manifest, 'immich')).find((s) => s.model === 'clip-visual')!.state, 'missing', 'nothing was written')
  } finally {
    await hub.close()
    await rm(dir, { recursive: true, force: true })
  }
})

test('an existing Immich model cache is used as it is: as HEARTH_IMMICH_MODEL_CACHE, or as the models folder itself', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'immich-cache-'))
  const own = await mkdtemp(join(tmpdir(), 'hearth-models-'))
  try {
    const manifest = await loadManifest()
    await placeholders(cache)
    const store = createModelStore({ modelsDir: own, manifest, immichCache: cache })
    assert.equal(await store.ready('immich', ['clip-visual', 'clip-textual']), true)
    assert.equal(store.path('immich', 'face-detector'), join(cache, 'facial-recognition/buffalo_l/detection/model.onnx'))
    assert.equal(await createModelStore({ modelsDir: own, manifest }).ready('immich'), false, 'without the setting the cache is not looked at')
    assert.equal(await createModelStore({ modelsDir: cache, manifest }).ready('immich'), true, 'a models folder that is an Immich cache')
    assert.equal(createModelStore({ modelsDir: cache, manifest }).path('immich', 'clip-textual'), join(cache, 'clip/ViT-B-32__openai/textual/model.onnx'))
    // Only what is there counts.
    await rm(join(cache, 'facial-recognition/buffalo_l/recognition/model.onnx'))
    const fresh = createModelStore({ modelsDir: own, manifest, immichCache: cache })
    assert.equal(await fresh.ready('immich', ['face-detector', 'face-embedder']), false)
    assert.equal(await fresh.ready('immich', ['clip-visual']), true)
    assert.equal(await fresh.ready('immich', ['no-such-model']), false)
  } finally {
    await rm(cache, { recursive: true, force: true })
    await rm(own, { recursive: true, force: true })
  }
})

test('hearth models list, verify and fetch: states, the fix, and exit codes', async () => {
  const data = await mkdtemp(join(tmpdir(), 'hearth-cli-models-'))
  const cache = await mkdtemp(join(tmpdir(), 'immich-cache-'))
  try {
    await placeholders(cache)
    const env = { HEARTH_DATA_DIR: data, HEARTH_IMMICH_MODEL_CACHE: cache }
    const list = await hearthCli(['models', 'list'], env)
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, /^immich: ready$/m)
    assert.match(list.stdout, /^lite: missing {2}\(hearth models fetch lite\)$/m)
    assert.ok(list.stdout.includes(join(cache, 'clip/ViT-B-32__openai/visual/model.onnx')))

    const verifyAll = await hearthCli(['models', 'verify'], env)
    assert.equal(verifyAll.code, 0, 'a pack nobody fetched is not damage')
    assert.match(verifyAll.stdout, /lite: not installed {2}-> hearth models fetch lite/)
    const verifyLite = await hearthCli(['models', 'verify', 'lite'], env)
    assert.equal(verifyLite.code, 1, 'a pack asked for by name must be there')

    // A partly present pack is damage, with the command that fixes it.
    await mkdir(join(data, 'models', 'lite'), { recursive: true })
    await writeFile(join(data, 'models', 'lite', 'ppocr_keys_v1.txt'), 'not the dictionary')
    const damaged = await hearthCli(['models', 'verify'], env)
    assert.equal(damaged.code, 1)
    assert.match(damaged.stdout, /lite: damaged or incomplete {2}-> hearth models fetch lite/)
    assert.match(damaged.stdout, /ocr-dictionary: wrong-size/)

    const unknown = await hearthCli(['models', 'fetch', 'huge'], env)
    assert.equal(unknown.code, 64)
    assert.match(unknown.stderr, /unknown pack "huge"; known: lite, immich/)
    assert.equal((await hearthCli(['models', 'frobnicate'], env)).code, 64)
    // Offline (a proxy that refuses, so this holds on a machine with internet too): a clear error and exit 1.
    const offline = await hearthCli(['models', 'fetch', 'immich'], { HEARTH_DATA_DIR: data, NODE_USE_ENV_PROXY: '1', HTTPS_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' })
    assert.equal(offline.code, 1)
    assert.match(offline.stderr, /could not download https:\/\/huggingface\.co\/immich-app\/ViT-B-32__openai\/resolve\/main\/visual\/model\.onnx: fetch failed \(ECONNREFUSED\); is this machine online\?/)
  } finally {
    await rm(data, { recursive: true, force: true })
    await rm(cache, { recursive: true, force: true })
  }
})
