/**
 * Real clients' WebDAV request sequences replayed with curl on each engine: Windows' WebClient
 * (Map network drive) and macOS Finder. Each completed upload is exactly one asset, made once the
 * client unlocks it; Finder's AppleDouble and .DS_Store files are stored and read back but never
 * become assets; overwriting keeps the old original in the trash; an abandoned PUT leaves nothing;
 * passwords over plain HTTP from outside the LAN are refused.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { webdavModule } from '../../appliance/webdav/index.ts'
import { createNode } from '../../node/index.ts'
import { createLogger } from '../../node/observability/log.ts'

const run = promisify(execFile)
const EMAIL = 'admin@example.org'
const PASSWORD = 'correct horse battery'
const jpeg = (n = 8192) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(n)])
const LOCKINFO = '<?xml version="1.0" encoding="utf-8" ?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>HEARTH\\tester</D:href></D:owner></D:lockinfo>'
const WIN32_PROPPATCH = '<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>' +
  '<Z:Win32CreationTime>Mon, 14 Jul 2025 10:30:00 GMT</Z:Win32CreationTime><Z:Win32LastAccessTime>Mon, 14 Jul 2025 10:30:00 GMT</Z:Win32LastAccessTime>' +
  '<Z:Win32LastModifiedTime>Mon, 14 Jul 2025 10:30:00 GMT</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></D:prop></D:set></D:propertyupdate>'

for (const engine of engines) {
  describe(`[${engine}] WebDAV client sequences (curl)`, () => {
    let t: TestNode
    let admin: Session
    let work: string

    /** One curl request; returns status, headers (lower-case) and body. */
    async function curl (method: string, path: string, { headers = {}, body, agent }: { headers?: Record<string, string>, body?: Buffer | string, agent: string }) {
      const bodyFile = join(work, `body-${randomBytes(4).toString('hex')}`)
      const outFile = `${bodyFile}.out`
      const args = ['-s', '-S', '-X', method, '-u', `${EMAIL}:${PASSWORD}`, '-A', agent, '-D', '-', '-o', outFile]
      for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`)
      if (body !== undefined) { await writeFile(bodyFile, body); args.push('--data-binary', `@${bodyFile}`) }
      args.push(`${t.url}${path}`)
      const { stdout } = await run('curl', args)
      const blocks = stdout.trim().split(/\r?\n\r?\n/)
      const head = blocks.at(-1)!.split(/\r?\n/)
      const status = Number(head[0].split(' ')[1])
      const h: Record<string, string> = {}
      for (const l of head.slice(1)) { const i = l.indexOf(':'); if (i > 0) h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim() }
      const out = await readFile(outFile).catch(() => Buffer.alloc(0))
      await rm(bodyFile, { force: true }); await rm(outFile, { force: true })
      return { status, headers: h, body: out }
    }
    const total = async () => (await t.client.call('GET', '/api/assets/statistics', { headers: admin.headers })).body.total as number
    const named = async (name: string) => {
      const r = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { originalFileName: name, withDeleted: true, size: 100 } })
      return (r.body.assets.items as Array<{ id: string, originalFileName: string, isTrashed: boolean }>).filter((a) => a.originalFileName === name)
    }

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'hearth-dav-clients-'))
      t = await startTestNode(engine, {}, { modules: [webdavModule()] })
      admin = await t.client.signUpAdmin(EMAIL, PASSWORD)
    })
    after(async () => {
      await t.stop()
      await rm(work, { recursive: true, force: true })
    })

    test('Windows WebClient: OPTIONS, PROPFIND, zero-byte PUT, LOCK, real PUT, PROPPATCH of Win32 times, UNLOCK', async () => {
      const agent = 'Microsoft-WebDAV-MiniRedir/10.0.19045'
      const opts = await curl('OPTIONS', '/dav/', { agent })
      assert.equal(opts.status, 200)
      assert.equal(opts.headers['ms-author-via'], 'DAV')
      assert.match(opts.headers.dav, /1, 2/)
      assert.equal((await curl('PROPFIND', '/dav/Uploads', { agent, headers: { depth: '0' } })).status, 207)
      assert.equal((await curl('PROPFIND', '/dav/Uploads/IMG_0001.JPG', { agent, headers: { depth: '0' } })).status, 404)
      const before = await total()
      const photo = jpeg()
      assert.equal((await curl('PUT', '/dav/Uploads/IMG_0001.JPG', { agent, body: Buffer.alloc(0), headers: { 'content-length': '0' } })).status, 201)
      const lock = await curl('LOCK', '/dav/Uploads/IMG_0001.JPG', { agent, body: LOCKINFO, headers: { 'content-type': 'text/xml', timeout: 'Second-3600', depth: '0' } })
      assert.equal(lock.status, 200)
      const token = lock.headers['lock-token']
      assert.match(token, /^<urn:uuid:/)
      // Without the token the locked file cannot be written.
      assert.equal((await curl('PUT', '/dav/Uploads/IMG_0001.JPG', { agent, body: photo })).status, 423)
      assert.equal((await curl('PUT', '/dav/Uploads/IMG_0001.JPG', { agent, body: photo, headers: { if: `(${token})` } })).status, 204)
      const pp = await curl('PROPPATCH', '/dav/Uploads/IMG_0001.JPG', { agent, body: WIN32_PROPPATCH, headers: { 'content-type': 'text/xml', if: `(${token})` } })
      assert.equal(pp.status, 207)
      assert.doesNotMatch(pp.body.toString(), /40[34]/)
      assert.equal(await total(), before, 'still locked: not an asset yet')
      assert.equal((await curl('UNLOCK', '/dav/Uploads/IMG_0001.JPG', { agent, headers: { 'lock-token': token } })).status, 204)
      assert.equal(await total(), before + 1, 'unlocked: exactly one asset')
      assert.equal((await named('IMG_0001.JPG')).length, 1)
      assert.ok((await curl('GET', '/dav/Uploads/IMG_0001.JPG', { agent })).body.equals(photo))
      const props = await curl('PROPFIND', '/dav/Uploads/IMG_0001.JPG', { agent, headers: { depth: '0' } })
      assert.match(props.body.toString(), /Win32LastModifiedTime/)
    })

    test('a client that never unlocks: the upload becomes one asset when its lock expires, not before', async () => {
      const agent = 'Microsoft-WebDAV-MiniRedir/10.0.19045'
      const before = await total()
      const photo = jpeg(12_000)
      const lock = await curl('LOCK', '/dav/Uploads/IMG_0002.JPG', { agent, body: LOCKINFO, headers: { 'content-type': 'text/xml', timeout: 'Second-2', depth: '0' } })
      assert.equal(lock.status, 201)
      const token = lock.headers['lock-token']
      assert.equal((await curl('PUT', '/dav/Uploads/IMG_0002.JPG', { agent, body: photo, headers: { if: `(${token})` } })).status, 204)
      assert.equal(await total(), before, 'locked: not an asset yet')
      // No UNLOCK (the client crashed or the laptop slept): the lock times out after 2 s.
      const deadline = Date.now() + 10_000
      while (await total() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
      assert.equal(await total(), before + 1, 'the lock expired: exactly one asset')
      assert.equal((await named('IMG_0002.JPG')).length, 1)
      // The file is writable again without a token.
      assert.equal((await curl('PUT', '/dav/Uploads/IMG_0002.JPG', { agent, body: photo })).status, 204)
      assert.equal((await named('IMG_0002.JPG')).length, 1, 'the same content again is the same asset')
    })

    test('macOS Finder: AppleDouble and .DS_Store stored and readable but never assets; LOCK, chunked PUT, UNLOCK', async () => {
      const agent = 'WebDAVFS/3.0.0 (03008000) Darwin/22.1.0 (x86_64)'
      const before = await total()
      const photo = jpeg(20_000)
      const appleDouble = Buffer.concat([Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]), Buffer.from('Mac OS X        '), randomBytes(4000)])
      assert.equal((await curl('PROPFIND', '/dav/Uploads/._beach.jpg', { agent, headers: { depth: '0' } })).status, 404)
      assert.equal((await curl('PUT', '/dav/Uploads/._beach.jpg', { agent, body: appleDouble })).status, 201)
      const lock = await curl('LOCK', '/dav/Uploads/beach.jpg', { agent, body: LOCKINFO, headers: { 'content-type': 'text/xml; charset="utf-8"', timeout: 'Second-600', depth: '0' } })
      assert.equal(lock.status, 201, 'a lock on a new name makes an empty file')
      const token = lock.headers['lock-token']
      const put = await curl('PUT', '/dav/Uploads/beach.jpg', { agent, body: photo, headers: { 'transfer-encoding': 'chunked', 'x-expected-entity-length': String(photo.length), if: `(${token})` } })
      assert.ok(put.status === 201 || put.status === 204, String(put.status))
      // Finder refreshes its lock while it works.
      assert.equal((await curl('LOCK', '/dav/Uploads/beach.jpg', { agent, headers: { timeout: 'Second-600', if: `(${token})` } })).status, 200)
      assert.equal(await total(), before)
      assert.equal((await curl('UNLOCK', '/dav/Uploads/beach.jpg', { agent, headers: { 'lock-token': token } })).status, 204)
      assert.equal((await curl('PUT', '/dav/Uploads/.DS_Store', { agent, body: randomBytes(6148) })).status, 201)
      assert.equal(await total(), before + 1)
      assert.ok((await curl('GET', '/dav/Uploads/._beach.jpg', { agent })).body.equals(appleDouble))
      assert.ok((await curl('GET', '/dav/Uploads/beach.jpg', { agent })).body.equals(photo))
      const list = (await curl('PROPFIND', '/dav/Uploads/', { agent, headers: { depth: '1' } })).body.toString()
      for (const n of ['._beach.jpg', '.DS_Store', 'beach.jpg']) assert.ok(list.includes(`/dav/Uploads/${encodeURIComponent(n)}`), n)
      assert.equal((await named('._beach.jpg')).length, 0)
      // Finder deletes the AppleDouble file along with the photo's: the photo's asset goes to the trash.
      assert.equal((await curl('DELETE', '/dav/Uploads/._beach.jpg', { agent })).status, 204)
    })

    test('overwriting a photo keeps the old original in the trash; the same content twice is one asset', async () => {
      const agent = 'curl'
      const a = jpeg(), b = jpeg()
      assert.equal((await curl('PUT', '/dav/Uploads/over.jpg', { agent, body: a })).status, 201)
      const [first] = await named('over.jpg')
      assert.equal((await curl('PUT', '/dav/Uploads/over.jpg', { agent, body: b })).status, 204)
      const all = await named('over.jpg')
      assert.equal(all.length, 2)
      assert.equal(all.find((x) => x.id === first.id)!.isTrashed, true)
      assert.equal(all.find((x) => x.id !== first.id)!.isTrashed, false)
      assert.ok((await curl('GET', '/dav/Uploads/over.jpg', { agent })).body.equals(b))
      const n = await total()
      assert.equal((await curl('PUT', '/dav/Uploads/same-again.jpg', { agent, body: b })).status, 201)
      assert.equal(await total(), n)
      // Removing one of two names of the same content keeps the asset; removing the last trashes it.
      assert.equal((await curl('DELETE', '/dav/Uploads/same-again.jpg', { agent })).status, 204)
      assert.equal((await named('over.jpg')).filter((x) => !x.isTrashed).length, 1)
      assert.equal((await curl('DELETE', '/dav/Uploads/over.jpg', { agent })).status, 204)
      assert.equal((await named('over.jpg')).filter((x) => !x.isTrashed).length, 0)
    })

    test('a PUT abandoned by its client is cleaned up and never ingested', async () => {
      const before = await total()
      const u = new URL(t.url)
      await new Promise<void>((ok, fail) => {
        const s = connect(Number(u.port), u.hostname, () => {
          s.write(`PUT /dav/Uploads/abandoned.jpg HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}\r\nContent-Length: 10000000\r\n\r\n`)
          s.write(jpeg(200_000), () => setTimeout(() => { s.destroy(); ok() }, 300))
        })
        s.on('error', fail)
      })
      await new Promise((r) => setTimeout(r, 500))
      assert.equal((await curl('GET', '/dav/Uploads/abandoned.jpg', { agent: 'curl' })).status, 404)
      assert.equal(await total(), before)
      assert.deepEqual((await readdir(join(t.dataDir, 'library', '.partial'))).filter((n) => n.endsWith('.part')), [])
    })

    test('over quota: 507 with a message, nothing left on disk or in the library; a file that fits still goes in', async () => {
      const small = await t.client.createUser(admin, 'small@example.org', 'another good password', { quotaSizeInBytes: 30_000 })
      const auth = `Basic ${Buffer.from('small@example.org:another good password').toString('base64')}`
      const put = (name: string, body: Buffer) => fetch(`${t.url}/dav/Uploads/${name}`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'image/jpeg' }, body: new Uint8Array(body) })
      const big = await put('big.jpg', jpeg(60_000))
      assert.equal(big.status, 507)
      assert.match(await big.text(), /quota|space/i)
      const gone = await fetch(`${t.url}/dav/Uploads/big.jpg`, { method: 'PROPFIND', headers: { authorization: auth, depth: '0' } })
      assert.equal(gone.status, 404, 'nothing half-written is left under the name')
      assert.deepEqual((await readdir(join(t.dataDir, 'library', '.partial'))).filter((n) => n.endsWith('.part')), [])
      assert.equal((await t.client.call('GET', '/api/assets/statistics', { headers: small.headers })).body.total, 0)
      assert.equal((await put('small.jpg', jpeg(8_000))).status, 201)
      assert.equal((await t.client.call('GET', '/api/assets/statistics', { headers: small.headers })).body.total, 1)
    })

    test('passwords over plain HTTP from outside the LAN are refused; from the LAN or through HTTPS they are not', async () => {
      const fromInternet = await curl('PROPFIND', '/dav/', { agent: 'curl', headers: { depth: '0', 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'http' } })
      assert.equal(fromInternet.status, 403)
      assert.match(fromInternet.body.toString(), /HTTPS/)
      assert.equal((await curl('PROPFIND', '/dav/', { agent: 'curl', headers: { depth: '0', 'x-forwarded-for': '203.0.113.5', 'x-forwarded-proto': 'https' } })).status, 207)
      assert.equal((await curl('PROPFIND', '/dav/', { agent: 'curl', headers: { depth: '0', 'x-forwarded-for': '192.168.1.20', 'x-forwarded-proto': 'http' } })).status, 207)
    })

    // Last: it stops the node. Locks live in memory, so a restart unlocks everything.
    test('an upload still locked when Hearth stops becomes an asset at the next start', async () => {
      const agent = 'Microsoft-WebDAV-MiniRedir/10.0.19045'
      const before = await total()
      const lock = await curl('LOCK', '/dav/Uploads/restart.jpg', { agent, body: LOCKINFO, headers: { 'content-type': 'text/xml', timeout: 'Second-3600', depth: '0' } })
      assert.equal(lock.status, 201)
      assert.equal((await curl('PUT', '/dav/Uploads/restart.jpg', { agent, body: jpeg(), headers: { if: `(${lock.headers['lock-token']})` } })).status, 204)
      assert.equal(await total(), before)
      await t.node.stop()
      const again = await createNode(t.node.config, { modules: [webdavModule()], log: createLogger({ level: 'silent', format: 'json' }) })
      await again.start()
      try {
        const rows = await again.db.query<{ n: number }>('SELECT count(*)::int AS n FROM assets WHERE original_file_name = $1 AND deleted_at IS NULL', ['restart.jpg'])
        assert.equal(rows[0].n, 1)
        const [{ waiting }] = await again.db.query<{ waiting: number }>('SELECT count(*)::int AS waiting FROM upload_files WHERE asset_id IS NULL')
        assert.equal(waiting, 0)
      } finally { await again.stop() }
    })
  })
}
