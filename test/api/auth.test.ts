import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

for (const engine of engines) {
  describe(`[${engine}] users and auth`, () => {
    let t: TestNode
    let admin: Session
    before(async () => {
      t = await startTestNode(engine, { HEARTH_LOGIN_MAX_FAILURES: '3', HEARTH_LOGIN_LOCKOUT_SECONDS: '60' })
    })
    after(async () => { await t.stop() })

    test('admin sign-up works once, and only while no user exists', async () => {
      const c = t.client
      assert.equal((await c.call('GET', '/api/server/config')).body.isInitialized, false)
      const weak = await c.call('POST', '/api/auth/admin-sign-up', { body: { email: 'admin@example.org', password: 'short', name: 'A' } })
      assert.equal(weak.status, 400)
      assert.match(weak.body.message, /at least 8/)
      // Two sign-ups racing: exactly one wins.
      const [a, b] = await Promise.all([
        c.call('POST', '/api/auth/admin-sign-up', { body: { email: 'admin@example.org', password: 'correct horse battery', name: 'Admin' } }),
        c.call('POST', '/api/auth/admin-sign-up', { body: { email: 'admin@example.org', password: 'correct horse battery', name: 'Admin twin' } }),
      ])
      assert.deepEqual([a.status, b.status].sort(), [201, 400])
      const winner = a.status === 201 ? a : b
      assert.equal(winner.body.isAdmin, true)
      assert.equal(winner.body.password_hash, undefined)
      const again = await c.call('POST', '/api/auth/admin-sign-up', { body: { email: 'x@example.org', password: 'correct horse battery', name: 'X' } })
      assert.equal(again.status, 400)
      admin = await c.login(winner.body.email as string, 'correct horse battery')
      assert.equal((await c.call('GET', '/api/server/config')).body.isInitialized, true)
    })

    test('the password is stored with Argon2id, never in clear', async () => {
      const [row] = await t.node.db.query<{ password_hash: string }>('SELECT password_hash FROM users LIMIT 1')
      assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    })

    test('login returns a token that works as Bearer and as an HttpOnly SameSite cookie', async () => {
      const r = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.org', password: 'correct horse battery' }) })
      assert.equal(r.status, 201)
      const body = await r.json() as { accessToken: string, isAdmin: boolean }
      assert.ok(body.accessToken.length >= 40)
      const setCookie = r.headers.get('set-cookie') ?? ''
      assert.match(setCookie, /hearth_access_token=/)
      assert.match(setCookie, /httponly/i)
      assert.match(setCookie, /samesite=lax/i)
      const cookie = setCookie.split(';')[0]
      const byCookie = await t.client.call('GET', '/api/users/me', { headers: { cookie } })
      assert.equal(byCookie.status, 200)
      assert.equal(byCookie.body.email, 'admin@example.org')
      const byBearer = await t.client.call('GET', '/api/users/me', { headers: { authorization: `Bearer ${body.accessToken}` } })
      assert.equal(byBearer.status, 200)
    })

    test('wrong credentials are 401, and garbage tokens too', async () => {
      const c = t.client
      assert.equal((await c.call('POST', '/api/auth/login', { body: { email: 'admin@example.org', password: 'wrong password' } })).status, 401)
      assert.equal((await c.call('POST', '/api/auth/login', { body: { email: 'nobody@example.org', password: 'wrong password' } })).status, 401)
      assert.equal((await c.call('GET', '/api/users/me', { headers: { authorization: 'Bearer nonsense' } })).status, 401)
      assert.equal((await c.call('GET', '/api/users/me', { headers: { 'x-api-key': 'nonsense' } })).status, 401)
      assert.equal((await c.call('GET', '/api/users/me')).status, 401)
    })

    test('logout ends the session', async () => {
      const s = await t.client.login('admin@example.org', 'correct horse battery')
      assert.equal((await t.client.call('POST', '/api/auth/logout', { headers: s.headers })).status, 200)
      const after = await t.client.call('GET', '/api/users/me', { headers: s.headers })
      assert.equal(after.status, 401)
      assert.match(after.body.message, /log in again/)
    })

    test('repeated wrong passwords lock the account out with 429 and Retry-After', async () => {
      const c = t.client
      await c.createUser(admin, 'victim@example.org', 'victim password 1')
      for (let i = 0; i < 3; i++) {
        assert.equal((await c.call('POST', '/api/auth/login', { body: { email: 'victim@example.org', password: `guess ${i}` } })).status, 401)
      }
      const locked = await c.call('POST', '/api/auth/login', { body: { email: 'victim@example.org', password: 'victim password 1' } })
      assert.equal(locked.status, 429, 'even the right password waits out the lockout')
      assert.ok(Number(locked.headers.get('retry-after')) > 0)
      assert.match(locked.body.message, /try again in \d+ seconds/)
      // Another account is not locked by it.
      assert.equal((await c.call('POST', '/api/auth/login', { body: { email: 'admin@example.org', password: 'correct horse battery' } })).status, 201)
    })

    test('API keys: the secret is shown once, permissions are enforced, and a key cannot mint a stronger one', async () => {
      const c = t.client
      const created = await c.call('POST', '/api/api-keys', { headers: admin.headers, body: { name: 'readonly', permissions: ['asset.read', 'user.read', 'apiKey.create'] } })
      assert.equal(created.status, 201)
      assert.equal(typeof created.body.secret, 'string')
      const key = { 'x-api-key': created.body.secret as string }
      const listed = await c.call('GET', '/api/api-keys', { headers: admin.headers })
      assert.ok(listed.body.every((k: Record<string, unknown>) => k.secret === undefined && k.key_hash === undefined))
      const me = await c.call('GET', '/api/api-keys/me', { headers: key })
      assert.deepEqual(me.body.permissions, ['asset.read', 'user.read', 'apiKey.create'])
      assert.equal((await c.call('GET', '/api/users/me', { headers: key })).status, 200)
      const upload = await c.upload({ token: '', headers: key }, { name: 'a.jpg', data: Buffer.from('not allowed') })
      assert.equal(upload.status, 403)
      assert.match(upload.body.message, /asset\.upload/)
      const stronger = await c.call('POST', '/api/api-keys', { headers: key, body: { name: 'x', permissions: ['all'] } })
      assert.equal(stronger.status, 403)
      const bogus = await c.call('POST', '/api/api-keys', { headers: admin.headers, body: { name: 'x', permissions: ['launch.missiles'] } })
      assert.equal(bogus.status, 400)
      assert.equal((await c.call('DELETE', `/api/api-keys/${created.body.apiKey.id as string}`, { headers: admin.headers })).status, 204)
      assert.equal((await c.call('GET', '/api/users/me', { headers: key })).status, 401)
    })

    test('only admins manage users; removing one sets their files aside; the last admin stays', async () => {
      const c = t.client
      const bob = await c.createUser(admin, 'bob@example.org', 'bob password 1', { quotaSizeInBytes: 1000 })
      assert.equal((await c.call('GET', '/api/admin/users', { headers: bob.headers })).status, 403)
      assert.equal((await c.call('POST', '/api/admin/users', { headers: bob.headers, body: { email: 'eve@example.org', password: 'eve password 1', name: 'Eve' } })).status, 403)
      const dup = await c.call('POST', '/api/admin/users', { headers: admin.headers, body: { email: 'BOB@example.org', password: 'bob password 2', name: 'Bob2' } })
      assert.equal(dup.status, 409)
      const list = await c.call('GET', '/api/admin/users', { headers: admin.headers })
      const bobRow = list.body.find((u: { email: string }) => u.email === 'bob@example.org')
      assert.equal(bobRow.quotaSizeInBytes, 1000)
      const me = await c.call('GET', '/api/users/me', { headers: admin.headers })
      assert.equal((await c.call('DELETE', `/api/admin/users/${me.body.id as string}`, { headers: admin.headers })).status, 400)
      assert.equal((await c.call('DELETE', `/api/admin/users/${bobRow.id as string}`, { headers: admin.headers })).status, 200)
      assert.equal((await c.call('GET', '/api/users/me', { headers: bob.headers })).status, 401, 'a removed user\'s sessions end')
      assert.equal((await c.call('GET', '/api/admin/users/not-a-uuid', { headers: admin.headers })).status, 404)
    })

    test('changing the password signs out other sessions', async () => {
      const c = t.client
      await c.createUser(admin, 'carol@example.org', 'carol password 1')
      const phone = await c.login('carol@example.org', 'carol password 1')
      const laptop = await c.login('carol@example.org', 'carol password 1')
      const wrong = await c.call('POST', '/api/auth/change-password', { headers: laptop.headers, body: { password: 'nope nope', newPassword: 'carol password 2' } })
      assert.equal(wrong.status, 400)
      const ok = await c.call('POST', '/api/auth/change-password', { headers: laptop.headers, body: { password: 'carol password 1', newPassword: 'carol password 2' } })
      assert.equal(ok.status, 200)
      assert.equal((await c.call('GET', '/api/users/me', { headers: phone.headers })).status, 401)
      assert.equal((await c.call('GET', '/api/users/me', { headers: laptop.headers })).status, 200)
      await c.login('carol@example.org', 'carol password 2')
    })
  })
}
