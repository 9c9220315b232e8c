import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

for (const engine of engines) {
  describe(`[${engine}] timeline and metadata search`, () => {
    let t: TestNode
    let me: Session
    let other: Session
    const dates = ['2019-07-01T08:00:00Z', '2019-07-31T23:30:00Z', '2021-02-14T12:00:00Z', '2024-12-25T18:00:00Z', '2024-12-01T00:00:00Z']
    before(async () => {
      t = await startTestNode(engine)
      me = await t.client.signUpAdmin()
      other = await t.client.createUser(me, 'other@example.org')
      for (const [i, d] of dates.entries()) {
        const r = await t.client.upload(me, { name: `d${i}.${i === 2 ? 'mp4' : 'jpg'}`, data: randomBytes(800) }, { fields: { fileCreatedAt: d } })
        assert.equal(r.status, 201)
      }
      await t.client.upload(other, { name: 'theirs.jpg', data: randomBytes(800) }, { fields: { fileCreatedAt: '2019-07-02T00:00:00Z' } })
    })
    after(async () => { await t.stop() })

    test('buckets are months, newest first, counting only my assets', async () => {
      const r = await t.client.call('GET', '/api/timeline/buckets', { headers: me.headers })
      assert.equal(r.status, 200)
      assert.deepEqual(r.body, [
        { timeBucket: '2024-12-01', count: 2 },
        { timeBucket: '2021-02-01', count: 1 },
        { timeBucket: '2019-07-01', count: 2 },
      ])
      const asc = await t.client.call('GET', '/api/timeline/buckets?order=asc', { headers: me.headers })
      assert.equal(asc.body[0].timeBucket, '2019-07-01')
    })

    test('a bucket lists its assets in columns; the month boundary is exact', async () => {
      const r = await t.client.call('GET', '/api/timeline/bucket?timeBucket=2019-07-01', { headers: me.headers })
      assert.equal(r.status, 200)
      assert.equal(r.body.id.length, 2)
      assert.deepEqual(r.body.fileCreatedAt, ['2019-07-31T23:30:00.000Z', '2019-07-01T08:00:00.000Z'])
      assert.deepEqual(r.body.isImage, [true, true])
      for (const key of ['ownerId', 'ratio', 'isFavorite', 'visibility', 'isTrashed', 'thumbhash', 'localOffsetHours', 'duration', 'livePhotoVideoId', 'city', 'country']) {
        assert.equal(r.body[key].length, 2, key)
      }
      const video = await t.client.call('GET', '/api/timeline/bucket?timeBucket=2021-02-01', { headers: me.headers })
      assert.deepEqual(video.body.isImage, [false])
      assert.equal((await t.client.call('GET', '/api/timeline/bucket?timeBucket=July', { headers: me.headers })).status, 400)
      // Trash leaves the timeline.
      await t.client.call('DELETE', '/api/assets', { headers: me.headers, body: { ids: [video.body.id[0]] } })
      const buckets = await t.client.call('GET', '/api/timeline/buckets', { headers: me.headers })
      assert.ok(!buckets.body.some((b: { timeBucket: string }) => b.timeBucket === '2021-02-01'))
      const trash = await t.client.call('GET', '/api/timeline/buckets?isTrashed=true', { headers: me.headers })
      assert.deepEqual(trash.body, [{ timeBucket: '2021-02-01', count: 1 }])
    })

    test('metadata search filters by date range, type and name', async () => {
      const search = async (body: Record<string, unknown>) =>
        (await t.client.call('POST', '/api/search/metadata', { headers: me.headers, body })).body.assets.items.map((a: { originalFileName: string }) => a.originalFileName)
      assert.deepEqual(await search({ takenAfter: '2024-01-01T00:00:00Z' }), ['d3.jpg', 'd4.jpg'])
      assert.deepEqual(await search({ takenAfter: '2019-01-01T00:00:00Z', takenBefore: '2019-12-31T23:59:59Z', order: 'asc' }), ['d0.jpg', 'd1.jpg'])
      assert.deepEqual(await search({ type: 'VIDEO', withDeleted: true }), ['d2.mp4'])
      assert.deepEqual(await search({ originalFileName: 'theirs' }), [], 'never another user\'s')
      assert.deepEqual(await search({ make: null, takenAfter: '2024-12-24T00:00:00Z' }), ['d3.jpg'], 'make: null matches unknown make')
    })
  })
}
