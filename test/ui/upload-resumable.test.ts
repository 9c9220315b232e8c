/**
 * The web UI's resumable upload (ui/src/upload/tus.ts) in a real browser: a file of 64 MiB or
 * more, chosen with the Upload button's file picker, goes to /api/upload/tus in 8 MiB PATCHes and
 * arrives as one asset, byte for byte. The network goes away in the middle (the context goes
 * offline, then back): the client asks the server where the upload got to (HEAD) and goes on from
 * there instead of starting again.
 *
 * The file is a real photo with 64 MiB of random bytes after its end-of-image marker (every JPEG
 * reader stops there), so it is a valid, unique JPEG at the production threshold: no test-only
 * setting is needed. Upload throughput is throttled (Chromium's network emulation) so the
 * interruption lands mid-upload rather than after a localhost upload has already finished.
 */
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page, Request } from 'playwright-core'
import { oneEngine } from '../helpers/engines.ts'
import { waitFor } from '../helpers/process.ts'
import type { Session } from '../helpers/client.ts'
import { startUi, type UiHarness } from './harness.ts'

const MiB = 1024 * 1024
const photo = resolve(import.meta.dirname, '../../../shared/fixtures/immich-test-assets/albums/nature/prairie_falcon.jpg')

interface TusCall { method: string, path: string, offset: number | undefined, at: number, failed?: string, status?: number, replyOffset?: number }

