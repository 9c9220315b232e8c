import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import { libraryModule } from '../../appliance/libraries/index.ts'
import { webdavModule } from '../../appliance/webdav/index.ts'
import { sftpModule } from '../../appliance/sftp/index.ts'
import { integrityModule } from '../../appliance/integrity/index.ts'
import { federationModule } from '../../federation/index.ts'

interface Operation { security?: unknown[], 'x-hearth-admin'?: boolean }

describe('the API description and its guard', () => {
  let t: TestNode
  let doc: { paths: Record<string, Record<string, Operation>> }
  before(async () => {
    // With every module `hearth serve` runs, so their endpoints are walked too.
    t = await startTestNode('pglite', { HEARTH_SFTP_PORT: '0', HEARTH_P2P_PORT: '0' }, {
      modules: [libraryModule(), webdavModule(), sftpModule(), integrityModule(), federationModule()],
    })
    await t.client.signUpAdmin()
    const r = await t.client.call('GET', '/api/openapi.json')
    assert.equal(r.status, 200)
    doc = r.body
  })
  after(async () => { await t.stop() })

  test('the document lists the Immich endpoints Hearth promises', () => {
    const expected = [
      'get /.well-known/immich', 'get /api/server/ping', 'get /api/server/version', 'get /api/server/media-types',
      'post /api/auth/admin-sign-up', 'post /api/auth/login', 'post /api/auth/logout', 'get /api/users/me',
      'post /api/api-keys', 'get /api/api-keys/me', 'post /api/assets', 'post /api/assets/bulk-upload-check',
      'get /api/assets/{id}', 'get /api/assets/{id}/original', 'delete /api/assets', 'get /api/albums', 'post /api/albums',
      'put /api/albums/{id}/assets', 'get /api/health', 'get /metrics',
    ]
    const have = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
    for (const e of expected) assert.ok(have.includes(e), `missing ${e}`)
    const login = doc.paths['/api/auth/login'].post as { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }
    assert.ok('email' in login.requestBody.content['application/json'].schema.properties)
  })

  test('every endpoint not meant to be public answers 401 without credentials', async () => {
    let checked = 0
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const isPublic = Array.isArray(op.security) && op.security.length === 0
        if (isPublic && path !== '/metrics') continue
        const url = t.url + path.replace(/\{\w+\}/g, '01a211da-8a1c-7000-afc1-7e949a17900b')
        const r = await fetch(url, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: ['get', 'delete'].includes(method) ? undefined : '{}' })
        assert.equal(r.status, 401, `${method.toUpperCase()} ${path} answered ${r.status}`)
        const body = await r.json() as { message: string, statusCode: number }
        assert.equal(body.statusCode, 401)
        checked++
      }
    }
    assert.ok(checked >= 30, `checked ${checked} endpoints`)
  })

  test('public endpoints answer without credentials', async () => {
    assert.deepEqual((await t.client.call('GET', '/api/server/ping')).body, { res: 'pong' })
    assert.deepEqual((await t.client.call('GET', '/.well-known/immich')).body, { api: { endpoint: '/api' } })
    const v = await t.client.call('GET', '/api/server/version')
    assert.deepEqual(Object.keys(v.body).sort(), ['major', 'minor', 'patch'])
    const media = await t.client.call('GET', '/api/server/media-types')
    for (const ext of ['.jpg', '.heic', '.dng', '.avif', '.jxl']) assert.ok(media.body.image.includes(ext), ext)
    for (const ext of ['.mp4', '.mov']) assert.ok(media.body.video.includes(ext), ext)
    assert.deepEqual(media.body.sidecar, ['.xmp'])
    const health = await t.client.call('GET', '/api/health')
    assert.equal(health.status, 200)
    assert.equal(health.body.checks.database, 'ok')
  })

  test('errors carry a request id, and 5xx details never reach the client', async () => {
    const r = await fetch(`${t.url}/api/users/me`, { headers: { 'x-request-id': 'req-abc.123' } })
    assert.equal(r.headers.get('x-request-id'), 'req-abc.123')
    assert.equal((await r.json() as { correlationId: string }).correlationId, 'req-abc.123')
    const nope = await fetch(`${t.url}/api/no-such-thing`)
    assert.equal(nope.status, 404)
  })

  test('metrics are for an admin or the metrics token, in Prometheus format', async () => {
    const admin = await t.client.login('admin@example.org', 'correct horse battery')
    const user = await t.client.createUser(admin, 'kid@example.org', 'kid password 1')
    assert.equal((await fetch(`${t.url}/metrics`, { headers: user.headers })).status, 403)
    const r = await fetch(`${t.url}/metrics`, { headers: admin.headers })
    assert.equal(r.status, 200)
    const text = await r.text()
    assert.match(text, /hearth_http_requests_total\{method="GET",route="\/api\/server\/ping",status="200"\} \d+/)
    assert.match(text, /hearth_process_resident_memory_bytes/)
  })
})
