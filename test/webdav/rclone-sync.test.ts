/**
 * rclone copy and sync of test/fixtures/tree both ways, over WebDAV and over SFTP, on each engine:
 * what comes back is byte-identical (rclone check --download), changes on either side sync, and
 * each photo is one asset whichever protocol brought it.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'
import { webdavModule } from '../../appliance/webdav/index.ts'
import { sftpModule, type SftpModule } from '../../appliance/sftp/index.ts'

const run = promisify(execFile)
const fixtures = join(import.meta.dirname, '../fixtures/tree')
const EMAIL = 'admin@example.org'
const PASSWORD = 'correct horse battery'

for (const engine of engines) {
  describe(`[${engine}] rclone sync both ways`, () => {
    let t: TestNode
    let admin: Session
    let work: string
    let env: NodeJS.ProcessEnv
    before(async () => {
      work = await mkdtemp(join(tmpdir(), 'hearth-rclone-'))
      t = await startTestNode(engine, { HEARTH_SFTP_PORT: '0' }, { modules: [webdavModule(), sftpModule({ host: '127.0.0.1' })] })
      admin = await t.client.signUpAdmin(EMAIL, PASSWORD)
      const pass = (await run('rclone', ['obscure', PASSWORD])).stdout.trim()
      const port = (t.node.modules.find((m) => m.name === 'sftp') as SftpModule).port
      env = {
        ...process.env, RCLONE_CONFIG: join(work, 'rclone.conf'),
        RCLONE_CONFIG_DAV_TYPE: 'webdav', RCLONE_CONFIG_DAV_URL: `${t.url}/dav`, RCLONE_CONFIG_DAV_VENDOR: 'other', RCLONE_CONFIG_DAV_USER: EMAIL, RCLONE_CONFIG_DAV_PASS: pass,
        RCLONE_CONFIG_SFTP_TYPE: 'sftp', RCLONE_CONFIG_SFTP_HOST: '127.0.0.1', RCLONE_CONFIG_SFTP_PORT: String(port), RCLONE_CONFIG_SFTP_USER: EMAIL,
        RCLONE_CONFIG_SFTP_PASS: pass, RCLONE_CONFIG_SFTP_SHELL_TYPE: 'none',
      }
    })
    after(async () => {
      await t.stop()
      await rm(work, { recursive: true, force: true })
    })

    const rclone = (...args: string[]) => run('rclone', args, { env, timeout: 60_000 })
    /** Fails (rejects) unless both sides hold the same names with the same bytes. */
    const identical = (a: string, b: string) => rclone('check', '--download', '--one-way=false', a, b)

    for (const remote of ['dav', 'sftp']) {
      test(`${remote}: copy and sync up and down, byte-identical`, { timeout: 120_000 }, async () => {
        const local = join(work, `${remote}-local`)
        const back = join(work, `${remote}-back`)
        await cp(fixtures, local, { recursive: true })
        const dest = `${remote}:Uploads/${remote}-tree`
        await rclone('copy', local, dest)
        await identical(local, dest)
        await rclone('copy', dest, back)
        await identical(local, back)
        // Changes made locally sync up: a new photo, a changed sidecar, a removed file.
        await writeFile(join(local, 'Beach', 'new.txt'), 'a note\n')
        await writeFile(join(local, 'Garden', 'lawn.jpg.xmp'), '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>\n')
        await rm(join(local, 'Beach', 'sunset.jpg'))
        await rclone('sync', local, dest)
        await identical(local, dest)
        // Changes made on Hearth sync down.
        await rclone('deletefile', `${dest}/Beach/new.txt`)
        await rclone('copyto', join(fixtures, 'Beach', 'sunset.jpg'), `${dest}/Garden/sunset-copy.jpg`)
        await rclone('sync', dest, back)
        await identical(dest, back)
        await assert.rejects(identical(local, back), 'the local tree differs now')
        // Syncing an unchanged tree again transfers nothing (sizes and times are kept).
        await rclone('sync', local, `${remote}:Uploads/${remote}-tree-2`)
        const again = await rclone('sync', '-v', local, `${remote}:Uploads/${remote}-tree-2`)
        assert.match(again.stderr, /There was nothing to transfer|Transferred:\s+0 \/ 0/, again.stderr)
        await identical(local, `${remote}:Uploads/${remote}-tree-2`)
      })
    }

    test('each photo is one asset whichever protocol brought it', async () => {
      const r = await t.client.call('POST', '/api/search/metadata', { headers: admin.headers, body: { size: 1000 } })
      const live = (r.body.assets.items as Array<{ originalFileName: string }>).map((a) => a.originalFileName).sort()
      // sea.jpg and lawn.jpg went up over both protocols, into two folders each: one asset each.
      assert.equal(live.filter((n) => n === 'sea.jpg').length, 1, live.join(', '))
      assert.equal(live.filter((n) => n === 'lawn.jpg').length, 1, live.join(', '))
      assert.equal(live.length, new Set(live).size, live.join(', '))
    })
  })
}
