/**
 * Album activity (Immich's /api/activities) on both engines: the album's owner and the people it
 * is shared with like it and its photos and comment; someone it is not shared with sees and writes
 * nothing; a like is kept once; a comment goes with its author's or the owner's removal; the owner
 * turns activity off; a photo taken out of the album is refused.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

for (const engine of engines) {
  describe(`[${engine}] album activity`, () => {
    let t: TestNode
    let ann: Session, ben: Session, cat: Session
    let album = ''
    let photo = ''
    let outside = ''
    const call = (s: Session, method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: s.headers, body })

    before(async () => {
      t = await startTestNode(engine)
      ann = await t.client.signUpAdmin()
      ben = await t.client.createUser(ann, 'ben@example.org')
      cat = await t.client.createUser(ann, 'cat@example.org')
      const jpeg = async (c: string) => sharp({ create: { width: 20, height: 20, channels: 3, background: c } }).jpeg().toBuffer()
      photo = (await t.client.upload(ann, { name: 'beach.jpg', data: await jpeg('#48c') })).body.id
      outside = (await t.client.upload(ann, { name: 'other.jpg', data: await jpeg('#c84') })).body.id
      album = (await call(ann, 'POST', '/api/albums', { albumName: 'Summer', assetIds: [photo] })).body.id
      const benId = (await call(ben, 'GET', '/api/users/me')).body.id
      assert.equal((await call(ann, 'PUT', `/api/albums/${album}/users`, { albumUsers: [{ userId: benId, role: 'viewer' }] })).status, 200)
    })
    after(async () => { await t.stop() })

    test('owner and viewer like and comment; a like is kept once; the list and the counts; nobody else sees or writes any', async () => {
      const like = await call(ben, 'POST', '/api/activities', { albumId: album, assetId: photo, type: 'like' })
      assert.equal(like.status, 201, JSON.stringify(like.body))
      assert.deepEqual([like.body.type, like.body.assetId, like.body.user.email], ['like', photo, 'ben@example.org'])
      const again = await call(ben, 'POST', '/api/activities', { albumId: album, assetId: photo, type: 'like' })
      assert.deepEqual([again.status, again.body.id], [200, like.body.id], 'liked once')
      const comment = await call(ann, 'POST', '/api/activities', { albumId: album, type: 'comment', comment: '  What a day!  ' })
      assert.equal(comment.status, 201)
      assert.equal(comment.body.comment, 'What a day!')
      assert.equal((await call(ben, 'POST', '/api/activities', { albumId: album, type: 'comment', comment: 'Lovely' })).status, 201)
      assert.equal((await call(ben, 'POST', '/api/activities', { albumId: album, type: 'like' })).status, 201, 'the album itself')
      // Refused: nothing to say, a photo not in the album, someone it is not shared with.
      assert.equal((await call(ben, 'POST', '/api/activities', { albumId: album, type: 'comment', comment: '   ' })).status, 400)
      const notIn = await call(ann, 'POST', '/api/activities', { albumId: album, assetId: outside, type: 'like' })
      assert.equal(notIn.status, 400)
      assert.match(notIn.body.message, /not in this album/)
      assert.equal((await call(cat, 'POST', '/api/activities', { albumId: album, type: 'like' })).status, 404)
      assert.equal((await call(cat, 'GET', `/api/activities?albumId=${album}`)).status, 404)
      const list = (await call(ben, 'GET', `/api/activities?albumId=${album}`)).body as Array<{ type: string, user: { email: string }, comment?: string, assetId: string | null }>
      assert.deepEqual(list.map((a) => [a.type, a.user.email, a.comment ?? null, a.assetId]), [
        ['like', 'ben@example.org', null, photo], ['comment', 'admin@example.org', 'What a day!', null], ['comment', 'ben@example.org', 'Lovely', null], ['like', 'ben@example.org', null, null]])
      assert.deepEqual((await call(ann, 'GET', `/api/activities?albumId=${album}&assetId=${photo}`)).body.map((a: { type: string }) => a.type), ['like'])
      assert.equal((await call(ann, 'GET', `/api/activities?albumId=${album}&level=album&type=comment`)).body.length, 2)
      assert.deepEqual((await call(ann, 'GET', `/api/activities/statistics?albumId=${album}`)).body, { comments: 2, likes: 2 })
      assert.deepEqual((await call(ann, 'GET', `/api/activities/statistics?albumId=${album}&assetId=${photo}`)).body, { comments: 0, likes: 1 })
    })

    test('a comment is removed by its author or the owner, not by another; activity turned off takes no more', async () => {
      const list = (await call(ann, 'GET', `/api/activities?albumId=${album}&type=comment`)).body as Array<{ id: string, user: { email: string } }>
      const anns = list.find((a) => a.user.email === 'admin@example.org')!
      const bens = list.find((a) => a.user.email === 'ben@example.org')!
      assert.equal((await call(ben, 'DELETE', `/api/activities/${anns.id}`)).status, 403, 'not his')
      assert.equal((await call(cat, 'DELETE', `/api/activities/${bens.id}`)).status, 404)
      assert.equal((await call(ann, 'DELETE', `/api/activities/${bens.id}`)).status, 204, 'the owner may')
      assert.equal((await call(ann, 'DELETE', `/api/activities/${anns.id}`)).status, 204)
      assert.deepEqual((await call(ann, 'GET', `/api/activities/statistics?albumId=${album}`)).body, { comments: 0, likes: 2 })
      assert.equal((await call(ben, 'PATCH', `/api/albums/${album}`, { isActivityEnabled: false })).status, 403, 'the owner decides')
      const off = await call(ann, 'PATCH', `/api/albums/${album}`, { isActivityEnabled: false })
      assert.equal(off.body.isActivityEnabled, false)
      const refused = await call(ben, 'POST', '/api/activities', { albumId: album, type: 'comment', comment: 'still here?' })
      assert.equal(refused.status, 403)
      assert.match(refused.body.message, /turned off/)
      assert.equal((await call(ann, 'PATCH', `/api/albums/${album}`, { isActivityEnabled: true })).body.isActivityEnabled, true)
      // A deleted album takes its likes and comments with it.
      assert.equal((await call(ann, 'DELETE', `/api/albums/${album}`)).status, 204)
      assert.deepEqual(await t.node.db.query('SELECT id FROM activities'), [])
    })
  })
}
