import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import { waitFor } from '../helpers/process.ts'
import type { Session } from '../helpers/client.ts'

const sunset = fileURLToPath(new URL('../fixtures/tree/Beach/sunset.jpg', import.meta.url))

for (const engine of engines) {
  describe(`[${engine}] public shared links`, () => {
    let t: TestNode
    let owner: Session, other: Session
    let photo: string, second: string, outside: string, otherAlbumPhoto: string
    let album: string, otherAlbum: string
    let link: { id: string, key: string }
    const pub = (path: string, headers: Record<string, string> = {}) => t.client.call('GET', path, { headers })

    before(async () => {
      t = await startTestNode(engine, { HEARTH_LOGIN_MAX_FAILURES: '3' })
      owner = await t.client.signUpAdmin()
      other = await t.client.createUser(owner, 'other@example.org')
      photo = (await t.client.upload(owner, sunset)).body.id
      second = (await t.client.upload(owner, { name: 'b.jpg', data: randomBytes(3000) })).body.id
      outside = (await t.client.upload(owner, { name: 'c.jpg', data: randomBytes(3000) })).body.id
      otherAlbumPhoto = (await t.client.upload(owner, { name: 'd.jpg', data: randomBytes(3000) })).body.id
      album = (await t.client.call('POST', '/api/albums', { headers: owner.headers, body: { albumName: 'Beach', assetIds: [photo, second] } })).body.id
      otherAlbum = (await t.client.call('POST', '/api/albums', { headers: owner.headers, body: { albumName: 'Other', assetIds: [otherAlbumPhoto] } })).body.id
      await waitFor('the thumbnail', async () => (await t.client.call('GET', `/api/assets/${photo}`, { headers: owner.headers })).body.ingestStatus === 'ready')
    })
    after(async () => { await t.stop() })

    test('the owner makes a link with a long random key that the database does not hold in the clear', async () => {
      const res = await t.client.call('POST', '/api/shared-links', { headers: owner.headers, body: { type: 'ALBUM', albumId: album, allowDownload: true, showMetadata: true, description: 'for grandma' } })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      link = res.body
      assert.ok(link.key.length >= 43, link.key)
      assert.equal(res.body.album.id, album)
      assert.equal(res.body.hasPassword, false)
      const rows = await t.node.db.query<{ key_hash: Buffer, key_sealed: Buffer }>('SELECT key_hash, key_sealed FROM shared_links')
      for (const r of rows) {
        assert.ok(!r.key_hash.toString('latin1').includes(link.key) && !r.key_sealed.toString('latin1').includes(link.key))
        assert.ok(!r.key_sealed.toString('base64url').includes(link.key))
      }
      // Listed for the owner (the key can be copied again), not for anyone else.
      const mine = await t.client.call('GET', '/api/shared-links', { headers: owner.headers })
      assert.deepEqual(mine.body.map((l: { key: string }) => l.key), [link.key])
      assert.deepEqual((await t.client.call('GET', '/api/shared-links', { headers: other.headers })).body, [])
      assert.equal((await t.client.call('PATCH', `/api/shared-links/${link.id}`, { headers: other.headers, body: { allowDownload: false } })).status, 404)
      assert.equal((await t.client.call('DELETE', `/api/shared-links/${link.id}`, { headers: other.headers })).status, 404)
      // Another user cannot make a link to an album they cannot see.
      assert.equal((await t.client.call('POST', '/api/shared-links', { headers: other.headers, body: { type: 'ALBUM', albumId: album } })).status, 404)
      // The album now reads as shared by a link.
      assert.equal((await t.client.call('GET', `/api/albums/${album}`, { headers: owner.headers })).body.hasSharedLink, true)
    })

    test('without an account the key opens the album, its thumbnails and originals, nothing else', async () => {
      const me = await pub(`/api/shared-links/me?key=${link.key}`)
      assert.equal(me.status, 200, JSON.stringify(me.body))
      assert.equal(me.body.album.albumName, 'Beach')
      assert.deepEqual(me.body.assets.map((a: { id: string }) => a.id).sort(), [photo, second].sort())
      assert.equal(me.body.album.owner.email, undefined, 'the owner\'s email is not shown to the public')
      const thumb = await fetch(`${t.url}/api/assets/${photo}/thumbnail?key=${link.key}`)
      assert.equal(thumb.status, 200)
      assert.equal(thumb.headers.get('content-type'), 'image/webp')
      const original = await fetch(`${t.url}/api/assets/${second}/original?key=${link.key}`)
      assert.equal(original.status, 200)
      assert.equal((await original.arrayBuffer()).byteLength, 3000)
      assert.equal((await pub(`/api/assets/${photo}?key=${link.key}`)).body.originalFileName, 'sunset.jpg')
      // Assets outside the album, or in another album of the same owner: 404.
      assert.equal((await pub(`/api/assets/${outside}/original?key=${link.key}`)).status, 404)
      assert.equal((await pub(`/api/assets/${otherAlbumPhoto}/thumbnail?key=${link.key}`)).status, 404)
      // No key, or a made-up one: 401.
      assert.equal((await pub(`/api/assets/${photo}/thumbnail`)).status, 401)
      assert.equal((await pub(`/api/shared-links/me?key=${randomBytes(32).toString('base64url')}`)).status, 401)
      assert.equal((await pub(`/api/assets/${photo}/thumbnail?key=nope`)).status, 401)
      // The link opens nothing else of the API.
      assert.equal((await pub(`/api/albums/${album}?key=${link.key}`)).status, 401)
      assert.equal((await pub(`/api/timeline/buckets?key=${link.key}`)).status, 401)
    })

    test('the key of another album does not open this one; a signed-in user with a key sees the link\'s album', async () => {
      const res = await t.client.call('POST', '/api/shared-links', { headers: owner.headers, body: { type: 'ALBUM', albumId: otherAlbum } })
      const otherKey = res.body.key as string
      assert.equal((await pub(`/api/assets/${photo}/original?key=${otherKey}`)).status, 404)
      assert.equal((await pub(`/api/assets/${otherAlbumPhoto}/original?key=${otherKey}`)).status, 200)
      assert.equal((await pub(`/api/assets/${photo}/original?key=${link.key}`, other.headers)).status, 200)
      assert.equal((await pub(`/api/assets/${photo}/original`, other.headers)).status, 404)
    })

    test('downloads off: originals are 403, thumbnails still show; metadata off: the asset is sanitized', async () => {
      const patched = await t.client.call('PATCH', `/api/shared-links/${link.id}`, { headers: owner.headers, body: { allowDownload: false, showMetadata: false } })
      assert.equal(patched.status, 200)
      assert.equal(patched.body.allowDownload, false)
      assert.equal((await pub(`/api/assets/${second}/original?key=${link.key}`)).status, 403)
      assert.equal((await fetch(`${t.url}/api/assets/${photo}/thumbnail?key=${link.key}`)).status, 200)
      const asset = await pub(`/api/assets/${photo}?key=${link.key}`)
      assert.equal(asset.status, 200)
      assert.equal(asset.body.exifInfo, undefined)
      assert.equal(asset.body.originalFileName, undefined)
      assert.equal(asset.body.hasMetadata, false)
      const me = await pub(`/api/shared-links/me?key=${link.key}`)
      assert.equal(me.body.assets[0].exifInfo, undefined)
      assert.equal(me.body.showMetadata, false)
      await t.client.call('PATCH', `/api/shared-links/${link.id}`, { headers: owner.headers, body: { allowDownload: true, showMetadata: true } })
    })

    test('an expired link is 410 everywhere; clearing the expiry brings it back', async () => {
      await t.client.call('PATCH', `/api/shared-links/${link.id}`, { headers: owner.headers, body: { expiresAt: new Date(Date.now() - 1000).toISOString() } })
      const me = await pub(`/api/shared-links/me?key=${link.key}`)
      assert.equal(me.status, 410)
      assert.match(me.body.message, /expired/)
      assert.equal((await pub(`/api/assets/${photo}/thumbnail?key=${link.key}`)).status, 410)
      await t.client.call('PATCH', `/api/shared-links/${link.id}`, { headers: owner.headers, body: { expiresAt: null } })
      assert.equal((await pub(`/api/shared-links/me?key=${link.key}`)).status, 200)
      // A future expiry is fine.
      const future = await t.client.call('PATCH', `/api/shared-links/${link.id}`, { headers: owner.headers, body: { expiresAt: new Date(Date.now() + 86_400_000).toISOString() } })
      assert.ok(future.body.expiresAt !== null)
      assert.equal((await pub(`/api/shared-links/me?key=${link.key}`)).status, 200)
    })

    test('a password-protected link needs the password (or the cookie it sets); wrong guesses are throttled', async () => {
      const res = await t.client.call('POST', '/api/shared-links', { headers: owner.headers, body: { type: 'ALBUM', albumId: album, password: 'sand castle' } })
      assert.equal(res.body.hasPassword, true)
      assert.equal(res.body.password, null)
      const key = res.body.key as string
      const needs = await pub(`/api/shared-links/me?key=${key}`)
      assert.equal(needs.status, 401)
      assert.match(needs.body.message, /password/)
      assert.equal((await pub(`/api/assets/${photo}/thumbnail?key=${key}`)).status, 401)
      const wrong = await pub(`/api/shared-links/me?key=${key}&password=beach`)
      assert.equal(wrong.status, 401)
      assert.match(wrong.body.message, /Wrong password/)
      const right = await fetch(`${t.url}/api/shared-links/me?key=${key}&password=${encodeURIComponent('sand castle')}`)
      assert.equal(right.status, 200)
      const cookie = right.headers.get('set-cookie')!.split(';')[0]
      assert.match(cookie, /^hearth_link_/)
      assert.equal((await fetch(`${t.url}/api/assets/${photo}/thumbnail?key=${key}`, { headers: { cookie } })).status, 200)
      // The cookie of this link does not open it for another key, nor after the password changes.
      const login = await t.client.call('POST', `/api/shared-links/login?key=${key}`, { body: { password: 'sand castle' } })
      assert.equal(login.status, 200)
      assert.equal((await pub(`/api/shared-links/me?key=${key}&token=${login.body.token as string}`)).status, 200)
      await t.client.call('PATCH', `/api/shared-links/${res.body.id as string}`, { headers: owner.headers, body: { password: 'new castle' } })
      assert.equal((await fetch(`${t.url}/api/assets/${photo}/thumbnail?key=${key}`, { headers: { cookie } })).status, 401)
      // HEARTH_LOGIN_MAX_FAILURES=3 for this node: after 3 wrong guesses, even the right password waits.
      for (let i = 0; i < 3; i++) assert.equal((await pub(`/api/shared-links/me?key=${key}&password=guess${i}`)).status, 401)
      const locked = await pub(`/api/shared-links/me?key=${key}&password=${encodeURIComponent('new castle')}`)
      assert.equal(locked.status, 429)
      assert.ok(Number(locked.headers.get('retry-after')) > 0)
    })

    test('a deleted link stops working at once', async () => {
      assert.equal((await t.client.call('DELETE', `/api/shared-links/${link.id}`, { headers: owner.headers })).status, 204)
      assert.equal((await pub(`/api/shared-links/me?key=${link.key}`)).status, 401)
      assert.equal((await pub(`/api/assets/${photo}/thumbnail?key=${link.key}`)).status, 401)
    })

    test('a link to chosen photos (INDIVIDUAL): only the owner\'s, only those, more added or taken out; trash and the locked folder take them out', async () => {
      const make = (s: Session, body: Record<string, unknown>) => t.client.call('POST', '/api/shared-links', { headers: s.headers, body: { type: 'INDIVIDUAL', ...body } })
      assert.equal((await make(owner, { assetIds: [] })).status, 400)
      assert.equal((await make(owner, { albumId: album })).status, 400, 'an INDIVIDUAL link names photos')
      const foreign = await make(other, { assetIds: [photo] })
      assert.equal(foreign.status, 400, 'not her photo')
      assert.match(foreign.body.message, /is not one of your photos/)
      const res = await make(owner, { assetIds: [photo, outside, photo], description: 'two for grandma' })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      const chosen = res.body as { id: string, key: string, type: string, album?: unknown, assets: Array<{ id: string }> }
      assert.equal(chosen.type, 'INDIVIDUAL')
      assert.equal(chosen.album, undefined)
      assert.deepEqual(chosen.assets.map((a) => a.id).toSorted(), [photo, outside].toSorted())
      // A visitor sees those two, with who shares them, and nothing else.
      const me = await pub(`/api/shared-links/me?key=${chosen.key}`)
      assert.equal(me.status, 200)
      assert.deepEqual(me.body.assets.map((a: { id: string }) => a.id).toSorted(), [photo, outside].toSorted())
      assert.equal(me.body.owner.name, 'Admin')
      assert.equal((await pub(`/api/assets/${photo}/thumbnail?key=${chosen.key}`)).status, 200)
      assert.equal((await pub(`/api/assets/${outside}/original?key=${chosen.key}`)).status, 200)
      for (const id of [second, otherAlbumPhoto]) assert.equal((await pub(`/api/assets/${id}?key=${chosen.key}`)).status, 404, 'not in the link')
      const info = await t.client.call('POST', `/api/download/info?key=${chosen.key}`, { body: { assetIds: [photo, outside, second] } })
      assert.deepEqual(info.body.archives.flatMap((a: { assetIds: string[] }) => a.assetIds).toSorted(), [photo, outside].toSorted(), 'its download holds its photos only')
      assert.equal((await t.client.call('POST', `/api/download/info?key=${chosen.key}`, { body: { albumId: album } })).status, 403)
      // More photos in, some out; per photo, what happened (Immich's shapes).
      const add = await t.client.call('PUT', `/api/shared-links/${chosen.id}/assets`, { headers: owner.headers, body: { assetIds: [second, photo] } })
      assert.deepEqual(add.body, [{ assetId: second, success: true }, { assetId: photo, success: false, error: 'duplicate' }])
      assert.equal((await t.client.call('PUT', `/api/shared-links/${chosen.id}/assets`, { headers: other.headers, body: { assetIds: [second] } })).status, 404, 'not her link')
      const out = await t.client.call('DELETE', `/api/shared-links/${chosen.id}/assets`, { headers: owner.headers, body: { assetIds: [outside, otherAlbumPhoto] } })
      assert.deepEqual(out.body, [{ assetId: outside, success: true }, { assetId: otherAlbumPhoto, success: false, error: 'not_found' }])
      assert.equal((await pub(`/api/assets/${outside}?key=${chosen.key}`)).status, 404, 'taken out')
      assert.equal((await t.client.call('PUT', `/api/shared-links/${link.id}/assets`, { headers: owner.headers, body: { assetIds: [second] } })).status, 404, 'the deleted album link')
      // Trashed: out of the link until restored. Locked away: out of it for good.
      assert.equal((await t.client.call('DELETE', '/api/assets', { headers: owner.headers, body: { ids: [second] } })).status, 204)
      assert.equal((await pub(`/api/assets/${second}?key=${chosen.key}`)).status, 404)
      assert.equal((await t.client.call('POST', '/api/trash/restore/assets', { headers: owner.headers, body: { ids: [second] } })).status, 200)
      assert.equal((await pub(`/api/assets/${second}?key=${chosen.key}`)).status, 200)
      await t.client.lockAway(owner, [photo])
      assert.equal((await pub(`/api/assets/${photo}/thumbnail?key=${chosen.key}`)).status, 404)
      assert.deepEqual((await pub(`/api/shared-links/me?key=${chosen.key}`)).body.assets.map((a: { id: string }) => a.id), [second])
      assert.deepEqual(await t.node.db.query('SELECT 1 FROM shared_link_assets WHERE asset_id = $1', [photo]), [], 'taken out of the link, as out of albums')
    })
  })
}
