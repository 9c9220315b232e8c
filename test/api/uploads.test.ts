import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest()

/** Every file under the library except the temporary folder. */
async function libraryFiles (dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'library')
  const out: string[] = []
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name === '.partial' && dir === root) continue
      const p = join(dir, e.name)
      if (e.isDirectory()) await walk(p); else out.push(p.slice(root.length + 1))
    }
  }
  await walk(root)
  return out.sort()
}

const partials = async (dataDir: string) => readdir(join(dataDir, 'library', '.partial'))

for (const engine of engines) {
  describe(`[${engine}] uploads`, () => {
    let t: TestNode
    let admin: Session
    let alice: Session
    let bob: Session
    before(async () => {
      t = await startTestNode(engine)
      admin = await t.client.signUpAdmin()
      alice = await t.client.createUser(admin, 'alice@example.org', 'alice password', { storageLabel: 'alice' })
      bob = await t.client.createUser(admin, 'bob@example.org', 'bob password 1', { storageLabel: 'bob', quotaSizeInBytes: 300_000 })
    })
    after(async () => { await t.stop() })

    test('an upload is stored under library/<user>/<yyyy>/<mm>/ byte for byte, then is a duplicate', async () => {
      const data = randomBytes(200_000)
      const first = await t.client.upload(alice, { name: 'IMG_0001.JPG', data }, { fields: { fileCreatedAt: '2021-03-04T05:06:07.000Z' } })
      assert.equal(first.status, 201)
      assert.equal(first.body.status, 'created')
      const asset = await t.client.call('GET', `/api/assets/${first.body.id as string}`, { headers: alice.headers })
      assert.equal(asset.status, 200)
      assert.equal(asset.body.originalPath, 'library/alice/2021/03/IMG_0001.JPG')
      assert.equal(asset.body.originalFileName, 'IMG_0001.JPG')
      assert.equal(asset.body.type, 'IMAGE')
      assert.equal(asset.body.checksum, sha1(data).toString('base64'))
      assert.equal(asset.body.checksumSha256, createHash('sha256').update(data).digest('hex'))
      assert.equal(asset.body.fileCreatedAt, '2021-03-04T05:06:07.000Z')
      assert.deepEqual(await readFile(join(t.dataDir, 'library/alice/2021/03/IMG_0001.JPG')), data)
      const again = await t.client.upload(alice, { name: 'copy-of-it.jpg', data })
      assert.equal(again.status, 200)
      assert.deepEqual(again.body, { id: first.body.id, status: 'duplicate' })
      assert.deepEqual(await partials(t.dataDir), [])
      // Same name, other content: a new file beside it, never an overwrite.
      const other = await t.client.upload(alice, { name: 'IMG_0001.JPG', data: randomBytes(1000) }, { fields: { fileCreatedAt: '2021-03-04T05:06:07.000Z' } })
      assert.equal(other.status, 201)
      assert.deepEqual(await readFile(join(t.dataDir, 'library/alice/2021/03/IMG_0001.JPG')), data)
      assert.ok((await libraryFiles(t.dataDir)).includes('alice/2021/03/IMG_0001+1.JPG'))
    })

    test('a file with no date of its own keeps the date its client sent, after metadata extraction', async () => {
      const up = await t.client.upload(admin, { name: 'nodate.jpg', data: randomBytes(3000) }, { fields: { fileCreatedAt: '2021-05-06T07:08:09.000Z' } })
      assert.equal(up.status, 201)
      await t.node.jobs.drained(['metadataExtraction'])
      const got = await t.client.call('GET', `/api/assets/${up.body.id}`, { headers: admin.headers })
      assert.equal(got.body.fileCreatedAt, '2021-05-06T07:08:09.000Z', 'not the stored copy\'s modification time')
    })

    test('the original downloads byte-identical, with ranges', async () => {
      const data = randomBytes(50_000)
      const up = await t.client.upload(alice, { name: 'range.png', data })
      const whole = await fetch(`${t.url}/api/assets/${up.body.id as string}/original`, { headers: alice.headers })
      assert.equal(whole.status, 200)
      assert.equal(whole.headers.get('content-type'), 'image/png')
      assert.match(whole.headers.get('content-disposition') ?? '', /range\.png/)
      assert.deepEqual(Buffer.from(await whole.arrayBuffer()), data)
      const part = await fetch(`${t.url}/api/assets/${up.body.id as string}/original`, { headers: { ...alice.headers, range: 'bytes=100-199' } })
      assert.equal(part.status, 206)
      assert.equal(part.headers.get('content-range'), `bytes 100-199/${data.length}`)
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), data.subarray(100, 200))
      const tail = await fetch(`${t.url}/api/assets/${up.body.id as string}/original`, { headers: { ...alice.headers, range: 'bytes=-10' } })
      assert.deepEqual(Buffer.from(await tail.arrayBuffer()), data.subarray(data.length - 10))
      const bad = await fetch(`${t.url}/api/assets/${up.body.id as string}/original`, { headers: { ...alice.headers, range: 'bytes=999999-' } })
      assert.equal(bad.status, 416)
    })

    test('a checksum header that does not match is rejected and nothing is kept', async () => {
      const before = await libraryFiles(t.dataDir)
      const data = randomBytes(10_000)
      const wrong = await t.client.upload(alice, { name: 'damaged.jpg', data }, { headers: { 'x-immich-checksum': sha1(Buffer.from('something else')).toString('hex') } })
      assert.equal(wrong.status, 400)
      assert.match(wrong.body.message, /does not match/)
      const malformed = await t.client.upload(alice, { name: 'damaged.jpg', data }, { headers: { 'x-immich-checksum': 'abc' } })
      assert.equal(malformed.status, 400)
      assert.deepEqual(await libraryFiles(t.dataDir), before)
      assert.deepEqual(await partials(t.dataDir), [])
      const right = await t.client.upload(alice, { name: 'fine.jpg', data }, { headers: { 'x-immich-checksum': sha1(data).toString('base64') } })
      assert.equal(right.status, 201)
    })

    test('bulk-upload-check says which files are new (hex or base64 SHA-1)', async () => {
      const known = randomBytes(3000)
      const up = await t.client.upload(alice, { name: 'known.jpg', data: known })
      await t.client.call('DELETE', '/api/assets', { headers: alice.headers, body: { ids: [up.body.id] } })
      const r = await t.client.call('POST', '/api/assets/bulk-upload-check', {
        headers: alice.headers,
        body: { assets: [
          { id: 'a', checksum: sha1(known).toString('hex') },
          { id: 'b', checksum: sha1(randomBytes(10)).toString('base64') },
          { id: 'c', checksum: 'not a checksum' },
        ] },
      })
      assert.equal(r.status, 200)
      assert.deepEqual(r.body.results, [
        { id: 'a', action: 'reject', reason: 'duplicate', assetId: up.body.id, isTrashed: true },
        { id: 'b', action: 'accept' },
        { id: 'c', action: 'reject', reason: 'unsupported-format' },
      ])
      // Bob has no such asset: duplicates are per user.
      const forBob = await t.client.call('POST', '/api/assets/bulk-upload-check', { headers: bob.headers, body: { assets: [{ id: 'a', checksum: sha1(known).toString('hex') }] } })
      assert.deepEqual(forBob.body.results, [{ id: 'a', action: 'accept' }])
    })

    test('an XMP sidecar is stored beside its original', async () => {
      const xmp = Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>')
      const up = await t.client.upload(alice, { name: 'with-sidecar.jpg', data: randomBytes(2000) }, { sidecar: xmp, fields: { fileCreatedAt: '2022-12-31T23:00:00Z' } })
      assert.equal(up.status, 201)
      const a = await t.client.call('GET', `/api/assets/${up.body.id as string}`, { headers: alice.headers })
      assert.equal(a.body.hasSidecar, true)
      assert.deepEqual(await readFile(join(t.dataDir, 'library/alice/2022/12/with-sidecar.jpg.xmp')), xmp)
    })

    test('file names with ../, NUL and control characters cannot escape or hide', async () => {
      const cases: Array<[string, string]> = [
        ['../../../etc/evil.jpg', 'evil.jpg'], ['..\\..\\win.jpg', 'win.jpg'],
        ['/abs/olute.jpg', 'olute.jpg'], ['...hidden.jpg', 'hidden.jpg'],
      ]
      for (const [name, stored] of cases) {
        const up = await t.client.upload(alice, { name, data: randomBytes(500) }, { fields: { fileCreatedAt: '2020-01-01T00:00:00Z' } })
        assert.equal(up.status, 201, `${JSON.stringify(name)} → ${JSON.stringify(up.body)}`)
        const a = await t.client.call('GET', `/api/assets/${up.body.id as string}`, { headers: alice.headers })
        assert.equal(a.body.originalPath, `library/alice/2020/01/${stored}`, JSON.stringify(name))
        assert.equal(a.body.originalFileName, stored)
      }
      // A NUL or control character in the part header is malformed multipart: refused, nothing stored.
      const before = await libraryFiles(t.dataDir)
      const nulHeader = await t.client.upload(alice, { name: 'nul\u0000byte.jpg', data: randomBytes(500) })
      assert.equal(nulHeader.status, 400)
      assert.deepEqual(await libraryFiles(t.dataDir), before)
      // The same name in Immich's filename field reaches the sanitiser.
      const nulField = await t.client.upload(alice, { name: 'x.jpg', data: randomBytes(500) }, { fields: { filename: '../nul\u0000byte.jpg', fileCreatedAt: '2020-01-01T00:00:00Z' } })
      assert.equal(nulField.status, 201)
      assert.equal((await t.client.call('GET', `/api/assets/${nulField.body.id as string}`, { headers: alice.headers })).body.originalPath, 'library/alice/2020/01/nulbyte.jpg')
      const ctl = await t.client.upload(alice, { name: 'x.jpg', data: randomBytes(500) }, { fields: { filename: 'bell\u0007\u001b[31m.jpg', fileCreatedAt: '2020-01-01T00:00:00Z' } })
      assert.equal((await t.client.call('GET', `/api/assets/${ctl.body.id as string}`, { headers: alice.headers })).body.originalFileName, 'bell[31m.jpg')
      const names = (await libraryFiles(t.dataDir)).filter((f) => f.startsWith('alice/2020/01/'))
      assert.deepEqual(names, ['alice/2020/01/bell[31m.jpg', 'alice/2020/01/evil.jpg', 'alice/2020/01/hidden.jpg', 'alice/2020/01/nulbyte.jpg', 'alice/2020/01/olute.jpg', 'alice/2020/01/win.jpg'])
      assert.deepEqual(await partials(t.dataDir), [])
    })

    test('unsupported types and missing files are clear 400s', async () => {
      const r = await t.client.upload(alice, { name: 'notes.txt', data: Buffer.from('hello') })
      assert.equal(r.status, 400)
      assert.match(r.body.message, /Unsupported file type/)
      const form = new FormData()
      form.append('deviceAssetId', 'x')
      const none = await fetch(`${t.url}/api/assets`, { method: 'POST', headers: alice.headers, body: form })
      assert.equal(none.status, 400)
      assert.match((await none.json() as { message: string }).message, /assetData/)
      assert.deepEqual(await partials(t.dataDir), [])
    })

    test('a truncated multipart body is refused and leaves nothing behind', async () => {
      const before = await libraryFiles(t.dataDir)
      const boundary = 'hearthboundary'
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="assetData"; filename="cut.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`)
      const body = Buffer.concat([head, randomBytes(100_000)]) // no closing boundary
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${t.url}/api/assets`, { method: 'POST', headers: { ...alice.headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
        req.on('error', reject)
        req.end(body)
      })
      assert.equal(status, 400)
      assert.deepEqual(await libraryFiles(t.dataDir), before)
      assert.deepEqual(await partials(t.dataDir), [])
    })

    test('the quota is enforced with 507, early for a file far too large, and leaves no file or row', async () => {
      const before = await libraryFiles(t.dataDir)
      const fits = await t.client.upload(bob, { name: 'fits.jpg', data: randomBytes(200_000) })
      assert.equal(fits.status, 201)
      const over = await t.client.upload(bob, { name: 'over.jpg', data: randomBytes(150_000) })
      assert.equal(over.status, 507)
      assert.match(over.body.message, /quota/)
      // Far larger than the quota: refused from Content-Length, before the body is read.
      const huge = await new Promise<{ status: number, body: string }>((resolve, reject) => {
        const req = request(`${t.url}/api/assets`, { method: 'POST', headers: { ...bob.headers, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 * 1024 ** 3) } }, (res) => {
          let text = ''
          res.on('data', (c: Buffer) => { text += c.toString() })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        })
        req.on('error', reject)
        req.write('--x\r\n')
        // The body never comes: the answer must not wait for it.
      })
      assert.equal(huge.status, 507)
      assert.match(huge.body, /quota/)
      const me = await t.client.call('GET', '/api/users/me', { headers: bob.headers })
      assert.equal(me.body.quotaUsageInBytes, 200_000)
      const stats = await t.client.call('GET', '/api/assets/statistics', { headers: bob.headers })
      assert.equal(stats.body.total, 1)
      const after = await libraryFiles(t.dataDir)
      assert.deepEqual(after.filter((f) => !before.includes(f)), ['bob/2024/07/fits.jpg'])
      assert.deepEqual(await partials(t.dataDir), [])
    })

    test('the same file from two clients at once becomes one asset', async () => {
      const data = randomBytes(400_000)
      const results = await Promise.all([1, 2, 3, 4].map((i) => t.client.upload(alice, { name: `race-${i}.jpg`, data })))
      const ids = new Set(results.map((r) => r.body.id as string))
      assert.equal(ids.size, 1, JSON.stringify(results))
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 201])
      const race = (await libraryFiles(t.dataDir)).filter((f) => f.includes('race-'))
      assert.equal(race.length, 1, `one file on disk, not ${race.join(', ')}`)
      assert.deepEqual(await partials(t.dataDir), [])
    })

    test('another user\'s asset is a 404, for reading, downloading, deleting and albums', async () => {
      const mine = await t.client.upload(alice, { name: 'private.jpg', data: randomBytes(1000) })
      const id = mine.body.id as string
      assert.equal((await t.client.call('GET', `/api/assets/${id}`, { headers: bob.headers })).status, 404)
      assert.equal((await fetch(`${t.url}/api/assets/${id}/original`, { headers: bob.headers })).status, 404)
      assert.equal((await t.client.call('GET', '/api/assets/not-a-uuid', { headers: bob.headers })).status, 404)
      await t.client.call('DELETE', '/api/assets', { headers: bob.headers, body: { ids: [id], force: true } })
      assert.equal((await t.client.call('GET', `/api/assets/${id}`, { headers: alice.headers })).status, 200, 'still there')
      const album = await t.client.call('POST', '/api/albums', { headers: bob.headers, body: { albumName: 'Stolen', assetIds: [id] } })
      assert.equal(album.body.assetCount, 0)
      const add = await t.client.call('PUT', `/api/albums/${album.body.id as string}/assets`, { headers: bob.headers, body: { ids: [id] } })
      assert.deepEqual(add.body, [{ id, success: false, error: 'no_permission' }])
    })

    test('trash: delete moves to the trash, restore brings back, empty deletes files for good', async () => {
      const data = randomBytes(5000)
      const up = await t.client.upload(alice, { name: 'trashme.jpg', data }, { fields: { fileCreatedAt: '2019-06-01T00:00:00Z' } })
      const id = up.body.id as string
      const path = join(t.dataDir, 'library/alice/2019/06/trashme.jpg')
      assert.equal((await t.client.call('DELETE', '/api/assets', { headers: alice.headers, body: { ids: [id] } })).status, 204)
      const trashed = await t.client.call('GET', `/api/assets/${id}`, { headers: alice.headers })
      assert.equal(trashed.body.isTrashed, true)
      assert.ok((await stat(path)).isFile(), 'a trashed original stays on disk')
      assert.equal((await t.client.call('POST', '/api/trash/restore/assets', { headers: alice.headers, body: { ids: [id] } })).body.count, 1)
      assert.equal((await t.client.call('GET', `/api/assets/${id}`, { headers: alice.headers })).body.isTrashed, false)
      await t.client.call('DELETE', '/api/assets', { headers: alice.headers, body: { ids: [id] } })
      const usage = (await t.client.call('GET', '/api/users/me', { headers: alice.headers })).body.quotaUsageInBytes as number
      const emptied = await t.client.call('POST', '/api/trash/empty', { headers: alice.headers })
      assert.ok(emptied.body.count >= 1)
      assert.equal((await t.client.call('GET', `/api/assets/${id}`, { headers: alice.headers })).status, 404)
      await assert.rejects(stat(path), /ENOENT/)
      assert.ok((await t.client.call('GET', '/api/users/me', { headers: alice.headers })).body.quotaUsageInBytes <= usage - 5000)
      // Once gone, the same content uploads as new again.
      assert.equal((await t.client.upload(alice, { name: 'trashme.jpg', data })).status, 201)
    })

    test('search/metadata lists a user\'s assets only, a page at a time', async () => {
      const r = await t.client.call('POST', '/api/search/metadata', { headers: alice.headers, body: { size: 2 } })
      assert.equal(r.status, 200)
      assert.equal(r.body.assets.count, 2)
      assert.ok(r.body.assets.total > 2)
      assert.equal(r.body.assets.nextPage, '2')
      const all = await t.client.call('POST', '/api/search/metadata', { headers: alice.headers, body: { size: 1000 } })
      assert.ok(all.body.assets.items.every((a: { ownerId: string }) => a.ownerId === all.body.assets.items[0].ownerId))
      const named = await t.client.call('POST', '/api/search/metadata', { headers: alice.headers, body: { originalFileName: 'range' } })
      assert.deepEqual(named.body.assets.items.map((a: { originalFileName: string }) => a.originalFileName), ['range.png'])
    })
  })
}
