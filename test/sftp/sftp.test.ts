import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { sftpModule, type SftpModule } from '../../appliance/sftp/index.ts'

const fixture = new URL('../fixtures/tree/Beach/sea.jpg', import.meta.url).pathname
const EMAIL = 'admin@example.org'
const PASSWORD = 'correct horse battery'

const sftpOf = (t: TestNode) => t.node.modules.find((m) => m.name === 'sftp') as SftpModule

async function connect (t: TestNode, username = EMAIL, password = PASSWORD) {
  const c = new SftpClient()
  await c.connect({ host: '127.0.0.1', port: sftpOf(t).port, username, password, readyTimeout: 10_000 })
  // ssh2's client leaves Nagle's algorithm on: a sequential put would wait ~40 ms per write.
  ;(c as unknown as { client: { setNoDelay(on: boolean): void } }).client.setNoDelay(true)
  return c
}

async function assetsOf (t: TestNode, s: Session) {
  const r = await t.client.call('POST', '/api/search/metadata', { headers: s.headers, body: { size: 1000 } })
  assert.equal(r.status, 200)
  return r.body.assets.items as Array<{ id: string, originalFileName: string, checksum: string }>
}

/** Runs OpenSSH's sftp in batch mode, giving the password through SSH_ASKPASS. */
async function opensshBatch (port: number, dir: string, batch: string, password: string) {
  const askpass = join(dir, 'askpass.sh')
  await writeFile(askpass, `#!/bin/sh\necho '${password}'\n`)
  await chmod(askpass, 0o700)
  await writeFile(join(dir, 'batch'), batch)
  return new Promise<{ code: number | null, out: string }>((ok) => {
    const p = spawn('sftp', ['-o', 'BatchMode=no', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
      '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no', '-P', String(port), '-b', join(dir, 'batch'), `${EMAIL}@127.0.0.1`],
    { env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d: Buffer) => { out += d.toString() })
    p.stderr.on('data', (d: Buffer) => { out += d.toString() })
    const timer = setTimeout(() => p.kill(), 20_000)
    p.on('close', (code) => { clearTimeout(timer); ok({ code, out }) })
  })
}

