/**
 * SFTP public-key login on each engine: keys added through the API (validated, per user, listed
 * in the OpenAPI document), OpenSSH `sftp -b` with a key made by ssh-keygen and the host key pinned
 * from the connection-info endpoint, ssh2-sftp-client with a key, wrong keys refused, logged and
 * throttled, and `hearth doctor` showing the host key's fingerprint.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import pino from 'pino'
import SftpClient from 'ssh2-sftp-client'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { sftpModule, type SftpModule } from '../../appliance/sftp/index.ts'
import { loadConfig } from '../../node/config/load.ts'
import { doctor } from '../../appliance/cli/doctor.ts'

const run = promisify(execFile)
const EMAIL = 'admin@example.org'
const PASSWORD = 'correct horse battery'
const fixture = new URL('../fixtures/tree/Beach/sea.jpg', import.meta.url).pathname

async function keygen (dir: string, name: string) {
  const path = join(dir, name)
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@test`, '-f', path])
  return { path, pub: (await readFile(`${path}.pub`, 'utf8')).trim(), priv: await readFile(path) }
}

function opensshSftp (args: string[]) {
  return new Promise<{ code: number | null, out: string }>((ok) => {
    const p = spawn('sftp', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d: Buffer) => { out += d.toString() })
    p.stderr.on('data', (d: Buffer) => { out += d.toString() })
    const timer = setTimeout(() => p.kill(), 20_000)
    p.on('close', (code) => { clearTimeout(timer); ok({ code, out }) })
  })
}

for (const engine of engines) {
  describe(`[${engine}] sftp public keys`, () => {
    let t: TestNode
    let admin: Session
    let work: string
    const logs: Array<Record<string, unknown>> = []
    const port = () => (t.node.modules.find((m) => m.name === 'sftp') as SftpModule).port
    const connect = (username: string, privateKey: Buffer) => {
      const c = new SftpClient()
      return c.connect({ host: '127.0.0.1', port: port(), username, privateKey, readyTimeout: 10_000 }).then(() => c)
    }

    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'hearth-sftp-keys-'))
      const sink = new Writable({ write (chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l !== '') logs.push(JSON.parse(l)); cb() } })
      t = await startTestNode(engine, { HEARTH_SFTP_PORT: '0', HEARTH_LOGIN_MAX_FAILURES: '3' }, { modules: [sftpModule({ host: '127.0.0.1' })], log: pino({ level: 'info' }, sink) })
      admin = await t.client.signUpAdmin(EMAIL, PASSWORD)
    })
    after(async () => {
      await t.stop()
      await rm(work, { recursive: true, force: true })
    })

    test('keys are added, validated, listed per user and removed through the API', async () => {
      const k = await keygen(work, 'api')
      const other = await t.client.createUser(admin, 'other@example.org')
      const add = await t.client.call('POST', '/api/users/me/ssh-keys', { headers: admin.headers, body: { name: 'laptop', key: k.pub } })
      assert.equal(add.status, 201, JSON.stringify(add.body))
      const fp = (await run('ssh-keygen', ['-lf', `${k.path}.pub`])).stdout.split(' ')[1]
      assert.equal(add.body.fingerprint, fp)
      assert.equal(add.body.algorithm, 'ssh-ed25519')
      assert.equal((await t.client.call('POST', '/api/users/me/ssh-keys', { headers: admin.headers, body: { key: k.pub } })).status, 409)
      for (const bad of ['ssh-ed25519 AAAAnotakey', 'hello', k.priv.toString()]) {
        const r = await t.client.call('POST', '/api/users/me/ssh-keys', { headers: admin.headers, body: { key: bad } })
        assert.equal(r.status, 400, bad.slice(0, 20))
      }
      assert.deepEqual((await t.client.call('GET', '/api/users/me/ssh-keys', { headers: other.headers })).body, [])
      assert.equal((await t.client.call('DELETE', `/api/users/me/ssh-keys/${add.body.id as string}`, { headers: other.headers })).status, 404)
      assert.equal((await t.client.call('GET', '/api/users/me/ssh-keys', {})).status, 401)
      const list = await t.client.call('GET', '/api/users/me/ssh-keys', { headers: admin.headers })
      assert.deepEqual(list.body.map((x: { fingerprint: string }) => x.fingerprint), [fp])
      assert.equal((await t.client.call('DELETE', `/api/users/me/ssh-keys/${add.body.id as string}`, { headers: admin.headers })).status, 204)
      assert.deepEqual((await t.client.call('GET', '/api/users/me/ssh-keys', { headers: admin.headers })).body, [])
      const spec = await t.client.call('GET', '/api/openapi.json')
      assert.ok(spec.body.paths['/api/users/me/ssh-keys']?.post !== undefined)
      assert.ok(spec.body.paths['/api/sftp']?.get !== undefined)
    })

    test('OpenSSH sftp -b logs in with a key, checking the host key from /api/sftp', async () => {
      const k = await keygen(work, 'openssh')
      assert.equal((await t.client.call('POST', '/api/users/me/ssh-keys', { headers: admin.headers, body: { key: k.pub } })).status, 201)
      const info = await t.client.call('GET', '/api/sftp', { headers: admin.headers })
      assert.equal(info.status, 200)
      assert.equal(info.body.port, port())
      assert.match(info.body.hostKeyFingerprint, /^SHA256:/)
      // Pin the host key from the API: a wrong one would make StrictHostKeyChecking fail.
      const knownHosts = join(work, 'known_hosts')
      await writeFile(knownHosts, `[127.0.0.1]:${port()} ${info.body.hostKey as string}\n`)
      const keyscanFp = (await run('ssh-keygen', ['-lf', knownHosts])).stdout.split(' ')[1]
      assert.equal(keyscanFp, info.body.hostKeyFingerprint)
      await writeFile(join(work, 'batch'), `cd /Uploads\nmkdir keyed\nput ${fixture} keyed/by-key.jpg\nls -l keyed\ndf\n`)
      const r = await opensshSftp(['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'IdentitiesOnly=yes',
        '-o', 'PreferredAuthentications=publickey', '-i', k.path, '-P', String(port()), '-b', join(work, 'batch'), `${EMAIL}@127.0.0.1`])
      assert.equal(r.code, 0, r.out)
      assert.match(r.out, /by-key\.jpg/)
      const keys = await t.client.call('GET', '/api/users/me/ssh-keys', { headers: admin.headers })
      assert.ok(keys.body.some((x: { lastUsedAt: string | null }) => x.lastUsedAt !== null))
    })

    test('ssh2-sftp-client logs in with a key; a key the user never added is refused and logged', async () => {
      const good = await keygen(work, 'client')
      const stranger = await keygen(work, 'stranger')
      assert.equal((await t.client.call('POST', '/api/users/me/ssh-keys', { headers: admin.headers, body: { key: good.pub } })).status, 201)
      const c = await connect(EMAIL, good.priv)
      try {
        await c.put(await readFile(fixture), '/Uploads/client-key.jpg')
        assert.ok((await c.list('/Uploads')).some((e) => e.name === 'client-key.jpg'))
      } finally { await c.end() }
      await assert.rejects(connect(EMAIL, stranger.priv), /authentication/i)
      // Another user's key does not open this account.
      const other = await t.client.login('other@example.org', 'another good password')
      const theirs = await keygen(work, 'theirs')
      assert.equal((await t.client.call('POST', '/api/users/me/ssh-keys', { headers: other.headers, body: { key: theirs.pub } })).status, 201)
      await assert.rejects(connect(EMAIL, theirs.priv), /authentication/i)
      assert.ok(logs.some((l) => l.msg === 'sftp public key not known for this user' && l.email === EMAIL), 'the refused key is logged')
    })

    test('while an account is locked by failed logins, even its key is refused', async () => {
      await t.client.createUser(admin, 'locked@example.org')
      const locked = await t.client.login('locked@example.org', 'another good password')
      const k = await keygen(work, 'locked')
      assert.equal((await t.client.call('POST', '/api/users/me/ssh-keys', { headers: locked.headers, body: { key: k.pub } })).status, 201)
      const c = await connect('locked@example.org', k.priv)
      await c.end()
      for (let i = 0; i < 3; i++) {
        const bad = new SftpClient()
        await assert.rejects(bad.connect({ host: '127.0.0.1', port: port(), username: 'locked@example.org', password: 'wrong', readyTimeout: 10_000 }))
      }
      await assert.rejects(connect('locked@example.org', k.priv), /authentication/i)
      assert.ok(logs.some((l) => l.msg === 'login refused: too many failures' && l.email === 'locked@example.org'))
    })

    test('hearth doctor shows the host key fingerprint', async () => {
      const lines: string[] = []
      const orig = console.log
      console.log = (...a: unknown[]) => { lines.push(a.join(' ')) }
      try {
        await doctor(loadConfig({ HEARTH_DATA_DIR: t.dataDir, HEARTH_PORT: '1', HEARTH_SFTP_PORT: '2', HEARTH_P2P_PORT: '3', ...(t.node.config.DATABASE_URL !== undefined ? { DATABASE_URL: t.node.config.DATABASE_URL } : {}) }))
      } finally { console.log = orig }
      const fp = (t.node.modules.find((m) => m.name === 'sftp') as SftpModule).fingerprint!
      assert.ok(lines.some((l) => l.includes('SFTP host key') && l.includes(fp)), lines.join('\n'))
    })
  })
}
