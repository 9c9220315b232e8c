/**
 * A stopped and restarted Hearth has everything it had: users and their passwords, sessions, API
 * keys, assets with their original bytes, albums.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { engines } from '../helpers/engines.ts'
import { downloadOriginal, randomFile, sandbox, sha256 } from '../helpers/process.ts'

for (const engine of engines) {
  test(`[${engine}] a restart (SIGTERM, then serve again on the same data) keeps users, keys, assets and albums`, async (t) => {
    const box = await sandbox(t, engine)
    const first = await box.start()
    const admin = await first.client.signUpAdmin('keeper@example.org', 'a long enough password', 'Keeper')
    const files = [
      { name: 'beach.jpg', data: randomFile(300 * 1024) },
      { name: 'dunes.mp4', data: randomFile(1536 * 1024) },
    ]
    const ids: string[] = []
    for (const f of files) {
      const r = await first.client.upload(admin, f)
      assert.equal(r.status, 201, JSON.stringify(r.body))
      ids.push(r.body.id as string)
    }
    const album = await first.client.call('POST', '/api/albums', { headers: admin.headers, body: { albumName: 'Summer', description: 'by the sea', assetIds: ids } })
    assert.equal(album.status, 201, JSON.stringify(album.body))
    assert.equal(album.body.assetCount, 2)
    const key = await first.client.apiKey(admin)

    assert.deepEqual(await first.stop('SIGTERM'), { code: 0, signal: null }, `exit after SIGTERM; stderr:\n${first.stderr()}`)
    assert.ok(first.logs().some((l) => l.msg === 'Hearth stopped'), 'logs "Hearth stopped"')

    const second = await box.start()
    const c = second.client
    // Logging in again works (the password hash survived), and so does the session from before.
    const again = await c.login('keeper@example.org', 'a long enough password')
    assert.equal((await c.call('POST', '/api/auth/login', { body: { email: 'keeper@example.org', password: 'wrong password' } })).status, 401)
    const meByOldSession = await c.call('GET', '/api/users/me', { headers: admin.headers })
    assert.equal(meByOldSession.status, 200)
    assert.equal(meByOldSession.body.email, 'keeper@example.org')
    const meByKey = await c.call('GET', '/api/users/me', { headers: key.headers })
    assert.equal(meByKey.status, 200, 'the API key still works')
    assert.equal(meByKey.body.email, 'keeper@example.org')
    assert.equal((await c.call('GET', '/api/users/me', { headers: { 'x-api-key': `${key.token}x` } })).status, 401)

    const search = await c.call('POST', '/api/search/metadata', { headers: again.headers, body: {} })
    assert.equal(search.status, 200)
    assert.equal(search.body.assets.total, 2)
    assert.deepEqual(search.body.assets.items.map((a: { id: string }) => a.id).sort(), [...ids].sort())
    const stats = await c.call('GET', '/api/assets/statistics', { headers: key.headers })
    assert.deepEqual(stats.body, { images: 1, videos: 1, total: 2 })

    const albums = await c.call('GET', '/api/albums', { headers: again.headers })
    assert.equal(albums.status, 200)
    assert.equal(albums.body.length, 1)
    assert.equal(albums.body[0].id, album.body.id)
    const full = await c.call('GET', `/api/albums/${album.body.id as string}`, { headers: again.headers })
    assert.equal(full.status, 200)
    assert.equal(full.body.albumName, 'Summer')
    assert.equal(full.body.description, 'by the sea')
    assert.deepEqual(full.body.assets.map((a: { id: string }) => a.id).sort(), [...ids].sort())

    for (const [i, f] of files.entries()) {
      const got = await downloadOriginal(second.url, key.headers, ids[i])
      assert.equal(got.status, 200)
      assert.equal(got.bytes.length, f.data.length)
      assert.equal(sha256(got.bytes), sha256(f.data), `${f.name} is byte-identical after the restart`)
    }
    assert.deepEqual(await second.stop('SIGTERM'), { code: 0, signal: null })
  })
}
