import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import { waitFor } from '../helpers/process.ts'
import type { Session } from '../helpers/client.ts'

const TUS = { 'tus-resumable': '1.0.0' }
const meta = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(',')

for (const engine of engines) {
  describe(`[${engine}] resumable uploads (tus)`, () => {
    let t: TestNode
    let me: Session, other: Session, small: Session
    const video = randomBytes(3 * 1024 * 1024 + 123)

    const create = async (s: Session, length: number, m: Record<string, string>) =>
      fetch(`${t.url}/api/upload/tus`, { method: 'POST', headers: { ...TUS, ...s.headers, 'upload-length': String(length), 'upload-metadata': meta(m) } })
    const head = async (s: Session, location: string) => fetch(t.url + location, { method: 'HEAD', headers: { ...TUS, ...s.headers } })
    const patch = async (s: Session, location: string, offset: number, body: Uint8Array) =>
      fetch(t.url + location, { method: 'PATCH', headers: { ...TUS, ...s.headers, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: body as Uint8Array<ArrayBuffer> })
    /** Sends `body` but cuts the connection after `cutAfter` bytes, as a phone losing its signal would. */
    const patchAndDisconnect = (s: Session, location: string, offset: number, body: Buffer, cutAfter: number) => new Promise<void>((resolve) => {
      const u = new URL(t.url + location)
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'PATCH', headers: { ...TUS, ...s.headers, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': String(body.length) } })
      req.on('error', () => resolve())
      req.on('close', () => resolve())
      req.write(body.subarray(0, cutAfter), () => { setTimeout(() => req.destroy(), 200) })
    })
    const stagedFiles = async () => (await readdir(join(t.dataDir, 'library', '.uploads')).catch(() => [])).filter((f) => !f.startsWith('.'))

    before(async () => {
      t = await startTestNode(engine)
      me = await t.client.signUpAdmin()
      other = await t.client.createUser(me, 'other@example.org')
      small = await t.client.createUser(me, 'small@example.org', 'another good password', { quotaSizeInBytes: 100_000 })
    })
    after(async () => { await t.stop() })

    test('create, send part, lose the connection, ask the offset, resume, finish: one asset with the same bytes', async () => {
      const created = await create(me, video.length, { filename: 'birthday.mp4', fileCreatedAt: '2024-05-01T10:00:00.000Z' })
      assert.equal(created.status, 201, await created.text())
      const location = created.headers.get('location')!
      assert.match(location, /^\/api\/upload\/tus\/[\w-]+$/)
      // Someone else cannot see or write this upload.
      assert.equal((await head(other, location)).status, 404)
      assert.equal((await patch(other, location, 0, video.subarray(0, 10))).status, 404)

      const first = await patch(me, location, 0, video.subarray(0, 1024 * 1024))
      assert.equal(first.status, 204)
      assert.equal(first.headers.get('upload-offset'), String(1024 * 1024))
      // The next chunk is cut off mid-way.
      await patchAndDisconnect(me, location, 1024 * 1024, video.subarray(1024 * 1024), 700_000)
      let offset = 0
      await waitFor('the server to settle the cut-off chunk', async () => {
        const h = await head(me, location)
        offset = Number(h.headers.get('upload-offset'))
        return h.status === 200 && offset >= 1024 * 1024
      })
      assert.ok(offset >= 1024 * 1024 && offset <= 1024 * 1024 + 700_000, `offset ${offset}`)
      assert.equal((await head(me, location)).headers.get('upload-length'), String(video.length))
      // A resume from the wrong offset is refused.
      assert.equal((await patch(me, location, 5, video.subarray(5, 10))).status, 409)
      const last = await patch(me, location, offset, video.subarray(offset))
      assert.equal(last.status, 204, await last.text())
      const id = last.headers.get('hearth-asset-id')!
      assert.equal(last.headers.get('hearth-asset-status'), 'created')

      const asset = await t.client.call('GET', `/api/assets/${id}`, { headers: me.headers })
      assert.equal(asset.status, 200)
      assert.equal(asset.body.originalFileName, 'birthday.mp4')
      assert.equal(asset.body.type, 'VIDEO')
      assert.equal(asset.body.fileCreatedAt, '2024-05-01T10:00:00.000Z')
      assert.equal(asset.body.checksumSha256, createHash('sha256').update(video).digest('hex'))
      const original = Buffer.from(await (await fetch(`${t.url}/api/assets/${id}/original`, { headers: me.headers })).arrayBuffer())
      assert.ok(original.equals(video))
      assert.deepEqual(await stagedFiles(), [], 'the staged file is gone once the asset holds it')
      // The quota was charged once.
      assert.equal((await t.client.call('GET', '/api/users/me', { headers: me.headers })).body.quotaUsageInBytes, video.length)
      // The finished upload is gone: nobody resumes it twice.
      assert.equal((await head(me, location)).status, 404)

      // The same bytes again, by tus or by the ordinary upload: the same asset, a duplicate.
      const again = await create(me, video.length, { filename: 'copy.mp4' })
      const done = await patch(me, again.headers.get('location')!, 0, video)
      assert.equal(done.headers.get('hearth-asset-id'), id)
      assert.equal(done.headers.get('hearth-asset-status'), 'duplicate')
      const multipart = await t.client.upload(me, { name: 'copy2.mp4', data: video })
      assert.equal(multipart.status, 200)
      assert.equal(multipart.body.id, id)
      assert.equal((await t.client.call('POST', '/api/search/metadata', { headers: me.headers, body: {} })).body.assets.total, 1)
      assert.equal((await t.client.call('GET', '/api/users/me', { headers: me.headers })).body.quotaUsageInBytes, video.length)
    })

    test('the size is checked before a byte is taken: quota (507), unsupported type and missing name (400), no credentials (401)', async () => {
      const over = await create(small, 200_000, { filename: 'big.mp4' })
      assert.equal(over.status, 507)
      assert.match(await over.text(), /quota/)
      assert.equal((await create(me, 10, { filename: 'notes.txt' })).status, 400)
      assert.equal((await create(me, 10, {})).status, 400)
      const anon = await fetch(`${t.url}/api/upload/tus`, { method: 'POST', headers: { ...TUS, 'upload-length': '10', 'upload-metadata': meta({ filename: 'a.jpg' }) } })
      assert.equal(anon.status, 401)
      const deferred = await fetch(`${t.url}/api/upload/tus`, { method: 'POST', headers: { ...TUS, ...me.headers, 'upload-defer-length': '1', 'upload-metadata': meta({ filename: 'a.jpg' }) } })
      assert.ok(deferred.status >= 400 && deferred.status < 500, String(deferred.status))
      // An API key without asset.upload cannot use it.
      const readOnly = await t.client.apiKey(me, ['asset.read'])
      assert.equal((await create(readOnly, 10, { filename: 'a.jpg' })).status, 403)
      assert.deepEqual(await stagedFiles(), [])
    })

    test('an abandoned upload expires and is cleaned up; a fresh one is kept', async () => {
      const abandoned = (await create(me, 5000, { filename: 'lost.mp4' })).headers.get('location')!
      await patch(me, abandoned, 0, randomBytes(1000))
      const fresh = (await create(me, 5000, { filename: 'fresh.mp4' })).headers.get('location')!
      const id = abandoned.split('/').pop()!
      const info = join(t.dataDir, 'library', '.uploads', `${id}.json`)
      const record = JSON.parse(await readFile(info, 'utf8'))
      record.creation_date = new Date(Date.now() - 4 * 86_400_000).toISOString()
      await writeFile(info, JSON.stringify(record))
      assert.equal(await t.node.tus.cleanUpExpired(), 1)
      assert.equal((await head(me, abandoned)).status, 404)
      assert.equal((await head(me, fresh)).status, 200)
      assert.ok(!(await stagedFiles()).some((f) => f.startsWith(id)))
      // No asset came of either.
      assert.equal((await t.client.call('POST', '/api/search/metadata', { headers: me.headers, body: {} })).body.assets.total, 1)
      // The owner may also cancel an upload.
      assert.equal((await fetch(t.url + fresh, { method: 'DELETE', headers: { ...TUS, ...me.headers } })).status, 204)
      assert.deepEqual(await stagedFiles(), [])
    })
  })
}
