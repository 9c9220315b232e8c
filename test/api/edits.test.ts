/** Rotation as an edit: stored beside the asset, per user, the original untouched; survives a restart. */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile, stat, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { createEditStore } from '../../node/edits/store.ts'

const photo = join(import.meta.dirname, '../../../shared/fixtures/exif-samples/jpg/Canon_40D.jpg')

for (const engine of engines) {
  describe(`asset edits [${engine}]`, () => {
    let t: TestNode
    let admin: Session
    let bob: Session
    let id: string
    let dir: string
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hearth-edits-'))
      t = await startTestNode(engine, {}, { dataDir: dir })
      admin = await t.client.signUpAdmin()
      bob = await t.client.createUser(admin, 'bob@example.org')
      id = (await t.client.upload(admin, photo)).body.id
    })
    after(async () => { await t.stop(); await rm(dir, { recursive: true, force: true }) })

    test('rotate, read back, list; the original is byte-identical', async () => {
      const original = (await t.client.call('GET', `/api/assets/${id}`, { headers: admin.headers })).body.originalPath as string
      const before = createHash('sha1').update(await readFile(join(dir, original))).digest('hex')
      assert.deepEqual((await t.client.call('GET', `/api/assets/${id}/edits`, { headers: admin.headers })).body, { rotation: 0 })
      const put = await t.client.call('PUT', `/api/assets/${id}/edits`, { headers: admin.headers, body: { rotation: 90 } })
      assert.equal(put.status, 200)
      assert.deepEqual((await t.client.call('GET', `/api/assets/${id}/edits`, { headers: admin.headers })).body, { rotation: 90 })
      assert.deepEqual((await t.client.call('GET', '/api/edits', { headers: admin.headers })).body, { [id]: { rotation: 90 } })
      assert.equal(createHash('sha1').update(await readFile(join(dir, original))).digest('hex'), before)
      assert.equal((await stat(join(dir, 'edits', `${(await t.client.call('GET', '/api/users/me', { headers: admin.headers })).body.id}.json`))).mode & 0o777, 0o600)
    })

    test('bad input is refused with a reason; another user cannot see or rotate it', async () => {
      const bad = await t.client.call('PUT', `/api/assets/${id}/edits`, { headers: admin.headers, body: { rotation: 45 } })
      assert.equal(bad.status, 400)
      assert.match(bad.body.message, /0, 90, 180 or 270/)
      assert.equal((await t.client.call('PUT', `/api/assets/${id}/edits`, { headers: bob.headers, body: { rotation: 180 } })).status, 404)
      assert.equal((await t.client.call('GET', `/api/assets/${id}/edits`, { headers: bob.headers })).status, 404)
      assert.deepEqual((await t.client.call('GET', '/api/edits', { headers: bob.headers })).body, {})
      assert.equal((await t.client.call('GET', '/api/edits')).status, 401)
    })

    test('rotating back to 0 removes the edit; edits are read back from disk by a new store (a restart)', async () => {
      await t.client.call('PUT', `/api/assets/${id}/edits`, { headers: admin.headers, body: { rotation: 270 } })
      const userId = (await t.client.call('GET', '/api/users/me', { headers: admin.headers })).body.id as string
      assert.deepEqual(await createEditStore(dir).get(userId, id), { rotation: 270 })
      await t.client.call('PUT', `/api/assets/${id}/edits`, { headers: admin.headers, body: { rotation: 0 } })
      assert.deepEqual((await t.client.call('GET', '/api/edits', { headers: admin.headers })).body, {})
      assert.deepEqual(await createEditStore(dir).all(userId), {})
    })
  })
}
