/**
 * The ML pipeline through a real node: a new upload's preview starts every available stage,
 * stages with prerequisites follow them, what ran is recorded once per (asset, stage, version),
 * a failing stage fails its job and not the node, an unavailable stage gets its backlog when it
 * becomes available, and a trashed asset is skipped.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import type { MlAsset, MlStage } from '../../node/ml/stage.ts'
import { waitFor } from '../helpers/process.ts'

const photo = async (seed: number) => ({
  name: `photo-${seed}.jpg`,
  data: await sharp({ create: { width: 64 + seed, height: 48, channels: 3, background: { r: seed * 20 % 255, g: 90, b: 160 } } }).jpeg().toBuffer(),
})

/** Polls every 50 ms: the checks query a node that is busy running models. */
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 20_000) => waitFor(what, check, timeoutMs, 50)

for (const engine of engines) {
  describe(`[${engine}] the ML pipeline`, () => {
    let t: TestNode
    let me: Session
    const seen: Array<{ stage: string, asset: MlAsset }> = []
    let sometimesAvailable = false
    let failures = 0
    const stage = (name: string, queue: MlStage['queue'], extra: Partial<MlStage> = {}): MlStage => ({
      name, queue, version: 1, available: async () => true,
      async run (asset) { seen.push({ stage: name, asset }) },
      ...extra,
    })
    const stages = {
      detect: stage('test-detect', 'faceDetection'),
      recognise: stage('test-recognise', 'facialRecognition', { after: ['test-detect'] }),
      late: stage('test-late', 'smartSearch', { available: async () => sometimesAvailable }),
      broken: stage('test-broken', 'ocr', { async run () { failures++; throw new Error('the model choked on this image') } }),
    }
    const runs = async () => t.node.db.query<{ asset_id: string, stage: string, version: number }>(`SELECT asset_id, stage, version FROM asset_ml_runs WHERE stage LIKE 'test-%' ORDER BY stage`)

    before(async () => {
      t = await startTestNode(engine, { HEARTH_ML_WINDOW: '00:00-00:00' }, {
        modules: [(ctx) => { for (const s of Object.values(stages)) ctx.ml.addStage(s); return { name: 'test-stages' } }],
      })
      me = await t.client.signUpAdmin()
    })
    after(async () => { await t?.stop() })

    test('an upload runs each available stage once its preview exists, prerequisites first, and records it', async () => {
      const up = await t.client.upload(me, await photo(1))
      assert.equal(up.status, 201)
      const id = up.body.id as string
      await until('both stages', async () => (await runs()).filter((r) => r.asset_id === id).length === 2)
      const order = seen.filter((s) => s.asset.id === id).map((s) => s.stage)
      assert.deepEqual(order, ['test-detect', 'test-recognise'])
      const a = seen.find((s) => s.asset.id === id)!.asset
      assert.match(a.previewPath, /^\/.*-preview\.jpeg$/, 'stages get the preview as an absolute path')
      assert.equal(a.type, 'IMAGE')
      assert.equal(a.width, 65)
      assert.deepEqual((await runs()).filter((r) => r.asset_id === id).map((r) => [r.stage, r.version]), [['test-detect', 1], ['test-recognise', 1]])
      assert.ok(!seen.some((s) => s.stage === 'test-late'), 'an unavailable stage is not run')
      // The broken stage failed its job (to be retried), and the node is still serving.
      await until('the broken stage to fail', async () => failures > 0)
      const [failed] = await t.node.db.query<{ last_error: string | null }>(`SELECT last_error FROM jobs WHERE queue = 'ocr' AND name = 'test-broken'`)
      await until('the failure to be recorded', async () => (await t.node.db.query<{ last_error: string | null }>(`SELECT last_error FROM jobs WHERE queue = 'ocr'`))[0]?.last_error != null)
      assert.ok(failed !== undefined)
      assert.equal((await t.client.call('GET', '/api/server/ping')).status, 200)

      // Asked again, nothing is repeated.
      assert.equal(await t.node.ml.enqueueAsset(id, 'interactive'), 0, 'done stages are not enqueued again, and the broken one already waits for its retry')
      const jobsOf = await t.node.db.query<{ name: string }>(`SELECT name FROM jobs WHERE payload->>'assetId' = $1 AND payload->>'stage' LIKE 'test-%' ORDER BY name`, [id])
      assert.deepEqual(jobsOf.map((j) => j.name), ['test-broken', 'test-detect', 'test-recognise'])
    })

    test('a stage that becomes available gets the backlog; a bumped version redoes every asset', async () => {
      const up = await t.client.upload(me, await photo(2))
      const id2 = up.body.id as string
      await until('the second photo', async () => (await runs()).filter((r) => r.asset_id === id2).length === 2)
      const features = async () => (await t.client.call('GET', '/api/server/features')).body
      assert.equal((await features()).smartSearch, false, 'no smart search while its stage is unavailable')
      assert.equal((await features()).facialRecognition, true)
      sometimesAvailable = true
      assert.equal(await t.node.ml.recheck(), 2, 'both photos are queued for the stage that appeared')
      assert.equal((await features()).smartSearch, true)
      await t.node.jobs.drained(['smartSearch'])
      assert.equal((await runs()).filter((r) => r.stage === 'test-late').length, 2)
      assert.equal(await t.node.ml.enqueueMissing('test-late'), 0, 'nothing is missing any more')

      stages.detect.version = 2
      const before = seen.filter((s) => s.stage === 'test-recognise').length
      assert.equal(await t.node.ml.enqueueMissing('test-detect'), 2)
      await t.node.jobs.drained(['faceDetection', 'facialRecognition'])
      await until('the dependants to be redone', async () => seen.filter((s) => s.stage === 'test-recognise').length === before + 2)
      assert.deepEqual([...new Set((await runs()).filter((r) => r.stage === 'test-detect').map((r) => r.version))], [2])
      const status = (await t.node.ml.status()).filter((s) => s.name.startsWith('test-'))
      assert.deepEqual(status.map((s) => [s.name, s.available, s.done, s.total]),
        [['test-detect', true, 2, 2], ['test-recognise', true, 2, 2], ['test-late', true, 2, 2], ['test-broken', true, 0, 2]])
    })

    test('a capability switched off in system-config is not offered and not enqueued', async () => {
      const put = await t.client.call('PUT', '/api/system-config', { headers: me.headers, body: { machineLearning: { clip: { enabled: false } } } })
      assert.equal(put.status, 200)
      assert.equal((await t.client.call('GET', '/api/server/features')).body.smartSearch, false)
      const up = await t.client.upload(me, await photo(4))
      const id = up.body.id as string
      await until('the other stages', async () => (await runs()).filter((r) => r.asset_id === id).length === 2)
      await t.node.jobs.drained()
      assert.equal((await runs()).filter((r) => r.asset_id === id && r.stage === 'test-late').length, 0)
      await t.client.call('PUT', '/api/system-config', { headers: me.headers, body: { machineLearning: { clip: { enabled: true } } } })
      await until('the switched-on stage to catch up', async () => (await runs()).filter((r) => r.asset_id === id && r.stage === 'test-late').length === 1)
    })

    test('a trashed asset is skipped, and its records go with it when it is deleted for good', async () => {
      const up = await t.client.upload(me, await photo(3))
      const id = up.body.id as string
      await until('the third photo', async () => (await runs()).filter((r) => r.asset_id === id).length >= 2)
      const del = await t.client.call('DELETE', '/api/assets', { headers: me.headers, body: { ids: [id] } })
      assert.equal(del.status, 204)
      const before = seen.length
      stages.late.version = 7
      await t.node.ml.enqueueAsset(id, 'interactive')
      await t.node.jobs.drained(['smartSearch'])
      assert.equal(seen.slice(before).filter((s) => s.asset.id === id).length, 0, 'nothing ran on the trashed asset')
      await t.node.db.query('DELETE FROM assets WHERE id = $1', [id])
      assert.equal((await runs()).filter((r) => r.asset_id === id).length, 0)
    })
  })
}
