/**
 * Faces of two embedding models in one library, on one engine (PostgreSQL; both with HEARTH_TEST_ALL_ENGINES=1), through a real node with the
 * lite pack and a remote ML server (a small Immich-protocol server in this test that answers with
 * the same lite models but, like Immich's, sends no `x-hearth-ml-models` header, so its faces are
 * recorded under the name Hearth asks for, `buffalo_l`; a Hearth ML server would refuse that name,
 * node/ml/README.md). The remote's vectors are as close to the local ones as vectors get, so only the recorded model
 * keeps them apart: a second model's faces never join a person made from the first model's faces.
 * Then Immich's `PUT /api/jobs/faceDetection` and `/facialRecognition` with `force` (held by a
 * paused backlog until "run now") redo every asset exactly once, move every face to the model in
 * use, and keep the named person; `start` without force queues only what is missing.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { resolve } from 'node:path'
import sharp from 'sharp'
import { oneEngine } from '../helpers/engines.ts'
import { litePack } from '../helpers/models.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { variants } from './variants.ts'
import { createLocalMl } from '../../node/ml/remote/local.ts'
import type { createRemoteMl } from '../../node/ml/remote/client.ts'
import { waitFor } from '../helpers/process.ts'

const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets')
const portrait = `${fixtures}/metadata/faces/portrait.jpg`
const craftBeer = `${fixtures}/albums/text/craft-beer.jpg`

/** Polls every 200 ms: the checks query a node that is busy running models. */
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 300_000) => waitFor(what, check, timeoutMs, 200)

/**
 * An Immich ML server for faces: `/ping` and `/predict`, answering with the lite analyzer (set
 * once the node's models exist). Records a digest of every image it was asked about.
 */
