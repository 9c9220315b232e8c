/**
 * OCR through a real node with the lite pack, on both engines: uploaded photos are read by the ocr
 * stage after their preview, the lines come back from GET /api/assets/:id/ocr in Immich's shape,
 * their words find the photo through search, and a preview that cannot be decoded fails its OCR
 * job only.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { litePack } from '../helpers/models.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { createOcrRepo } from '../../node/ocr/repo.ts'
import { waitFor } from '../helpers/process.ts'

const shared = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets/albums')

/** Polls every 200 ms: the checks query a node that is busy running models. */
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 240_000) => waitFor(what, check, timeoutMs, 200)

for (const engine of engines) {
  describe(`[${engine}] OCR through the pipeline`, { skip: existsSync(shared) ? false : 'needs ../shared/fixtures' }, () => {
    let t: TestNode
    let me: Session
    let other: Session
    const ids: Record<string, string> = {}
    const ocrDone = async (id: string) => (await t.node.db.query(`SELECT 1 FROM asset_ml_runs WHERE asset_id = $1 AND stage = 'ocr'`, [id])).length > 0
    before(async () => {
      t = await startTestNode(engine, { HEARTH_MODELS_DIR: await litePack() })
      me = await t.client.signUpAdmin()
      other = await t.client.createUser(me, 'other@example.org')
      for (const [key, path] of [['beer', 'text/craft-beer.jpg'], ['notes', 'text/handwritten-notes.jpg'], ['falcon', 'nature/prairie_falcon.jpg']]) {
        const r = await t.client.upload(me, resolve(shared, path!))
        assert.equal(r.status, 201)
        ids[key!] = r.body.id as string
      }
      for (const id of Object.values(ids)) await until(`OCR of ${id}`, () => ocrDone(id))
    })
    after(async () => { await t?.stop() })

    test('GET /api/assets/:id/ocr: lines with normalised corners and scores, for whoever may read the asset', async () => {
      const r = await t.client.call('GET', `/api/assets/${ids.beer}/ocr`, { headers: me.headers })
      assert.equal(r.status, 200)
      const lines = r.body as Array<Record<string, number | string>>
      assert.ok(lines.length >= 10, JSON.stringify(lines.map((l) => l.text)))
      for (const l of lines) {
        assert.deepEqual(Object.keys(l).sort(), ['assetId', 'boxScore', 'id', 'text', 'textScore', 'x1', 'x2', 'x3', 'x4', 'y1', 'y2', 'y3', 'y4'])
        assert.equal(l.assetId, ids.beer)
        for (const k of ['x1', 'x2', 'x3', 'x4', 'y1', 'y2', 'y3', 'y4']) assert.ok((l[k] as number) >= 0 && (l[k] as number) <= 1, k)
        assert.ok((l.x2 as number) > (l.x1 as number) && (l.y4 as number) > (l.y1 as number))
      }
      assert.ok(lines.some((l) => /hopadillo/i.test(l.text as string)))
      assert.deepEqual((await t.client.call('GET', `/api/assets/${ids.falcon}/ocr`, { headers: me.headers })).body, [], 'no text, no lines')
      assert.equal((await t.client.call('GET', `/api/assets/${ids.beer}/ocr`, { headers: other.headers })).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${ids.beer}/ocr`)).status, 401)
    })

    test('a word read in a photo finds it: metadata search and the search-repo function', async () => {
      const find = async (who: Session, ocr: string) =>
        ((await t.client.call('POST', '/api/search/metadata', { headers: who.headers, body: { ocr } })).body.assets.items as Array<{ id: string }>).map((a) => a.id)
      assert.deepEqual(await find(me, 'hopadillo'), [ids.beer])
      assert.deepEqual(await find(me, 'IMPORTANT'), [ids.notes])
      assert.deepEqual(await find(me, 'rodeo clown'), [ids.beer], 'all the words')
      assert.deepEqual(await find(me, 'ADILL'), [ids.beer], 'part of a word')
      assert.deepEqual(await find(me, 'zebra crossing'), [])
      assert.deepEqual(await find(other, 'hopadillo'), [], 'another user\'s photos are not searched')
      const repo = createOcrRepo(t.node.db)
      const hits = await repo.search((await t.client.call('GET', '/api/users/me', { headers: me.headers })).body.id, 'barrel aged')
      assert.deepEqual(hits.map((h) => h.assetId), [ids.beer])
      assert.ok(hits[0]!.score > 0.5 && hits[0]!.score <= 1)
    })

    test('a preview that cannot be decoded fails that OCR job only', async () => {
      const [row] = await t.node.db.query<{ preview_path: string }>('SELECT preview_path FROM assets WHERE id = $1', [ids.notes])
      await writeFile(resolve(t.node.config.HEARTH_DATA_DIR, row!.preview_path), Buffer.from('not a jpeg at all'))
      await t.node.db.query(`DELETE FROM asset_ml_runs WHERE asset_id = $1 AND stage = 'ocr'`, [ids.notes])
      await t.node.ml.enqueueAsset(ids.notes!, 'interactive')
      await until('the OCR job to fail', async () => (await t.node.db.query(
        `SELECT 1 FROM jobs WHERE queue = 'ocr' AND payload->>'assetId' = $1 AND status = 'failed'`, [ids.notes])).length > 0, 60_000)
      const [job] = await t.node.db.query<{ last_error: string }>(`SELECT last_error FROM jobs WHERE queue = 'ocr' AND payload->>'assetId' = $1 AND status = 'failed'`, [ids.notes])
      assert.match(job!.last_error, /OCR: the image could not be decoded/)
      assert.equal(await ocrDone(ids.notes!), false)
      // The earlier result stays, and the rest of the library is untouched.
      assert.ok(((await t.client.call('GET', `/api/assets/${ids.notes}/ocr`, { headers: me.headers })).body as unknown[]).length > 0)
      assert.ok(await ocrDone(ids.beer!))
      assert.equal((await t.client.call('GET', '/api/server/ping')).status, 200)
    })
  })
}
