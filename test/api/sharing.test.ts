import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

for (const engine of engines) {
  describe(`[${engine}] album sharing with household users`, () => {
    let t: TestNode
    let owner: Session, editor: Session, viewer: Session, stranger: Session
    let editorId: string, viewerId: string
    const mine: string[] = []
    let editorAsset: string
    let notShared: string
    let album: string
    before(async () => {
      t = await startTestNode(engine)
      owner = await t.client.signUpAdmin()
      editor = await t.client.createUser(owner, 'ed@example.org')
      viewer = await t.client.createUser(owner, 'vi@example.org')
      stranger = await t.client.createUser(owner, 'st@example.org')
      editorId = (await t.client.call('GET', '/api/users/me', { headers: editor.headers })).body.id
      viewerId = (await t.client.call('GET', '/api/users/me', { headers: viewer.headers })).body.id
      for (let i = 0; i < 3; i++) {
        const up = await t.client.upload(owner, { name: `o${i}.jpg`, data: randomBytes(2000) }, { fields: { fileCreatedAt: `2023-0${i + 1}-10T12:00:00Z` } })
        mine.push(up.body.id)
      }
      notShared = (await t.client.upload(owner, { name: 'private.jpg', data: randomBytes(2000) })).body.id
      editorAsset = (await t.client.upload(editor, { name: 'e.jpg', data: randomBytes(2000) })).body.id
      album = (await t.client.call('POST', '/api/albums', { headers: owner.headers, body: { albumName: 'Family', assetIds: mine } })).body.id
    })
    after(async () => { await t.stop() })

    test('an album not shared is invisible to others (404), and so are its assets', async () => {
      assert.equal((await t.client.call('GET', `/api/albums/${album}`, { headers: viewer.headers })).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${mine[0]}`, { headers: viewer.headers })).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${mine[0]}/original`, { headers: viewer.headers })).status, 404)
    })

    test('only the owner shares; roles show in the album; shared=true lists it for both sides', async () => {
      const res = await t.client.call('PUT', `/api/albums/${album}/users`, { headers: owner.headers, body: { albumUsers: [{ userId: editorId, role: 'editor' }, { userId: viewerId, role: 'viewer' }] } })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assert.equal(res.body.shared, true)
      assert.deepEqual(res.body.albumUsers.map((u: { user: { id: string }, role: string }) => [u.user.id, u.role]).sort(), [[editorId, 'editor'], [viewerId, 'viewer']].sort())
      // Again: already shared is a clear 400.
      assert.equal((await t.client.call('PUT', `/api/albums/${album}/users`, { headers: owner.headers, body: { albumUsers: [{ userId: viewerId, role: 'viewer' }] } })).status, 400)
      // An editor cannot share further.
      const strangerId = (await t.client.call('GET', '/api/users/me', { headers: stranger.headers })).body.id
      assert.equal((await t.client.call('PUT', `/api/albums/${album}/users`, { headers: editor.headers, body: { albumUsers: [{ userId: strangerId, role: 'viewer' }] } })).status, 403)
      const sharedForViewer = await t.client.call('GET', '/api/albums?shared=true', { headers: viewer.headers })
      assert.deepEqual(sharedForViewer.body.map((a: { id: string }) => a.id), [album])
      assert.equal(sharedForViewer.body[0].owner.email, 'admin@example.org')
      assert.deepEqual((await t.client.call('GET', '/api/albums?shared=true', { headers: owner.headers })).body.map((a: { id: string }) => a.id), [album])
      assert.deepEqual((await t.client.call('GET', '/api/albums?shared=false', { headers: owner.headers })).body, [])
      assert.deepEqual((await t.client.call('GET', '/api/albums?shared=true', { headers: stranger.headers })).body, [])
      // The viewer's own list (owned albums) stays empty.
      assert.deepEqual((await t.client.call('GET', '/api/albums', { headers: viewer.headers })).body, [])
    })

    test('a viewer sees the album and reads its originals and thumbnails, but cannot add, remove, rename or delete', async () => {
      const got = await t.client.call('GET', `/api/albums/${album}`, { headers: viewer.headers })
      assert.equal(got.status, 200)
      assert.equal(got.body.assets.length, 3)
      const original = await fetch(`${t.url}/api/assets/${mine[1]}/original`, { headers: viewer.headers })
      assert.equal(original.status, 200)
      assert.equal((await original.arrayBuffer()).byteLength, 2000)
      assert.equal((await t.client.call('GET', `/api/assets/${mine[1]}`, { headers: viewer.headers })).status, 200)
      // The owner's other photo is still none of the viewer's business.
      assert.equal((await t.client.call('GET', `/api/assets/${notShared}`, { headers: viewer.headers })).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${notShared}/original`, { headers: viewer.headers })).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${notShared}/thumbnail`, { headers: viewer.headers })).status, 404)
      // Nor may the viewer change the owner's asset.
      assert.equal((await t.client.call('PUT', `/api/assets/${mine[1]}`, { headers: viewer.headers, body: { isFavorite: true } })).status, 404)
      const viewerPhoto = (await t.client.upload(viewer, { name: 'v.jpg', data: randomBytes(500) })).body.id
      assert.equal((await t.client.call('PUT', `/api/albums/${album}/assets`, { headers: viewer.headers, body: { ids: [viewerPhoto] } })).status, 403)
      assert.equal((await t.client.call('DELETE', `/api/albums/${album}/assets`, { headers: viewer.headers, body: { ids: [mine[0]] } })).status, 403)
      assert.equal((await t.client.call('PATCH', `/api/albums/${album}`, { headers: viewer.headers, body: { albumName: 'Mine now' } })).status, 403)
      assert.equal((await t.client.call('DELETE', `/api/albums/${album}`, { headers: viewer.headers })).status, 403)
      assert.equal((await t.client.call('GET', `/api/albums/${album}`, { headers: owner.headers })).body.albumName, 'Family')
    })

    test('an editor adds their own photos (not others\'), removes only theirs; the owner then sees the editor\'s photo', async () => {
      const added = await t.client.call('PUT', `/api/albums/${album}/assets`, { headers: editor.headers, body: { ids: [editorAsset, notShared] } })
      assert.deepEqual(added.body, [{ id: editorAsset, success: true }, { id: notShared, success: false, error: 'no_permission' }])
      assert.equal((await t.client.call('GET', `/api/assets/${editorAsset}/original`, { headers: owner.headers })).status, 200)
      assert.equal((await t.client.call('GET', `/api/assets/${editorAsset}`, { headers: viewer.headers })).status, 200)
      const removed = await t.client.call('DELETE', `/api/albums/${album}/assets`, { headers: editor.headers, body: { ids: [mine[0], editorAsset] } })
      assert.deepEqual(removed.body, [{ id: mine[0], success: false, error: 'no_permission' }, { id: editorAsset, success: true }])
      assert.equal((await t.client.call('GET', `/api/assets/${editorAsset}`, { headers: viewer.headers })).status, 404)
      assert.equal((await t.client.call('PATCH', `/api/albums/${album}`, { headers: editor.headers, body: { albumName: 'x' } })).status, 403)
    })

    test('the owner renames, sets the cover, description and order; a cover outside the album is refused', async () => {
      const res = await t.client.call('PATCH', `/api/albums/${album}`, { headers: owner.headers, body: { albumName: 'Family 2023', description: 'All of us', albumThumbnailAssetId: mine[2], order: 'asc' } })
      assert.equal(res.status, 200)
      assert.equal(res.body.albumName, 'Family 2023')
      assert.equal(res.body.description, 'All of us')
      assert.equal(res.body.albumThumbnailAssetId, mine[2])
      assert.equal(res.body.order, 'asc')
      const got = await t.client.call('GET', `/api/albums/${album}`, { headers: viewer.headers })
      assert.deepEqual(got.body.assets.map((a: { id: string }) => a.id), mine)
      assert.equal((await t.client.call('PATCH', `/api/albums/${album}`, { headers: owner.headers, body: { albumThumbnailAssetId: notShared } })).status, 400)
    })

    test('roles change (viewer becomes editor), a user may leave, the owner removes a user and their access ends', async () => {
      const changed = await t.client.call('PATCH', `/api/albums/${album}/user/${viewerId}`, { headers: owner.headers, body: { role: 'editor' } })
      assert.equal(changed.status, 200)
      assert.equal(changed.body.albumUsers.find((u: { user: { id: string } }) => u.user.id === viewerId).role, 'editor')
      assert.equal((await t.client.call('PUT', `/api/albums/${album}/user/${viewerId}`, { headers: editor.headers, body: { role: 'viewer' } })).status, 403)
      assert.equal((await t.client.call('DELETE', `/api/albums/${album}/user/${viewerId}`, { headers: editor.headers })).status, 403)
      assert.equal((await t.client.call('DELETE', `/api/albums/${album}/user/me`, { headers: editor.headers })).status, 204)
      assert.equal((await t.client.call('GET', `/api/albums/${album}`, { headers: editor.headers })).status, 404)
      assert.equal((await t.client.call('DELETE', `/api/albums/${album}/user/${viewerId}`, { headers: owner.headers })).status, 204)
      assert.equal((await t.client.call('GET', `/api/assets/${mine[1]}/original`, { headers: viewer.headers })).status, 404)
      const after = await t.client.call('GET', `/api/albums/${album}`, { headers: owner.headers })
      assert.equal(after.body.shared, false)
      assert.deepEqual(after.body.albumUsers, [])
    })

    test('a trashed asset in a shared album is no longer readable by the shared user', async () => {
      await t.client.call('PUT', `/api/albums/${album}/users`, { headers: owner.headers, body: { albumUsers: [{ userId: viewerId, role: 'viewer' }] } })
      assert.equal((await t.client.call('GET', `/api/assets/${mine[2]}`, { headers: viewer.headers })).status, 200)
      await t.client.call('DELETE', '/api/assets', { headers: owner.headers, body: { ids: [mine[2]] } })
      assert.equal((await t.client.call('GET', `/api/assets/${mine[2]}`, { headers: viewer.headers })).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${mine[2]}`, { headers: owner.headers })).status, 200)
    })
  })
}
