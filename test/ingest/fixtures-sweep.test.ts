/**
 * Every photo in ../shared/fixtures through the real pipeline at once: each ends ready with an
 * upright thumbnail, except the deliberately corrupt file, which ends failed with a reason, and
 * the rest carry on regardless. Invalid EXIF must not stop a photo from being shown.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { mediaTypeOf } from '../../node/assets/media-types.ts'

const shared = resolve(import.meta.dirname, '../../../shared/fixtures')

describe('every fixture photo through the pipeline', { skip: existsSync(shared) ? false : 'needs ../shared/fixtures (real camera photos)' }, () => {
  let t: TestNode
  let me: Session
  const uploaded = new Map<string, string>()
  before(async () => {
    t = await startTestNode('pglite')
    me = await t.client.signUpAdmin()
    const files = (await readdir(shared, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && mediaTypeOf(e.name)?.type === 'IMAGE')
      .map((e) => join(e.parentPath, e.name))
    for (const f of files) {
      const r = await t.client.upload(me, f)
      assert.ok(r.status === 201 || r.status === 200, `${f}: ${JSON.stringify(r.body)}`)
      if (r.status === 201) uploaded.set(relative(shared, f), r.body.id as string)
    }
    await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration', 'videoConversion'], { timeoutMs: 600_000 })
  })
  after(async () => { await t.stop() })

  test('all ready with a thumbnail, but the corrupt file, which fails with a reason', async () => {
    assert.ok(uploaded.size >= 60, `${uploaded.size} photos`)
    const failed: string[] = []
    for (const [path, id] of uploaded) {
      const a = (await t.client.call('GET', `/api/assets/${id}`, { headers: me.headers })).body
      if (a.ingestStatus === 'failed') {
        assert.ok(typeof a.failureReason === 'string' && a.failureReason.length > 5, path)
        failed.push(path)
        continue
      }
      assert.equal(a.ingestStatus, 'ready', `${path}: ${String(a.failureReason)}`)
      const th = await fetch(`${t.url}/api/assets/${id}/thumbnail`, { headers: me.headers })
      assert.equal(th.status, 200, path)
      assert.ok(a.width > 0 && a.height > 0, path)
    }
    assert.deepEqual(failed, ['exif-samples/jpg/corrupted.jpg'])
  })
})
