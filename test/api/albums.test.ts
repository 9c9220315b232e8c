import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

for (const engine of engines) {
  describe(`[${engine}] albums`, () => {
    let t: TestNode
    let me: Session
    const ids: string[] = []
    before(async () => {
      t = await startTestNode(engine)
      me = await t.client.signUpAdmin()
      for (let i = 0; i < 3; i++) {
        const up = await t.client.upload(me, { name: `p${i}.jpg`, data: randomBytes(1000) }, { fields: { fileCreatedAt: `2023-0${i + 1}-10T12:00:00Z` } })
        ids.push(up.body.id as string)
      }
    })
    after(async () => { await t.stop() })

    test('create with assets, add more, duplicates and unknowns reported per id', async () => {
      const created = await t.client.call('POST', '/api/albums', { headers: me.headers, body: { albumName: 'Summer', assetIds: [ids[0]] } })
      assert.equal(created.status, 201)
      assert.equal(created.body.albumName, 'Summer')
      assert.equal(created.body.assetCount, 1)
      assert.equal(created.body.albumThumbnailAssetId, ids[0])
      const id = created.body.id as string
      const missing = '01a211da-8a1c-7000-afc1-7e949a17900b'
      const added = await t.client.call('PUT', `/api/albums/${id}/assets`, { headers: me.headers, body: { ids: [ids[0], ids[1], ids[2], missing] } })
      assert.equal(added.status, 200)
      assert.deepEqual(added.body, [
        { id: ids[0], success: false, error: 'duplicate' },
        { id: ids[1], success: true },
        { id: ids[2], success: true },
        { id: missing, success: false, error: 'no_permission' },
      ])
      const got = await t.client.call('GET', `/api/albums/${id}`, { headers: me.headers })
      assert.equal(got.body.assetCount, 3)
      assert.deepEqual(got.body.assets.map((a: { id: string }) => a.id).sort(), [...ids].sort())
      assert.equal(got.body.startDate, '2023-01-10T12:00:00.000Z')
      assert.equal(got.body.endDate, '2023-03-10T12:00:00.000Z')
      const list = await t.client.call('GET', '/api/albums', { headers: me.headers })
      assert.deepEqual(list.body.map((a: { albumName: string }) => a.albumName), ['Summer'])
      const byAsset = await t.client.call('GET', `/api/albums?assetId=${ids[1]}`, { headers: me.headers })
      assert.equal(byAsset.body.length, 1)
    })

    test('rename, remove assets, trashed assets drop out, delete keeps the assets', async () => {
      const [album] = (await t.client.call('GET', '/api/albums', { headers: me.headers })).body
      const renamed = await t.client.call('PATCH', `/api/albums/${album.id as string}`, { headers: me.headers, body: { albumName: 'Summer 2023' } })
      assert.equal(renamed.body.albumName, 'Summer 2023')
      const removed = await t.client.call('DELETE', `/api/albums/${album.id as string}/assets`, { headers: me.headers, body: { ids: [ids[0]] } })
      assert.deepEqual(removed.body, [{ id: ids[0], success: true }])
      await t.client.call('DELETE', '/api/assets', { headers: me.headers, body: { ids: [ids[1]] } })
      assert.equal((await t.client.call('GET', `/api/albums/${album.id as string}`, { headers: me.headers })).body.assetCount, 1)
      assert.equal((await t.client.call('DELETE', `/api/albums/${album.id as string}`, { headers: me.headers })).status, 204)
      assert.equal((await t.client.call('GET', `/api/albums/${album.id as string}`, { headers: me.headers })).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${ids[2]}`, { headers: me.headers })).status, 200)
    })
  })
}
