/**
 * The real Immich command-line uploader (`@immich/cli` from npm) against a running Hearth:
 * `immich login` with an API key, `immich upload --recursive --album` of a folder tree, then again.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

const run = promisify(execFile)
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const immich = join(root, 'node_modules/.bin/immich')
const shared = resolve(root, '../shared/fixtures/immich-test-assets/albums')

async function filesUnder (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name))
  return out
}

for (const engine of engines) {
  describe(`[${engine}] the Immich CLI uploads to Hearth`, () => {
    let t: TestNode
    let session: Session
    let tree: string
    let configDir: string
    const cli = (...args: string[]) => run(process.execPath, [immich, ...args], {
      env: { ...process.env, IMMICH_CONFIG_DIR: configDir, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024,
    })

    before(async () => {
      t = await startTestNode(engine)
      session = await t.client.signUpAdmin()
      tree = await mkdtemp(join(tmpdir(), 'hearth-immich-tree-'))
      configDir = await mkdtemp(join(tmpdir(), 'hearth-immich-config-'))
      // Real camera photos when ../shared is there; the small ones that ship with Hearth always.
      if (existsSync(shared)) await cp(shared, join(tree, 'Photos'), { recursive: true })
      else console.log('# ../shared/fixtures is absent: the Immich CLI test uses test/fixtures only')
      await cp(join(root, 'test/fixtures/tree'), join(tree, 'Photos'), { recursive: true })
    })
    after(async () => {
      await t.stop()
      await rm(tree, { recursive: true, force: true })
      await rm(configDir, { recursive: true, force: true })
    })

    test('immich login, then upload --recursive --album puts every file in its folder\'s album; a second run uploads nothing', async () => {
      const key = await t.client.apiKey(session, ['all'])
      const login = await cli('login', `${t.url}/api`, key.token)
      assert.match(login.stdout, /Logged in as admin@example.org/)

      const media = (await filesUnder(tree)).filter((f) => !f.endsWith('.xmp'))
      const first = await cli('upload', '--recursive', '--album', tree)
      assert.match(first.stdout, new RegExp(`Successfully uploaded ${media.length} new asset`), first.stdout)

      const search = await t.client.call('POST', '/api/search/metadata', { headers: session.headers, body: { size: 1000 } })
      assert.equal(search.body.assets.total, media.length)
      const byChecksum = new Map<string, { id: string, originalFileName: string, hasSidecar: boolean }>(
        search.body.assets.items.map((a: { checksum: string }) => [a.checksum, a]))

      const albums = await t.client.call('GET', '/api/albums', { headers: session.headers })
      const expectedAlbums = [...new Set(media.map((f) => basename(dirname(f))))].sort()
      assert.deepEqual(albums.body.map((a: { albumName: string }) => a.albumName).sort(), expectedAlbums)
      for (const album of albums.body as Array<{ id: string, albumName: string }>) {
        const full = await t.client.call('GET', `/api/albums/${album.id}`, { headers: session.headers })
        const want = media.filter((f) => basename(dirname(f)) === album.albumName)
        assert.equal(full.body.assets.length, want.length, album.albumName)
        for (const f of want) {
          const sum = createHash('sha1').update(await readFile(f)).digest('base64')
          const asset = byChecksum.get(sum)
          assert.ok(asset, `${f} became an asset`)
          assert.equal(asset.originalFileName, basename(f))
          assert.ok(full.body.assets.some((a: { id: string }) => a.id === asset.id), `${f} is in ${album.albumName}`)
        }
      }
      // The CLI found lawn.jpg.xmp and sent it as the sidecar.
      const lawn = [...byChecksum.values()].find((a) => a.originalFileName === 'lawn.jpg')
      assert.equal(lawn?.hasSidecar, true)

      const second = await cli('upload', '--recursive', '--album', tree)
      assert.match(second.stdout, new RegExp(`Found 0 new files and ${media.length} duplicate`), second.stdout)
      assert.match(second.stdout, /All assets were already uploaded, nothing to do/)
      const again = await t.client.call('POST', '/api/search/metadata', { headers: session.headers, body: { size: 1000 } })
      assert.equal(again.body.assets.total, media.length)
    })
  })
}
