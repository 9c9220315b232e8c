/**
 * A full disk: the upload is refused with 507 and a message a person understands, nothing half
 * written stays behind, and uploads work again once there is room. The data folder is a small tmpfs
 * (this needs root and a kernel that lets the tests mount one; otherwise the tests are skipped).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { engines } from '../helpers/engines.ts'
import {
  deferrals, downloadOriginal, fillDisk, listFiles, mountTmpfs, partialBytes, randomFile, sandbox, sendSlowly, sha256, startUpload, waitFor,
} from '../helpers/process.ts'

for (const engine of engines) {
  test(`[${engine}] the disk filling up during an upload (HEARTH_MIN_FREE_SPACE=0) gives 507, leaves nothing, and uploads work once space is freed`, async (t) => {
    const defer = deferrals(t)
    // PGlite keeps its ~40 MB database on the same disk.
    const mount = await mountTmpfs(defer, engine === 'pglite' ? 96 : 32)
    if ('skip' in mount) { t.skip(mount.skip); return }
    const dataDir = join(mount.path, 'data')
    await mkdir(dataDir)
    const box = await sandbox(t, engine, { dataDir, defer })
    const hearth = await box.start({ HEARTH_MIN_FREE_SPACE: '0' })
    const admin = await hearth.client.signUpAdmin()
    const data = randomFile(10 * 1024 * 1024)

    // There is room when the upload starts (so it is accepted); the disk fills while it arrives.
    const upload = startUpload(hearth.url, admin.headers, { fileName: 'big.jpg', size: data.length })
    assert.ok(await upload.write(data.subarray(0, 1024 * 1024)))
    await waitFor('the first MiB in data/library/.partial', async () => await partialBytes(dataDir) >= 1000 * 1024)
    const filler = join(mount.path, 'filler')
    await fillDisk(mount.path, filler, 256 * 1024)
    await sendSlowly(upload, data, { from: 1024 * 1024, chunk: 256 * 1024, pauseMs: 0 })
    await upload.end()
    const res = await upload.response
    assert.equal(res.status, 507, JSON.stringify(res.body))
    assert.match(res.body.message, /disk is full/)
    assert.match(res.body.message, /nothing was stored/)

    assert.deepEqual(await listFiles(join(dataDir, 'library')), [], 'no temporary file and no original left')
    const stats = await hearth.client.call('GET', '/api/assets/statistics', { headers: admin.headers })
    assert.deepEqual(stats.body, { images: 0, videos: 0, total: 0 })
    assert.equal((await hearth.client.call('GET', '/api/users/me', { headers: admin.headers })).body.quotaUsageInBytes, 0)
    const health = await hearth.client.call('GET', '/api/health')
    assert.equal(health.status, 200, `the server is still healthy: ${JSON.stringify(health.body)}`)

    await rm(filler)
    const retry = await hearth.client.upload(admin, { name: 'big.jpg', data })
    assert.equal(retry.status, 201, JSON.stringify(retry.body))
    const got = await downloadOriginal(hearth.url, admin.headers, retry.body.id as string)
    assert.equal(sha256(got.bytes), sha256(data))
    assert.deepEqual(await listFiles(join(dataDir, 'library')), ['admin/2024/07/big.jpg'])
    assert.deepEqual(await hearth.stop(), { code: 0, signal: null })
  })

  test(`[${engine}] with the default free-space reserve, an upload that cannot fit is refused with 507 before its body is read`, async (t) => {
    const defer = deferrals(t)
    const mount = await mountTmpfs(defer, engine === 'pglite' ? 96 : 32)
    if ('skip' in mount) { t.skip(mount.skip); return }
    const dataDir = join(mount.path, 'data')
    await mkdir(dataDir)
    const box = await sandbox(t, engine, { dataDir, defer })
    // No HEARTH_MIN_FREE_SPACE: the default keeps 256 MB free, more than this whole disk.
    const hearth = await box.start({ HEARTH_MIN_FREE_SPACE: '' })
    const admin = await hearth.client.signUpAdmin()

    const upload = startUpload(hearth.url, admin.headers, { fileName: 'big.jpg', size: 10 * 1024 * 1024 })
    // Only the headers and the form fields go out; the answer must come without the file.
    let timer: NodeJS.Timeout | undefined
    const res = await Promise.race([
      upload.response,
      new Promise<never>((_, fail) => { timer = setTimeout(() => fail(new Error('no answer before the body was sent')), 15_000) }),
    ]).finally(() => clearTimeout(timer))
    upload.destroy()
    assert.equal(upload.sent(), 0)
    assert.equal(res.status, 507, JSON.stringify(res.body))
    assert.match(res.body.message, /disk is full .*free for uploads/)
    assert.match(res.body.message, /nothing was stored/)
    assert.deepEqual(await listFiles(join(dataDir, 'library')), [])

    // Immich's clients (the CLI: fetch with FormData) send the whole body before they read the
    // answer. The refusal must still reach them, not a reset connection (EPIPE/ECONNRESET).
    await t.test('a client that sends the whole body first (fetch, as the Immich CLI) gets the 507 too', async () => {
      const outcomes: string[] = []
      for (let i = 0; i < 8; i++) {
        const r = await hearth.client.upload(admin, { name: `photo-${i}.jpg`, data: randomFile(4 * 1024 * 1024) })
          .then((res) => `${res.status} ${String(res.body?.message ?? '')}`, (err: Error & { cause?: { code?: string } }) => `error ${err.cause?.code ?? err.message}`)
        outcomes.push(r)
      }
      assert.deepEqual(outcomes.filter((o) => !/^507 .*disk is full/.test(o)), [], 'every upload got the 507 with its message')
    })
    const stats = await hearth.client.call('GET', '/api/assets/statistics', { headers: admin.headers })
    assert.deepEqual(stats.body, { images: 0, videos: 0, total: 0 })
    assert.deepEqual(await listFiles(join(dataDir, 'library')), [])
    assert.deepEqual(await hearth.stop(), { code: 0, signal: null })
  })
}