for (const engine of engines) {
  describe(`[${engine}] sftp`, () => {
    let t: TestNode
    let admin: Session
    let work: string
    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'hearth-sftp-'))
      t = await startTestNode(engine, { HEARTH_SFTP_PORT: '0' }, { modules: [sftpModule({ host: '127.0.0.1' })], jobConcurrency: { } })
      admin = await t.client.signUpAdmin(EMAIL, PASSWORD)
    })
    after(async () => {
      await t.stop()
      await rm(work, { recursive: true, force: true })
    })

    test('host key is 0600 and has a fingerprint', async () => {
      const m = sftpOf(t)
      assert.ok(m.port > 0)
      assert.match(m.fingerprint ?? '', /^SHA256:/)
      assert.equal((await stat(join(t.dataDir, 'keys', 'ssh_host_ed25519_key'))).mode & 0o777, 0o600)
    })

    test('wrong password and unknown user are refused', async () => {
      await assert.rejects(connect(t, EMAIL, 'wrong'))
      await assert.rejects(connect(t, 'nobody@example.org', PASSWORD))
    })

    test('app password (API key) logs in', async () => {
      const key = await t.client.apiKey(admin)
      const c = await connect(t, EMAIL, key.token)
      assert.deepEqual((await c.list('/')).map((e) => e.name).sort(), ['Albums', 'Libraries', 'Uploads'])
      await c.end()
    })

    test('put, get, list, mkdir, rename, delete; one asset per upload', async () => {
      const c = await connect(t)
      try {
        const photo = await readFile(fixture)
        await c.put(photo, '/Uploads/sea.jpg')
        const listed = await c.list('/Uploads')
        assert.ok(listed.some((e) => e.name === 'sea.jpg' && e.size === photo.length))
        const back = await c.get('/Uploads/sea.jpg') as Buffer
        assert.ok(Buffer.compare(back, photo) === 0)
        let assets = await assetsOf(t, admin)
        assert.equal(assets.filter((a) => a.originalFileName === 'sea.jpg').length, 1)

        await c.mkdir('/Uploads/Trip')
        const other = randomBytes(4096)
        await c.put(other, '/Uploads/Trip/x.jpg')
        assert.deepEqual((await c.list('/Uploads/Trip')).map((e) => e.name), ['x.jpg'])
        await c.rename('/Uploads/Trip/x.jpg', '/Uploads/Trip/y.jpg')
        assert.deepEqual((await c.list('/Uploads/Trip')).map((e) => e.name), ['y.jpg'])
        assets = await assetsOf(t, admin)
        assert.equal(assets.filter((a) => a.originalFileName === 'y.jpg').length, 1)
        await c.delete('/Uploads/Trip/y.jpg')
        assert.deepEqual(await c.list('/Uploads/Trip'), [])
        await c.rmdir('/Uploads/Trip')
        assets = await assetsOf(t, admin)
        assert.equal(assets.filter((a) => a.originalFileName === 'y.jpg').length, 0)
      } finally { await c.end() }
    })

    test('4 parallel fastPuts of 20 MB files become 4 assets', async () => {
      const files = await Promise.all([0, 1, 2, 3].map(async (i) => {
        const p = join(work, `big${i}.mp4`)
        await writeFile(p, randomBytes(20 * 1024 * 1024))
        return p
      }))
      const c = await connect(t)
      try {
        await Promise.all(files.map((f, i) => c.fastPut(f, `/Uploads/big${i}.mp4`)))
        for (let i = 0; i < 4; i++) {
          const s = await c.stat(`/Uploads/big${i}.mp4`)
          assert.equal(s.size, 20 * 1024 * 1024)
        }
      } finally { await c.end() }
      const assets = await assetsOf(t, admin)
      for (let i = 0; i < 4; i++) assert.equal(assets.filter((a) => a.originalFileName === `big${i}.mp4`).length, 1)
      const local = await readFile(files[2])
      const c2 = await connect(t)
      try {
        const back = await c2.get('/Uploads/big2.mp4') as Buffer
        assert.ok(Buffer.compare(back, local) === 0)
      } finally { await c2.end() }
    })

    test('path escapes and read-only parts are refused', async () => {
      const c = await connect(t)
      try {
        for (const p of ['/Uploads/../../etc/passwd', '../etc/x.jpg', '/Uploads/..', '/Uploads/a\u0000b.jpg']) {
          await assert.rejects(c.put(Buffer.from('x'), p), (err: Error & { code?: number }) => /denied|refused/i.test(err.message), p)
        }
        await assert.rejects(c.put(Buffer.from('x'), '/etc/x.jpg'), /denied/i)
        await assert.rejects(c.put(Buffer.from('x'), '/Albums/x.jpg'), /denied/i)
        await assert.rejects(c.mkdir('/Libraries/x'), /denied/i)
        await assert.rejects(c.get('/Uploads/../../../etc/passwd'), /denied|refused/i)
      } finally { await c.end() }
    })

    test('a full quota gives a clear failure and leaves nothing half-written', async () => {
      const user = await t.client.createUser(admin, 'small@example.org', 'another good password', { quotaSizeInBytes: 1000 })
      const c = await connect(t, 'small@example.org', 'another good password')
      try {
        await assert.rejects(c.put(randomBytes(4096), '/Uploads/big.jpg'), /quota/i)
        assert.deepEqual((await c.list('/Uploads')).map((e) => e.name), [])
      } finally { await c.end() }
      assert.equal((await assetsOf(t, user)).length, 0)
      assert.deepEqual((await readdir(join(t.dataDir, 'library', '.partial'))).filter((n) => n.endsWith('.sftp.part')), [])
    })

    test('OpenSSH sftp batch upload (password via SSH_ASKPASS)', async () => {
      const out = await opensshBatch(sftpOf(t).port, work, `cd /Uploads\nput ${fixture} beach-openssh.jpg\nls -l\n`, PASSWORD)
      assert.equal(out.code, 0, out.out)
      assert.match(out.out, /beach-openssh\.jpg/)
      const assets = await assetsOf(t, admin)
      assert.equal(assets.filter((a) => a.originalFileName === 'beach-openssh.jpg').length, 0, 'same content as sea.jpg: a duplicate, not a new asset')
      const c = await connect(t)
      try { assert.ok((await c.list('/Uploads')).some((e) => e.name === 'beach-openssh.jpg')) } finally { await c.end() }
    })

    test('host key is stable across restarts', async () => {
      const before = await readFile(join(t.dataDir, 'keys', 'ssh_host_ed25519_key'), 'utf8')
      const fp = sftpOf(t).fingerprint
      const m = sftpOf(t)
      await m.stop!()
      await m.start!()
      assert.equal(sftpOf(t).fingerprint, fp)
      assert.equal(await readFile(join(t.dataDir, 'keys', 'ssh_host_ed25519_key'), 'utf8'), before)
      const c = await connect(t)
      await c.end()
    })
  })
}