function faceServer () {
  let local: ReturnType<typeof createLocalMl> | undefined
  const asked: string[] = []
  const state = { up: false }
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/ping') { res.writeHead(state.up ? 200 : 503).end(state.up ? 'pong' : 'down'); return }
      if (req.url !== '/predict' || req.method !== 'POST' || !state.up || local === undefined) { res.writeHead(503).end(); return }
      const form = await new Request('http://ml/predict', { method: 'POST', headers: req.headers as Record<string, string>, body: Readable.toWeb(req as IncomingMessage) as ReadableStream, duplex: 'half' } as RequestInit).formData()
      const entries = JSON.parse(String(form.get('entries'))) as Record<string, unknown>
      const image = Buffer.from(await (form.get('image') as Blob).arrayBuffer())
      if (entries['facial-recognition'] === undefined) { res.writeHead(400).end('{"message":"faces only"}'); return }
      asked.push(createHash('sha256').update(image).digest('hex'))
      const faces = await local.faces.detect(image)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...faces, 'facial-recognition': faces.faces }))
    })().catch((err: unknown) => { res.writeHead(500).end(JSON.stringify({ message: (err as Error).message })) })
  })
  return {
    state,
    asked,
    setLocal (l: ReturnType<typeof createLocalMl>) { local = l },
    async listen () { await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok)); return `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()) }),
  }
}

for (const engine of oneEngine('postgres')) {
  describe(`[${engine}] faces of two models`, { skip: existsSync(portrait) && existsSync(craftBeer) ? false : 'needs ../shared/fixtures' }, () => {
    let t: TestNode
    let me: Session
    const remote = faceServer()
    const ids: Record<string, string> = {}
    const q = <T>(sql: string, params: unknown[] = []) => t.node.db.query<T>(sql, params)
    const ran = async (id: string, stage: string) => (await q('SELECT 1 FROM asset_ml_runs WHERE asset_id = $1 AND stage = $2', [id, stage])).length > 0
    /** The faces of an asset, left to right, with their person and model. */
    const facesOf = (asset: string) => q<{ id: string, person_id: string | null, model: string, name: string | null }>(
      `SELECT f.id, f.person_id, fs.model, p.name FROM asset_faces f JOIN face_search fs ON fs.face_id = f.id LEFT JOIN people p ON p.id = f.person_id
       WHERE f.asset_id = $1 AND f.deleted_at IS NULL ORDER BY f.bounding_box_x1`, [asset])
    const personOf = async (asset: string, side: 'left' | 'right' = 'left') => {
      const faces = await facesOf(asset)
      return (side === 'left' ? faces[0] : faces.at(-1))?.person_id ?? null
    }
    const put = (path: string, body: unknown) => t.client.call('PUT', path, { headers: me.headers, body })
    const window = (action: 'pause' | 'run-now') => t.client.call('POST', '/api/admin/ml/window', { headers: me.headers, body: { action } })
    const setRemote = async (up: boolean) => {
      remote.state.up = up
      await (t.node.ml.remote as ReturnType<typeof createRemoteMl>).check()
      assert.equal(t.node.ml.remote.available(), up)
    }
    const upload = async (files: Array<{ name: string, data: Uint8Array }>) => {
      for (const f of files) {
        const r = await t.client.upload(me, f)
        assert.equal(r.status, 201, JSON.stringify(r.body))
        ids[f.name] = r.body.id as string
      }
      for (const f of files) await until(`faces and people of ${f.name}`, () => ran(ids[f.name]!, 'people'))
    }
    /** The newest job so far: jobs after it are the ones a command queued. */
    const lastJob = async () => (await q<{ id: number | null }>('SELECT max(id)::int AS id FROM jobs'))[0]!.id ?? 0
    /** The assets of a stage's completed jobs queued after job `since`: one each means every asset ran once. */
    const jobsSince = async (stage: string, since: number) => (await q<{ asset: string }>(
      `SELECT payload->>'assetId' AS asset FROM jobs WHERE name = $1 AND id > $2 AND status = 'completed'`, [stage, since])).map((r) => r.asset).sort()

    before(async () => {
      const url = await remote.listen()
      t = await startTestNode(engine, { HEARTH_MODELS_DIR: await litePack(), HEARTH_ML_URLS: url })
      remote.setLocal(createLocalMl({ models: t.node.ml.models, runtime: t.node.runtime }))
      me = await t.client.signUpAdmin()
      // Faces only: the test's server answers nothing else.
      assert.equal((await put('/api/system-config', { machineLearning: { clip: { enabled: false }, ocr: { enabled: false } } })).status, 200)
      await setRemote(false)
    })
    after(async () => {
      await t?.stop()
      await remote.close()
    })

    test('the lite pack\'s faces are recorded as lite/fr_feature; the remote\'s as the model asked for; they never share a person', async () => {
      await upload([
        ...await variants(portrait, ['original', 'resized', 'recompressed']),
        ...await variants(craftBeer, ['original', 'resized', 'recompressed']),
      ])
      const marie = (await personOf(ids['portrait-original.jpg']!))!
      assert.ok(marie !== null)
      for (const v of ['resized', 'recompressed']) assert.equal(await personOf(ids[`portrait-${v}.jpg`]!), marie)
      assert.deepEqual((await q<{ model: string }>('SELECT DISTINCT model FROM face_search')).map((r) => r.model), ['lite/fr_feature'])
      assert.equal((await put(`/api/people/${marie}`, { name: 'Marie Curie' })).status, 200)

      // The remote comes up: three more photos of Marie, embedded there by the same weights.
      await setRemote(true)
      const more = [
        ...await variants(portrait, ['mirrored', 'rotated']),
        { name: 'portrait-q60.jpg', data: new Uint8Array(await sharp(portrait).rotate().resize({ width: 1100 }).jpeg({ quality: 60 }).toBuffer()) },
      ]
      await upload(more)
      assert.equal(remote.asked.length, 3, 'the remote embedded the three new photos')
      const second = [await personOf(ids['portrait-mirrored.jpg']!, 'right'), await personOf(ids['portrait-rotated.jpg']!), await personOf(ids['portrait-q60.jpg']!)]
      for (const f of more) assert.ok((await facesOf(ids[f.name]!)).every((x) => x.model === 'buffalo_l'), `${f.name} is recorded as buffalo_l`)
      // Without the model the new faces would sit at distance ~0 from Marie's and join her.
      assert.ok(second.every((p) => p !== marie), 'no buffalo_l face joined Marie, a person of lite faces')
      assert.ok(second[0] !== null && second.every((p) => p === second[0]), 'the three buffalo_l faces of Marie form a person of their own')
      const [{ n }] = await q<{ n: number }>('SELECT count(*)::int AS n FROM asset_faces WHERE person_id = $1', [marie])
      assert.equal(n, 3, 'Marie still has exactly her three lite faces')
      // Face neighbours, as clustering asks for them, are of one model.
      const face = (await facesOf(ids['portrait-original.jpg']!))[0]!
      const e = (await t.node.people.repo.embedding(face.id))!
      assert.equal(e.model, 'lite/fr_feature')
      const [{ owner }] = await q<{ owner: string }>('SELECT owner_id AS owner FROM assets WHERE id = $1', [ids['portrait-original.jpg']])
      const lite = await t.node.people.repo.nearest(owner, e.vector, { model: 'lite/fr_feature', maxDistance: 2, limit: 50 })
      const buffalo = await t.node.people.repo.nearest(owner, e.vector, { model: 'buffalo_l', maxDistance: 2, limit: 50 })
      const [{ lites, buffalos }] = await q<{ lites: number, buffalos: number }>(
        `SELECT count(*) FILTER (WHERE model = 'lite/fr_feature')::int AS lites, count(*) FILTER (WHERE model = 'buffalo_l')::int AS buffalos FROM face_search`)
      assert.deepEqual([lite.length, buffalo.length], [lites, buffalos])
      assert.ok(buffalo[0]!.distance < 0.1, `the remote's Marie is ${buffalo[0]!.distance} away: well within maxDistance (0.5), kept apart only by the model`)
    })

    test('faceDetection with force: held by the paused backlog, then every asset once, every face of the model in use, Marie kept', async () => {
      const assets = Object.values(ids).sort()
      const marie = (await personOf(ids['portrait-original.jpg']!))!
      const woman = (await personOf(ids['craft-beer-original.jpg']!))!
      assert.equal((await window('pause')).status, 200)
      const since = await lastJob()
      const asked = remote.asked.length
      const r = await put('/api/jobs/faceDetection', { command: 'start', force: true })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.equal(r.body.jobCounts.waiting, assets.length, 'every asset is queued')
      assert.equal((await q('SELECT 1 FROM asset_ml_runs WHERE stage = \'faces\'')).length, 0, 'what ran is forgotten')
      await t.node.jobs.drained(['faceDetection', 'facialRecognition'])
      assert.equal(remote.asked.length, asked, 'nothing runs while the backlog is paused')

      assert.equal((await window('run-now')).status, 200)
      await until('every asset through faces and people again', async () => {
        for (const id of assets) if (!await ran(id, 'people')) return false
        return true
      })
      await t.node.jobs.drained(['faceDetection', 'facialRecognition'])
      const digests = remote.asked.slice(asked)
      assert.equal(digests.length, assets.length, 'the remote saw each asset')
      assert.equal(new Set(digests).size, assets.length, '... exactly once')
      assert.deepEqual(await jobsSince('faces', since), assets)
      assert.deepEqual(await jobsSince('people', since), assets)
      assert.deepEqual((await q<{ model: string }>('SELECT DISTINCT model FROM face_search')).map((x) => x.model), ['buffalo_l'])

      const kept = await t.client.call('GET', `/api/people/${marie}`, { headers: me.headers })
      assert.equal(kept.status, 200)
      assert.equal(kept.body.name, 'Marie Curie')
      for (const v of ['original', 'resized', 'recompressed']) assert.equal(await personOf(ids[`portrait-${v}.jpg`]!), marie, `Marie keeps her face on ${v}`)
      // The woman's unnamed person gave her faces back; clustering made her again from buffalo_l faces.
      assert.equal((await t.client.call('GET', `/api/people/${woman}`, { headers: me.headers })).status, 404)
      const women = await Promise.all(['original', 'resized', 'recompressed'].map((v) => personOf(ids[`craft-beer-${v}.jpg`]!)))
      assert.ok(women[0] !== null && women[0] !== marie && women.every((p) => p === women[0]), JSON.stringify(women))
    })

    test('facialRecognition with force re-clusters unnamed people from scratch and keeps Marie; start without force queues only what is missing', async () => {
      const assets = Object.values(ids).sort()
      const marie = (await personOf(ids['portrait-original.jpg']!))!
      const woman = (await personOf(ids['craft-beer-original.jpg']!))!
      assert.equal((await window('pause')).status, 200)
      const since = await lastJob()
      const r = await put('/api/jobs/facialRecognition', { command: 'start', force: true })
      assert.equal(r.status, 200)
      // Immich's reset happens at once: unnamed people are gone, named ones keep their faces.
      assert.equal((await t.client.call('GET', `/api/people/${woman}`, { headers: me.headers })).status, 404)
      assert.equal(await personOf(ids['craft-beer-original.jpg']!), null)
      assert.equal(await personOf(ids['portrait-original.jpg']!), marie)
      assert.equal(r.body.jobCounts.waiting, assets.length)

      assert.equal((await window('run-now')).status, 200)
      await until('people again', async () => {
        for (const id of assets) if (!await ran(id, 'people')) return false
        return true
      })
      await t.node.jobs.drained(['faceDetection', 'facialRecognition'])
      assert.deepEqual(await jobsSince('people', since), assets, 'every asset once')
      assert.deepEqual(await jobsSince('faces', since), [], 'detection is not redone')
      const women = await Promise.all(['original', 'resized', 'recompressed'].map((v) => personOf(ids[`craft-beer-${v}.jpg`]!)))
      assert.ok(women[0] !== null && women[0] !== woman && women.every((p) => p === women[0]), JSON.stringify(women))
      for (const v of ['original', 'resized', 'recompressed']) assert.equal(await personOf(ids[`portrait-${v}.jpg`]!), marie)
      // Every face of Marie is now of one model, so the ones the remote found first join her too.
      assert.equal(await personOf(ids['portrait-mirrored.jpg']!, 'right'), marie)
      for (const f of ['portrait-rotated.jpg', 'portrait-q60.jpg']) assert.equal(await personOf(ids[f]!), marie, f)

      // Without force: only an asset missing its run is queued.
      const missing = ids['portrait-rotated.jpg']!
      await q('DELETE FROM asset_ml_runs WHERE asset_id = $1 AND stage = \'people\'', [missing])
      const later = await lastJob()
      assert.equal((await put('/api/jobs/facialRecognition', { command: 'start' })).status, 200)
      assert.equal((await window('run-now')).status, 200)
      await until('the missing one', () => ran(missing, 'people'))
      await t.node.jobs.drained(['faceDetection', 'facialRecognition'])
      assert.deepEqual(await jobsSince('people', later), [missing])
    })
  })
}