for (const engine of oneEngine('pglite')) {
  describe(`web UI resumable upload [${engine}]`, () => {
    let ui: UiHarness
    let s: Session
    let page: Page
    let dir: string
    let file: string
    let bytes: Buffer
    before(async () => {
      ui = await startUi(engine)
      s = await ui.node.client.signUpAdmin()
      dir = await mkdtemp(join(tmpdir(), 'hearth-tus-ui-'))
      // Just over 8 PATCHes' worth, so the last one is short.
      bytes = Buffer.concat([await readFile(photo), randomBytes(64 * MiB + 12_345)])
      file = join(dir, 'big-falcon.jpg')
      await writeFile(file, bytes)
      page = await ui.page()
      await page.context().addCookies([{ name: 'hearth_access_token', value: s.token, url: ui.url }])
      await page.goto(ui.url + '/photos')
      await page.getByText('No photos yet').waitFor()
    })
    after(async () => {
      await ui.stop()
      await rm(dir, { recursive: true, force: true })
    })

    test('a 64 MiB file from the file picker goes through tus, survives going offline mid-upload, and arrives as one asset', async () => {
      // Requests cut off while offline are expected; Chromium logs each as a console error.
      ui.allowNetworkError('net::ERR_INTERNET_DISCONNECTED', '/api/upload/tus/*')
      const calls: TusCall[] = []
      const posts: string[] = []
      const byRequest = new Map<Request, TusCall>()
      let offline: Promise<void> | undefined
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname
        if (r.method() === 'POST' && path === '/api/assets') posts.push(path)
        if (!path.startsWith('/api/upload/tus')) return
        const offset = r.headers()['upload-offset']
        const call: TusCall = { method: r.method(), path, offset: offset === undefined ? undefined : Number(offset), at: Date.now() }
        calls.push(call)
        byRequest.set(r, call)
        if (call.method === 'PATCH' && call.offset === 8 * MiB && offline === undefined) offline = page.context().setOffline(true)
      })
      page.on('requestfailed', (r) => { const c = byRequest.get(r); if (c !== undefined) c.failed = r.failure()?.errorText ?? 'failed' })
      page.on('requestfinished', async (r) => {
        const c = byRequest.get(r)
        const reply = await r.response()
        if (c === undefined || reply === null) return
        c.status = reply.status()
        const o = reply.headers()['upload-offset']
        if (o !== undefined) c.replyOffset = Number(o)
      })

      const started = Date.now()
      const chooser = page.waitForEvent('filechooser')
      await page.getByRole('button', { name: 'Upload', exact: true }).click()
      await (await chooser).setFiles(file)
      const panel = page.locator('hearth-upload-panel section')
      await panel.getByText('0 of 1 done').waitFor()

      // Offline as the second PATCH starts, for a few seconds: a PATCH fails (the one in flight or
      // the next), and so do the client's retries until the network is back.
      await waitFor('going offline during the second PATCH', () => offline !== undefined, 60_000)
      await offline
      await waitFor('a request failing while offline', () => calls.some((c) => c.failed !== undefined), 20_000)
        .catch((err: Error) => { throw new Error(`${err.message}: ${JSON.stringify(calls)}`) })
      // The panel says what is going on rather than sitting at a percentage.
      await panel.locator('li[data-state=uploading]').getByText(/^Connection lost; resuming at \d+%…$/).waitFor()
      await ui.shot(page, `upload-${engine}-01-offline`)
      await new Promise((ok) => setTimeout(ok, 1000))
      await page.context().setOffline(false)

      await panel.getByText('1 of 1 done').waitFor({ timeout: 120_000 })
      const seconds = (Date.now() - started) / 1000
      await panel.getByRole('button', { name: 'Uploads' }).click()
      await panel.locator('li[data-state=done]').getByText('Uploaded').waitFor()
      await ui.shot(page, `upload-${engine}-02-done`)

      // Through tus only: one upload created, never the one-shot POST /api/assets.
      assert.deepEqual(posts, [], 'no POST /api/assets')
      const creates = calls.filter((c) => c.method === 'POST')
      assert.equal(creates.length, 1, `one tus upload: ${JSON.stringify(calls)}`)
      const failed = calls.filter((c) => c.failed !== undefined)
      assert.ok(failed.length >= 1, 'a request failed while offline')
      // Resumed, not restarted: after the failure the client asked where the server got to (HEAD)
      // and the next PATCH started there, past what was already through.
      const afterFailure = calls.slice(calls.indexOf(failed[0]!) + 1).filter((c) => c.failed === undefined)
      const head = afterFailure.find((c) => c.method === 'HEAD' && c.status !== undefined)
      assert.ok(head !== undefined && head.replyOffset !== undefined, `a HEAD after reconnecting: ${JSON.stringify(afterFailure)}`)
      assert.ok(head.replyOffset >= 8 * MiB && head.replyOffset < bytes.length, `the server kept what it had: ${head.replyOffset}`)
      const resumed = afterFailure.find((c) => c.method === 'PATCH')
      assert.equal(resumed?.offset, head.replyOffset, 'the next PATCH starts where the server is')
      assert.equal(calls.filter((c) => c.method === 'PATCH' && c.offset === 0).length, 1, 'byte 0 was sent once')
      const patched = calls.filter((c) => c.method === 'PATCH' && c.status === 204)
      assert.ok(patched.length <= 10, `${patched.length} PATCHes for ${bytes.length} bytes`)

      // One asset, the whole file.
      const r = await ui.node.client.call('POST', '/api/search/metadata', { headers: s.headers, body: {} })
      assert.equal(r.body.assets.total, 1)
      const asset = r.body.assets.items[0]
      assert.equal(asset.originalFileName, 'big-falcon.jpg')
      assert.equal(asset.checksum, createHash('sha1').update(bytes).digest('base64'), 'the stored file is the file, byte for byte')
      console.log(`# ${engine}: ${calls.map((c) => `${c.method}${c.offset === undefined ? '' : ` @${c.offset}`} → ${c.failed ?? c.status}${c.replyOffset === undefined ? '' : ` @${c.replyOffset}`} (+${c.at - calls[0]!.at} ms)`).join('; ')}`)
      console.log(`# ${engine}: ${(bytes.length / MiB).toFixed(1)} MiB through tus in ${seconds.toFixed(1)} s with an interruption; ${calls.length} tus requests (${failed.length} failed)`)
      // It shows in the timeline like any photo.
      await page.locator(`hearth-timeline .tile[data-id="${asset.id as string}"] img`).waitFor({ timeout: 60_000 })
      await ui.shot(page, `upload-${engine}-03-timeline`)
      assert.deepEqual(ui.errors, [])
    })
  })
}
