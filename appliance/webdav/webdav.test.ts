/**
 * WebDAV against a live node on each engine: litmus (basic, copymove, props, locks, http), an
 * rclone round trip of test/fixtures/tree, assets made from uploads, authentication and path escapes.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { request } from 'node:http'
import { promisify } from 'node:util'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { engines } from '../../test/helpers/engines.ts'
import { startTestNode, type TestNode } from '../../test/helpers/node.ts'
import type { Session } from '../../test/helpers/client.ts'
import { webdavModule } from './index.ts'

const run = promisify(execFile)
const fixtures = join(import.meta.dirname, '../../test/fixtures/tree')
const email = 'admin@example.org'
const password = 'correct horse battery'

async function files (dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name))).sort()
}

for (const engine of engines) {
  describe(`WebDAV on ${engine}`, () => {
    let t: TestNode
    let admin: Session
    let basic: string
    before(async () => {
      t = await startTestNode(engine, {}, { modules: [webdavModule()] })
      admin = await t.client.signUpAdmin(email, password)
      basic = `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`
    })
    after(async () => { await t.stop() })

    const dav = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Uint8Array) =>
      fetch(`${t.url}${path}`, { method, headers: { authorization: basic, ...headers }, body: body as BodyInit | undefined })

    test('litmus passes basic, copymove, props, locks and http', { timeout: 120_000 }, async () => {
      const r = await run('litmus', [`${t.url}/dav/Uploads/`, email, password], { env: { ...process.env, TESTS: 'basic copymove props locks http' } }).catch((err: { stdout: string }) => err)
      const out = (r as { stdout: string }).stdout
      const failed = out.split('\n').filter((l) => /FAIL/.test(l))
      assert.deepEqual(failed, [], out)
      assert.equal(out.split('\n').filter((l) => /summary for .*0 failed/.test(l)).length, 5, out)
      // Tests litmus skips when a precondition fails (cond_put needs HEAD's 200 with an ETag) would hide a defect.
      assert.deepEqual(out.split('\n').filter((l) => /SKIPPED/.test(l)), [], out)
    })

    test('rclone copies a tree up and back byte for byte, and each photo becomes one asset', { timeout: 60_000 }, async () => {
      const back = await mkdtemp(join(tmpdir(), 'hearth-dav-back-'))
      try {
        const obscured = (await run('rclone', ['obscure', password])).stdout.trim()
        const env = { ...process.env, RCLONE_CONFIG_H_TYPE: 'webdav', RCLONE_CONFIG_H_URL: `${t.url}/dav`, RCLONE_CONFIG_H_VENDOR: 'other', RCLONE_CONFIG_H_USER: email, RCLONE_CONFIG_H_PASS: obscured }
        await run('rclone', ['copy', fixtures, 'h:Uploads/tree'], { env })
        await run('rclone', ['copy', 'h:Uploads/tree', back], { env })
        const names = await files(fixtures)
        assert.deepEqual(await files(back), names)
        for (const n of names) assert.ok((await readFile(join(fixtures, n))).equals(await readFile(join(back, n))), n)
        // Again: nothing new.
        await run('rclone', ['copy', fixtures, 'h:Uploads/tree2'], { env })
        const res = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: {} })
        const photos = names.filter((n) => n.endsWith('.jpg'))
        const items = (res.body?.assets?.items ?? []) as Array<{ originalFileName: string }>
        if (res.status === 200) assert.deepEqual(items.map((a) => a.originalFileName).sort(), photos.map((n) => n.split('/').at(-1)!).sort())
        else {
          const stats = await t.client.call('GET', '/api/assets/statistics', { headers: admin.headers })
          assert.equal(stats.body.images, photos.length)
        }
      } finally {
        await rm(back, { recursive: true, force: true })
      }
    })

    test('zero-byte PUTs and Finder files do not become assets; a later real PUT does', async () => {
      const before = (await t.client.call('GET', '/api/assets/statistics', { headers: admin.headers })).body.total as number
      assert.equal((await dav('PUT', '/dav/Uploads/win.jpg', {}, new Uint8Array())).status, 201)
      assert.equal((await dav('PUT', '/dav/Uploads/._win.jpg', {}, await readFile(join(fixtures, 'Beach/sea.jpg')))).status, 201)
      assert.equal((await dav('PUT', '/dav/Uploads/.DS_Store', {}, 'x')).status, 201)
      assert.equal((await t.client.call('GET', '/api/assets/statistics', { headers: admin.headers })).body.total, before)
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
      assert.equal((await dav('PUT', '/dav/Uploads/win.png', {}, png)).status, 201)
      assert.equal((await t.client.call('GET', '/api/assets/statistics', { headers: admin.headers })).body.total, before + 1)
    })

    test('wrong password and no credentials get 401 with a challenge', async () => {
      const r = await fetch(`${t.url}/dav/Uploads/`, { method: 'PROPFIND', headers: { depth: '0', authorization: `Basic ${Buffer.from(`${email}:wrong`).toString('base64')}` } })
      assert.equal(r.status, 401)
      assert.match(r.headers.get('www-authenticate') ?? '', /^Basic/)
      assert.equal((await fetch(`${t.url}/dav/`, { method: 'PROPFIND' })).status, 401)
    })

    test('an API key works as the password', async () => {
      const key = await t.client.apiKey(admin)
      const r = await fetch(`${t.url}/dav/`, { method: 'PROPFIND', headers: { depth: '1', authorization: `Basic ${Buffer.from(`any:${key.token}`).toString('base64')}` } })
      assert.equal(r.status, 207)
      const text = await r.text()
      for (const a of ['Uploads', 'Libraries', 'Albums']) assert.ok(text.includes(`/dav/${a}/`), a)
    })

    test('path escapes, depth infinity and writes to read-only parts are refused', async () => {
      for (const p of ['/dav/Uploads/%2e%2e/%2e%2e/etc', '/dav/Uploads/..%2f..%2fx', '/dav/Uploads/a%00b', '/dav/Uploads/%2E%2E']) {
        // Raw HTTP: fetch would normalise the dots away before sending.
        const status = await new Promise<number>((ok, fail) => {
          request({ host: new URL(t.url).hostname, port: new URL(t.url).port, path: p, method: 'GET', headers: { authorization: basic } }, (res) => { res.resume(); ok(res.statusCode!) }).on('error', fail).end()
        })
        assert.ok(status === 400 || status === 403, `${p}: ${status}`)
      }
      const put = await dav('PUT', '/dav/Uploads/x.txt', { }, 'x')
      assert.equal(put.status, 201)
      const move = await dav('MOVE', '/dav/Uploads/x.txt', { destination: `${t.url}/dav/Uploads/%2e%2e/x.txt` })
      assert.ok(move.status === 400 || move.status === 403, String(move.status))
      assert.equal((await dav('PROPFIND', '/dav/Uploads/', { depth: 'infinity' })).status, 403)
      assert.equal((await dav('PUT', '/dav/Libraries/x.jpg', {}, 'x')).status, 403)
      assert.equal((await dav('MKCOL', '/dav/Albums/x')).status, 403)
      assert.equal((await dav('DELETE', '/dav/Uploads')).status, 403)
    })

    test('HEAD answers 200 with the ETag and length of GET', async () => {
      await dav('PUT', '/dav/Uploads/h.txt', {}, '0123456789')
      const get = await dav('GET', '/dav/Uploads/h.txt')
      const head = await dav('HEAD', '/dav/Uploads/h.txt')
      assert.equal(head.status, 200)
      assert.equal(head.headers.get('etag'), get.headers.get('etag'))
      assert.equal(head.headers.get('content-length'), '10')
    })

    test('ranged GET', async () => {
      await dav('PUT', '/dav/Uploads/r.txt', {}, '0123456789')
      const r = await dav('GET', '/dav/Uploads/r.txt', { range: 'bytes=2-5' })
      assert.equal(r.status, 206)
      assert.equal(await r.text(), '2345')
    })
  })
}
