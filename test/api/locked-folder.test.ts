/**
 * The locked folder (Immich's): a six-digit PIN opens it for one signed-in session, for a while.
 * Locked photos are out of the timeline, search, statistics, albums and downloads; the owner reaches
 * them only while their session has the folder open, an API key never; a wrong PIN is throttled as a
 * wrong password is; a forgotten PIN is reset with the password, and the photos stay locked.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

for (const engine of engines) {
  describe(`[${engine}] locked folder`, () => {
    let t: TestNode
    let ann: Session
    let bob: Session
    let key: Session
    let secret = ''
    let open = ''
    const call = (s: Session, method: string, path: string, body?: unknown) => t.client.call(method, path, { headers: s.headers, body })
    const ok = async (s: Session, method: string, path: string, body?: unknown, status = 204) => {
      const r = await call(s, method, path, body)
      assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`)
      return r.body
    }
    const status = async (s: Session) => (await ok(s, 'GET', '/api/auth/status', undefined, 200)) as { pinCode: boolean, isElevated: boolean, pinExpiresAt?: string }
    const searched = async (s: Session, body: Record<string, unknown> = {}) =>
      ((await ok(s, 'POST', '/api/search/metadata', body, 200)).assets.items as Array<{ id: string }>).map((a) => a.id)
    /** Every way Ann might reach the secret photo, with what each answered. */
    const reach = async (s: Session) => ({
      asset: (await call(s, 'GET', `/api/assets/${secret}`)).status,
      thumbnail: (await call(s, 'GET', `/api/assets/${secret}/thumbnail`)).status,
      original: (await call(s, 'GET', `/api/assets/${secret}/original`)).status,
      timeline: (await call(s, 'GET', '/api/timeline/buckets?visibility=locked')).status,
      search: (await call(s, 'POST', '/api/search/metadata', { visibility: 'locked' })).status,
      smart: (await call(s, 'POST', '/api/search/smart', { query: 'photo', visibility: 'locked' })).status,
      statistics: (await call(s, 'GET', '/api/assets/statistics?visibility=locked')).status,
      download: (await call(s, 'POST', '/api/download/info', { assetIds: [secret] })).status,
      edit: (await call(s, 'PUT', `/api/assets/${secret}`, { isFavorite: true })).status,
      ocr: (await call(s, 'GET', `/api/assets/${secret}/ocr`)).status,
      rotation: (await call(s, 'GET', `/api/assets/${secret}/edits`)).status,
    })
    const closed = { asset: 403, thumbnail: 403, original: 403, timeline: 403, search: 403, smart: 403, statistics: 403, download: 403, edit: 403, ocr: 403, rotation: 403 }

    before(async () => {
      t = await startTestNode(engine, { HEARTH_LOGIN_MAX_FAILURES: '3' })
      ann = await t.client.signUpAdmin()
      bob = await t.client.createUser(ann, 'bob@example.org')
      key = await t.client.apiKey(ann)
      const photo = async (colour: string) => (await t.client.upload(ann, { name: `${colour.slice(1)}.jpg`, data: await sharp({ create: { width: 32, height: 24, channels: 3, background: colour } }).jpeg().toBuffer() })).body.id as string
      secret = await photo('#a33')
      open = await photo('#3a3')
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
    })
    after(async () => { await t.stop() })

    test('no PIN yet: nothing can be locked; a PIN is six digits, set once', async () => {
      const st = await status(ann)
      assert.deepEqual([st.pinCode, st.isElevated, st.pinExpiresAt], [false, false, undefined])
      const refused = await call(ann, 'PUT', '/api/assets', { ids: [secret], visibility: 'locked' })
      assert.equal(refused.status, 403)
      assert.match(refused.body.message, /needs a PIN code: set one/)
      for (const pinCode of ['12345', '1234567', 'abcdef', 123456]) assert.equal((await call(ann, 'POST', '/api/auth/pin-code', { pinCode })).status, 400, String(pinCode))
      await ok(ann, 'POST', '/api/auth/pin-code', { pinCode: '246810' })
      const again = await call(ann, 'POST', '/api/auth/pin-code', { pinCode: '135790' })
      assert.equal(again.status, 400)
      assert.match(again.body.message, /already have a PIN code/)
      assert.equal((await status(ann)).pinCode, true)
      assert.equal((await status(ann)).isElevated, false)
    })

    test('unlocked with the PIN, a photo moves into the locked folder and out of its album; locked again, no way reaches it', async () => {
      const album = (await ok(ann, 'POST', '/api/albums', { albumName: 'Family', assetIds: [secret, open] }, 201)).id as string
      await ok(ann, 'PUT', `/api/albums/${album}/users`, { albumUsers: [{ userId: (await ok(bob, 'GET', '/api/users/me', undefined, 200)).id, role: 'viewer' }] }, 200)
      assert.equal((await call(bob, 'GET', `/api/assets/${secret}`)).status, 200, 'Bob sees it through the album')
      assert.equal((await call(ann, 'PUT', '/api/assets', { ids: [secret], visibility: 'locked' })).status, 403, 'locked until the PIN is given')
      const wrong = await call(ann, 'POST', '/api/auth/session/unlock', { pinCode: '000000' })
      assert.equal(wrong.status, 400)
      assert.match(wrong.body.message, /Wrong PIN code/)
      await ok(ann, 'POST', '/api/auth/session/unlock', { pinCode: '246810' })
      const st = await status(ann)
      assert.equal(st.isElevated, true)
      const minutes = (Date.parse(st.pinExpiresAt!) - Date.now()) / 60_000
      assert.ok(minutes > 14 && minutes <= 15, `open for 15 minutes, not ${minutes}`)
      await ok(ann, 'PUT', '/api/assets', { ids: [secret], visibility: 'locked' })
      const inAlbum = (await ok(ann, 'GET', `/api/albums/${album}`, undefined, 200)).assets as Array<{ id: string }>
      assert.deepEqual(inAlbum.map((a) => a.id), [open], 'it left the album')
      assert.equal((await call(bob, 'GET', `/api/assets/${secret}`)).status, 404, 'Bob no longer sees it')
      // Open: the folder lists it; everything else leaves it out.
      const [bucket] = await ok(ann, 'GET', '/api/timeline/buckets?visibility=locked', undefined, 200) as Array<{ timeBucket: string, count: number }>
      assert.equal(bucket?.count, 1)
      assert.deepEqual((await ok(ann, 'GET', `/api/timeline/bucket?visibility=locked&timeBucket=${bucket!.timeBucket}`, undefined, 200)).id, [secret])
      assert.deepEqual(await searched(ann, { visibility: 'locked' }), [secret])
      assert.deepEqual(await searched(ann), [open], 'search leaves the locked folder out unless asked')
      assert.deepEqual(await searched(ann, { ids: [secret, open] }), [open], 'even by id')
      assert.equal((await ok(ann, 'GET', '/api/assets/statistics', undefined, 200)).total, 1)
      assert.equal((await ok(ann, 'GET', '/api/assets/statistics?visibility=locked', undefined, 200)).total, 1)
      assert.deepEqual(await reach(ann), { asset: 200, thumbnail: 200, original: 200, timeline: 200, search: 200, smart: 200, statistics: 200, download: 200, edit: 200, ocr: 200, rotation: 200 })
      // An API key of Ann's, with every permission, never opens it.
      const byKey = await call(key, 'POST', '/api/auth/session/unlock', { pinCode: '246810' })
      assert.equal(byKey.status, 400)
      assert.match(byKey.body.message, /not an API key/)
      assert.deepEqual(await reach(key), closed)
      assert.equal((await status(key)).isElevated, false)
      // Locked again: the PIN is asked for everywhere.
      await ok(ann, 'POST', '/api/auth/session/lock')
      assert.equal((await status(ann)).isElevated, false)
      const r = await call(ann, 'GET', `/api/assets/${secret}`)
      assert.match(r.body.message, /locked folder is locked: unlock it with your PIN code/)
      assert.deepEqual(await reach(ann), closed)
      assert.deepEqual(await reach(bob), { ...closed, asset: 404, thumbnail: 404, original: 404, timeline: 403, search: 403, smart: 403, statistics: 403, download: 200, edit: 404, ocr: 404, rotation: 404 })
      assert.deepEqual((await ok(bob, 'POST', '/api/download/info', { assetIds: [secret] }, 200)).archives, [], 'Bob\'s download plan holds nothing')
      assert.equal((await ok(ann, 'GET', '/api/assets/statistics', undefined, 200)).total, 1)
      assert.equal((await call(ann, 'PUT', '/api/assets', { ids: [secret], visibility: 'timeline' })).status, 403, 'nor out of it')
      assert.equal((await call(ann, 'DELETE', '/api/assets', { ids: [secret, open] })).status, 403, 'nor trashed')
      assert.equal((await call(bob, 'DELETE', '/api/assets', { ids: [secret] })).status, 204, 'Bob is told nothing of it (others\' ids are passed over, as in Immich)')
      assert.deepEqual(await t.node.db.query('SELECT deleted_at FROM assets WHERE id = $1', [secret]), [{ deleted_at: null }], 'and nothing was trashed')
    })

    test('an unlock lasts its time, and while the folder is used a few minutes past its last use', async () => {
      await ok(ann, 'POST', '/api/auth/session/unlock', { pinCode: '246810' })
      // Time passes: a minute left. Asking the status, or for the timeline, does not keep it open...
      await t.node.db.query("UPDATE sessions SET pin_expires_at = now() + interval '1 minute' WHERE pin_expires_at IS NOT NULL")
      await ok(ann, 'GET', '/api/timeline/buckets', undefined, 200)
      const left = (Date.parse((await status(ann)).pinExpiresAt!) - Date.now()) / 60_000
      assert.ok(left > 0.5 && left <= 1, `still a minute, not ${left}`)
      // ...opening a locked photo keeps it open five more.
      assert.equal((await call(ann, 'GET', `/api/assets/${secret}`)).status, 200)
      const minutes = (Date.parse((await status(ann)).pinExpiresAt!) - Date.now()) / 60_000
      assert.ok(minutes > 4.5 && minutes <= 5, `kept open 5 minutes, not ${minutes}`)
      // Past its time, it is locked.
      await t.node.db.query("UPDATE sessions SET pin_expires_at = now() - interval '1 second' WHERE pin_expires_at IS NOT NULL")
      assert.equal((await call(ann, 'GET', `/api/assets/${secret}`)).status, 403)
      assert.equal((await status(ann)).isElevated, false)
      // Back out of the folder, and in again, while open.
      await ok(ann, 'POST', '/api/auth/session/unlock', { pinCode: '246810' })
      await ok(ann, 'PUT', `/api/assets/${secret}`, { visibility: 'timeline' }, 200)
      assert.deepEqual((await searched(ann)).toSorted(), [open, secret].toSorted())
      await ok(ann, 'PUT', `/api/assets/${secret}`, { visibility: 'locked' }, 200)
      await ok(ann, 'POST', '/api/auth/session/lock')
    })

    test('the PIN changes with the old one or the password; a forgotten one is reset with the password and every session locks', async () => {
      assert.equal((await call(ann, 'PUT', '/api/auth/pin-code', { pinCode: '999999', newPinCode: '112233' })).status, 400)
      await ok(ann, 'PUT', '/api/auth/pin-code', { pinCode: '246810', newPinCode: '112233' })
      assert.equal((await call(ann, 'POST', '/api/auth/session/unlock', { pinCode: '246810' })).status, 400, 'the old PIN no longer opens it')
      await ok(ann, 'PUT', '/api/auth/pin-code', { password: 'correct horse battery', newPinCode: '445566' })
      const other = await t.client.login('admin@example.org', 'correct horse battery')
      await ok(other, 'POST', '/api/auth/session/unlock', { pinCode: '445566' })
      assert.equal((await status(other)).isElevated, true)
      assert.equal((await call(ann, 'DELETE', '/api/auth/pin-code', { password: 'not my password' })).status, 400)
      await ok(ann, 'DELETE', '/api/auth/pin-code', { password: 'correct horse battery' })
      assert.deepEqual([(await status(ann)).pinCode, (await status(other)).isElevated], [false, false], 'no PIN, and the other session locked too')
      const r = await call(other, 'GET', `/api/assets/${secret}`)
      assert.equal(r.status, 403, 'the photo stays locked')
      assert.match(r.body.message, /needs a PIN code/)
      await ok(ann, 'POST', '/api/auth/pin-code', { pinCode: '778899' })
      await ok(ann, 'POST', '/api/auth/session/unlock', { pinCode: '778899' })
      assert.equal((await call(ann, 'GET', `/api/assets/${secret}`)).status, 200, 'a new PIN opens it')
    })

    test('guessing the PIN is throttled as guessing a password is', async () => {
      await ok(bob, 'POST', '/api/auth/pin-code', { pinCode: '121212' })
      for (let i = 0; i < 3; i++) assert.equal((await call(bob, 'POST', '/api/auth/session/unlock', { pinCode: String(100000 + i) })).status, 400)
      const locked = await call(bob, 'POST', '/api/auth/session/unlock', { pinCode: '121212' })
      assert.equal(locked.status, 429, 'even the right PIN waits')
      assert.match(locked.body.message, /Too many wrong PIN codes: try again in \d+ seconds/)
      assert.equal((await status(bob)).isElevated, false)
    })
  })
}
