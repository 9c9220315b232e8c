import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { createLogger } from '../../node/observability/log.ts'
import { startTestNode } from '../helpers/node.ts'

test('logs are JSON lines carrying the request id, with no password, token or key in them', async () => {
  const sink = new PassThrough()
  const lines: Array<Record<string, unknown>> = []
  let raw = ''
  sink.on('data', (c: Buffer) => {
    raw += c.toString()
    for (const l of c.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
  })
  const log = createLogger({ level: 'info', format: 'json', destination: sink })
  const t = await startTestNode('pglite', {}, { log })
  try {
    const admin = await t.client.signUpAdmin('admin@example.org', 'a very secret passphrase')
    const key = await t.client.apiKey(admin)
    await t.client.call('POST', '/api/auth/login', { body: { email: 'admin@example.org', password: 'wrong guess here' } })
    const r = await fetch(`${t.url}/api/users/me`, { headers: { ...key.headers, 'x-request-id': 'trace-me-42' } })
    assert.equal(r.status, 200)
    await new Promise((ok) => setTimeout(ok, 50))
    const reqLine = lines.find((l) => l.reqId === 'trace-me-42')
    assert.ok(reqLine, 'the request is logged under its id')
    assert.equal(reqLine.status, 200)
    assert.equal(reqLine.route, '/api/users/me')
    assert.ok(lines.some((l) => l.msg === 'login failed' && l.email === 'admin@example.org'), 'failed logins are logged')
    assert.ok(!raw.includes('a very secret passphrase'), 'no password in the log')
    assert.ok(!raw.includes(admin.token), 'no session token in the log')
    assert.ok(!raw.includes(key.token), 'no API key in the log')
  } finally {
    await t.stop()
  }
})
