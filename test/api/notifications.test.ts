/**
 * In-app notifications (Immich's /api/notifications) on both engines: an album shared with you,
 * photos added to it (one notification, counted up while unread) and a comment on it reach the
 * album's other members, never the one who acted; each person reads, marks and deletes only their
 * own; admins hear of a failed database backup.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

interface Note { id: string, type: string, level: string, title: string, description?: string, data?: Record<string, unknown>, readAt?: string }

for (const engine of engines) {
  describe(`[${engine}] notifications`, () => {
    let t: TestNode
    let ann: Session, ben: Session, cat: Session
    const call = (s: Session | undefined, method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: s?.headers, body })
    const notes = async (s: Session, q = '') => (await call(s, 'GET', `/api/notifications${q}`)).body as Note[]
    const photo = async (colour: string) => (await t.client.upload(ann, { name: `${colour.slice(1)}.jpg`, data: await sharp({ create: { width: 12, height: 12, channels: 3, background: colour } }).jpeg().toBuffer() })).body.id as string

    before(async () => {
      t = await startTestNode(engine)
      ann = await t.client.signUpAdmin('ann@example.org', 'correct horse battery', 'Ann')
      ben = await t.client.createUser(ann, 'ben@example.org', 'another good password', { name: 'Ben' })
      cat = await t.client.createUser(ann, 'cat@example.org', 'another good password', { name: 'Cat' })
    })
    after(async () => { await t.stop() })

    test('an album shared with Ben, photos added (counted up while unread), a comment: each heard by the others only', async () => {
      const album = (await call(ann, 'POST', '/api/albums', { albumName: 'Summer' })).body.id as string
      const benId = (await call(ben, 'GET', '/api/users/me')).body.id
      assert.equal((await call(ann, 'PUT', `/api/albums/${album}/users`, { albumUsers: [{ userId: benId, role: 'editor' }] })).status, 200)
      const [invite] = await notes(ben)
      assert.deepEqual([invite!.type, invite!.title, invite!.data], ['AlbumInvite', 'Ann shared the album “Summer” with you', { albumId: album }])

      for (const colour of ['#a00', '#0a0']) {
        assert.equal((await call(ann, 'PUT', `/api/albums/${album}/assets`, { ids: [await photo(colour)] })).status, 200)
      }
      const updates = await notes(ben, '?type=AlbumUpdate')
      assert.deepEqual(updates.map((n) => [n.title, n.data]), [['Ann added 2 photos to “Summer”', { albumId: album, count: 2 }]], 'one notification, counted up')
      assert.deepEqual(await notes(ann), [], 'the one who acts hears nothing')
      // Read, a new addition starts a new notification.
      assert.equal((await call(ben, 'PUT', `/api/notifications/${updates[0]!.id}`, { readAt: new Date().toISOString() })).status, 200)
      assert.equal((await call(ann, 'PUT', `/api/albums/${album}/assets`, { ids: [await photo('#00a')] })).status, 200)
      assert.deepEqual((await notes(ben, '?unread=true&type=AlbumUpdate')).map((n) => n.title), ['Ann added a photo to “Summer”'])

      assert.equal((await call(ben, 'POST', '/api/activities', { albumId: album, type: 'comment', comment: 'Lovely light' })).status, 201)
      assert.equal((await call(ben, 'POST', '/api/activities', { albumId: album, type: 'like' })).status, 201)
      const anns = await notes(ann)
      assert.deepEqual(anns.map((n) => [n.type, n.title, n.description]), [['AlbumUpdate', 'Ben commented on “Summer”', 'Lovely light']], 'a like is not worth a notification')
      assert.deepEqual(await notes(cat), [], 'not in the album: hears nothing')
    })

    test('a partner who shares their photos is heard of', async () => {
      const catId = (await call(cat, 'GET', '/api/users/me')).body.id
      assert.equal((await call(ann, 'POST', '/api/partners', { sharedWithId: catId })).status, 201)
      const [told] = await notes(cat)
      assert.deepEqual([told!.title, told!.data], ['Ann shares their photos with you', { partnerId: (await call(ann, 'GET', '/api/users/me')).body.id }])
      assert.equal((await call(ann, 'DELETE', `/api/partners/${catId}`)).status, 204)
      assert.equal((await call(cat, 'DELETE', `/api/notifications/${told!.id}`)).status, 204)
    })

    test('each reads, marks and deletes only their own', async () => {
      const bens = await notes(ben)
      assert.ok(bens.length >= 2)
      const id = bens[0]!.id
      assert.equal((await call(cat, 'GET', `/api/notifications/${id}`)).status, 404)
      assert.equal((await call(cat, 'DELETE', `/api/notifications/${id}`)).status, 404)
      assert.equal((await call(undefined, 'GET', '/api/notifications')).status, 401)
      assert.equal((await call(cat, 'PUT', '/api/notifications', { ids: [id], readAt: new Date().toISOString() })).status, 204)
      assert.equal((await call(ben, 'GET', `/api/notifications/${id}`)).body.readAt, undefined, 'Cat\'s bulk mark did not touch Ben\'s')
      assert.equal((await call(ben, 'PUT', '/api/notifications', { ids: bens.map((n) => n.id), readAt: new Date().toISOString() })).status, 204)
      assert.deepEqual(await notes(ben, '?unread=true'), [])
      assert.equal((await call(ben, 'PUT', `/api/notifications/${id}`, { readAt: null })).body.readAt, undefined, 'unread again')
      assert.equal((await call(ben, 'DELETE', '/api/notifications', { ids: bens.map((n) => n.id) })).status, 204)
      assert.deepEqual(await notes(ben), [])
    })

    test('admins hear of a failed database backup', async () => {
      // The node's own backup service, over a database whose backup fails (a full disk).
      const { createBackupService } = await import('../../node/backups/service.ts')
      const { createNotificationService } = await import('../../node/notifications/service.ts')
      const backups = createBackupService({
        db: { engine: 'pglite', backup: async () => { throw new Error('ENOSPC: no space left on device') } },
        dataDir: t.dataDir, keep: 2, log: t.node.log, notifications: createNotificationService({ db: t.node.db }),
      })
      await assert.rejects(backups.create(), /no space left/)
      const [failed] = await notes(ann, '?type=BackupFailed')
      assert.deepEqual([failed!.level, failed!.title], ['error', 'The database backup failed'])
      assert.match(failed!.description!, /no space left on device\. The earlier backups are kept\./)
      assert.deepEqual(await notes(ben, '?type=BackupFailed'), [], 'not an admin')
    })
  })
}

