import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

describe('job status and commands over the API', () => {
  let t: TestNode
  let admin: Session
  let user: Session
  before(async () => {
    t = await startTestNode('pglite')
    admin = await t.client.signUpAdmin()
    user = await t.client.createUser(admin, 'member@example.org')
  })
  after(async () => { await t.stop() })

  test('GET /api/jobs has every queue in Immich\'s shape, for admins only', async () => {
    assert.equal((await t.client.call('GET', '/api/jobs', { headers: user.headers })).status, 403)
    const r = await t.client.call('GET', '/api/jobs', { headers: admin.headers })
    assert.equal(r.status, 200)
    for (const q of ['metadataExtraction', 'thumbnailGeneration', 'videoConversion', 'library']) {
      assert.deepEqual(Object.keys(r.body[q].jobCounts).sort(), ['active', 'completed', 'delayed', 'failed', 'paused', 'waiting'])
      assert.deepEqual(Object.keys(r.body[q].queueStatus).sort(), ['isActive', 'isPaused'])
    }
  })

  test('pause holds new work, resume runs it, clear-failed empties the failures', async () => {
    const paused = await t.client.call('PUT', '/api/jobs/metadataExtraction', { headers: admin.headers, body: { command: 'pause' } })
    assert.equal(paused.status, 200)
    assert.equal(paused.body.queueStatus.isPaused, true)
    // Not a real photo: metadata passes it on, thumbnails fail it (a failed job with a reason).
    const up = await t.client.upload(admin, { name: 'broken.jpg', data: randomBytes(2000) })
    assert.equal(up.status, 201)
    const held = await t.client.call('GET', '/api/jobs', { headers: admin.headers })
    assert.equal(held.body.metadataExtraction.jobCounts.paused, 1)
    assert.equal((await t.client.call('GET', `/api/assets/${up.body.id as string}`, { headers: admin.headers })).body.ingestStatus, 'pending')
    await t.client.call('PUT', '/api/jobs/metadataExtraction', { headers: admin.headers, body: { command: 'resume' } })
    await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration'])
    const asset = (await t.client.call('GET', `/api/assets/${up.body.id as string}`, { headers: admin.headers })).body
    assert.equal(asset.ingestStatus, 'failed')
    const after = await t.client.call('GET', '/api/jobs', { headers: admin.headers })
    assert.equal(after.body.thumbnailGeneration.jobCounts.failed, 1)
    const cleared = await t.client.call('PUT', '/api/jobs/thumbnailGeneration', { headers: admin.headers, body: { command: 'clear-failed' } })
    assert.equal(cleared.body.jobCounts.failed, 0)
    assert.equal((await t.client.call('PUT', '/api/jobs/noSuchQueue', { headers: admin.headers, body: { command: 'pause' } })).status, 404)
    assert.equal((await t.client.call('PUT', '/api/jobs/library', { headers: admin.headers, body: { command: 'explode' } })).status, 400)
  })
})
