/**
 * Hearth as a household installs it. packaging/build.ts makes the app tree and the Debian package;
 * dpkg-deb, sh -n and systemd-analyze check the package's control data, maintainer scripts and
 * service; the package's /opt/hearth is compared with the tree file by file; and Hearth runs from
 * the tree alone, with no checkout, no development packages, and its own Node whatever Node the
 * system has: it starts (with a terminal's readable logs),
 * serves its web UI, takes uploads (a camera JPEG, an iPhone HEIC) and makes their thumbnails and
 * metadata, answers its CLI, and stops cleanly.
 *
 * Installing the package (dpkg -i: a system user, /opt/hearth, /etc/default/hearth) is not done
 * here: it would change the machine that runs the tests. packaging/README.md says how it was
 * checked by hand. The Docker image cannot be built here (no Docker); its build context is this
 * same tree, and the paths its Dockerfile names are checked against it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { build } from '../../packaging/build.ts'
import { deferrals, repoRoot, runCommand, spawnHearth, waitFor } from '../helpers/process.ts'

const run = promisify(execFile)
const fixtures = join(repoRoot, '../shared/fixtures')

test('the Debian package: what it holds, and Hearth running from its files alone', async (t) => {
  const defer = deferrals(t)
  const out = await mkdtemp(join(tmpdir(), 'hearth-package-'))
  defer(() => rm(out, { recursive: true, force: true }))
  const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string }

  const lines: string[] = []
  // Linked, not copied, and lightly compressed: the suite's other tests share this disk.
  const made = await build({ out, deb: true, compression: 'zstd', level: 1, link: true, log: (l) => lines.push(l) })
  assert.equal(made.version, version)
  assert.match(lines.join('\n'), /\[4\/4\] Debian package \(amd64, zstd\)/)
  const deb = made.deb!
  assert.equal(deb, join(out, `hearth_${version}_amd64.deb`))

  // The control data.
  const field = async (name: string) => (await run('dpkg-deb', ['--field', deb, name])).stdout.trim()
  assert.equal(await field('Package'), 'hearth')
  assert.equal(await field('Version'), version)
  assert.equal(await field('Architecture'), 'amd64')
  for (const dep of ['adduser', 'ffmpeg', 'perl']) assert.match(await field('Depends'), new RegExp(`\\b${dep}\\b`))
  assert.ok(Number(await field('Installed-Size')) > 100_000, 'Installed-Size is the tree\'s size in KiB')

  // What it holds, and with which modes.
  const listing = (await run('dpkg-deb', ['--contents', deb], { maxBuffer: 64 * 1024 * 1024 })).stdout.split('\n')
  const entry = (path: string) => listing.find((l) => l.endsWith(` ./${path}`) || l.includes(` ./${path} -> `))
  assert.match(entry('etc/default/hearth') ?? '', /^-rw-r----- root\/root /, 'the settings (a database password, maybe) are not world-readable')
  assert.match(entry('usr/bin/hearth') ?? '', /^lrwxrwxrwx .* -> \/opt\/hearth\/bin\/hearth$/)
  assert.match(entry('opt/hearth/runtime/bin/node') ?? '', /^-rwxr-xr-x /)
  for (const path of ['lib/systemd/system/hearth.service', 'opt/hearth/ui/dist/index.html', 'opt/hearth/node/db/migrations/0001_foundation.sql',
    'opt/hearth/models/manifest.json', 'opt/hearth/node_modules/sharp/package.json', 'opt/hearth/node_modules/pino-pretty/package.json',
    'opt/hearth/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node']) {
    assert.ok(entry(path) !== undefined, `the package holds ${path}`)
  }
  const paths = listing.map((l) => l.replace(/^.* \.\//, '').replace(/ -> .*$/, ''))
  assert.deepEqual(paths.filter((p) => p.endsWith('.test.ts') && !p.startsWith('opt/hearth/node_modules/')), [], 'none of Hearth\'s tests')
  for (const dev of ['eslint', 'esbuild', 'playwright-core', 'typescript', 'lit']) {
    assert.ok(!paths.includes(`opt/hearth/node_modules/${dev}/`), `no development package (${dev})`)
  }
  assert.deepEqual(paths.filter((p) => /onnxruntime-node\/bin\/napi-v\d+\/(darwin|win32|linux\/arm64)/.test(p)), [], 'the ML runtime for this platform only')
  const files = listing.filter((l) => l !== '' && !l.startsWith('d')).map((l) => l.replace(/^.* \.\//, '').replace(/ -> .*$/, ''))
  assert.deepEqual(files.filter((p) => !p.startsWith('opt/hearth/') && !p.startsWith('usr/share/doc/hearth/')).sort(),
    ['etc/default/hearth', 'lib/systemd/system/hearth.service', 'usr/bin/hearth'], 'nothing outside its own places')

  // /opt/hearth is the app tree, file for file: what runs below from the tree is what installs.
  const sizes = new Map(listing.filter((l) => l.startsWith('-')).map((l) => {
    const [, size, path] = /^\S+ \S+\s+(\d+) \S+ \S+ \.\/(.*)$/.exec(l)!
    return [path!, Number(size)] as const
  }))
  // A file the tree holds twice (hard-linked, as node-gyp leaves a build) is stored once and linked.
  for (const l of listing.filter((x) => x.startsWith('h'))) {
    const [, path, target] = /\.\/(.*) link to \.\/(.*)$/.exec(l)!
    sizes.set(path!, sizes.get(target!)!)
  }
  let compared = 0
  for (const file of await readdir(made.tree, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue
    const path = relative(out, join(file.parentPath, file.name)).replace(/^hearth\//, 'opt/hearth/')
    assert.equal(sizes.get(path), (await stat(join(file.parentPath, file.name))).size, `${path} is in the package, whole`)
    compared++
  }
  assert.equal(compared, [...sizes.keys()].filter((p) => p.startsWith('opt/hearth/')).length, 'and nothing else is in /opt/hearth')

  // The files dpkg puts outside /opt/hearth, and its scripts, unpacked without running them.
  const root = join(out, 'root')
  await mkdir(root)
  await run('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" ./etc/default/hearth ./lib/systemd/system/hearth.service ./usr/bin/hearth', 'sh', deb, root])
  await run('dpkg-deb', ['--control', deb, join(root, 'DEBIAN')])
  await rm(deb)
  for (const script of ['postinst', 'prerm', 'postrm']) await run('sh', ['-n', join(root, 'DEBIAN', script)])
  assert.equal((await readFile(join(root, 'DEBIAN/conffiles'), 'utf8')).trim(), '/etc/default/hearth')
  const postrm = await readFile(join(root, 'DEBIAN/postrm'), 'utf8')
  assert.doesNotMatch(postrm, /\brm\b/, 'removing or purging the package never deletes the data folder')
  // The service, as systemd reads it (with ExecStart pointed at the unpacked files).
  const unit = (await readFile(join(root, 'lib/systemd/system/hearth.service'), 'utf8')).replace('/opt/hearth/bin/hearth', join(made.tree, 'bin/hearth'))
  await writeFile(join(out, 'hearth.service'), unit)
  const verify = await runCommand('systemd-analyze', ['verify', join(out, 'hearth.service')], { env: process.env })
  assert.equal(verify.code, 0, `systemd-analyze verify:\n${verify.stderr}`)
  assert.match(unit, /^User=hearth$/m)
  assert.match(unit, /^EnvironmentFile=-\/etc\/default\/hearth$/m)

  // The Dockerfile's build context is the same tree: what it runs is there.
  const dockerfile = await readFile(join(repoRoot, 'packaging/docker/Dockerfile'), 'utf8')
  for (const path of dockerfile.matchAll(/"\/opt\/hearth\/([^"]+)"/g)) {
    assert.ok(paths.includes(`opt/hearth/${path[1]!}`), `the Dockerfile's /opt/hearth/${path[1]!} is in the tree`)
  }

  // Hearth from the package's files alone, with only the system's own PATH.
  const hearthBin = join(made.tree, 'bin/hearth')
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: out, HEARTH_LOG_FORMAT: 'pretty', HEARTH_FEDERATION: 'on' }
  const cli = await runCommand(hearthBin, ['--version'], { env: { ...process.env, ...env } })
  assert.equal(cli.stdout.trim(), version, cli.stderr)
  const models = await runCommand(hearthBin, ['models', 'list'], { env: { ...process.env, ...env, HEARTH_DATA_DIR: join(out, 'data') } })
  assert.equal(models.code, 0, models.stderr)
  assert.match(models.stdout, /\blite\b/)

  const dataDir = join(out, 'data')
  await mkdir(dataDir, { recursive: true })
  const hearth = await spawnHearth({ dataDir, env, defer, command: [hearthBin], diagnostic: (m) => t.diagnostic(m), readyTimeoutMs: 120_000 })
  // A person at a terminal gets pino-pretty's lines (a production package since this test).
  await waitFor('a readable log line', () => /INFO.*Hearth is listening/.test(hearth.stdout()), 10_000)
    .catch(() => assert.fail(`stdout:\n${hearth.stdout()}\nstderr:\n${hearth.stderr()}`))

  assert.equal(await readlink(`/proc/${hearth.pid}/exe`), join(made.tree, 'runtime/bin/node'), 'the package\'s own Node runs it')

  const page = await fetch(`${hearth.url}/photos`)
  assert.equal(page.status, 200)
  const html = await page.text()
  const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1]
  assert.ok(script !== undefined, html)
  assert.equal((await fetch(new URL(script, hearth.url))).status, 200, 'the web UI\'s script')

  const admin = await hearth.client.signUpAdmin()
  const federation = await hearth.client.call('GET', '/api/federation/node', { headers: admin.headers })
  assert.equal(federation.status, 200, `libp2p runs from the package: ${JSON.stringify(federation.body)}`)
  for (const [file, make] of [['exif-samples/jpg/Canon_40D.jpg', 'Canon'], ['immich-test-assets/formats/heic/IMG_2682.heic', 'Apple']] as const) {
    const up = await hearth.client.upload(admin, join(fixtures, file))
    assert.equal(up.status, 201, JSON.stringify(up.body))
    const id = up.body.id as string
    await waitFor(`${file}'s thumbnail`, async () => (await fetch(`${hearth.url}/api/assets/${id}/thumbnail`, { headers: admin.headers })).status === 200, 60_000)
    const asset = await hearth.client.call('GET', `/api/assets/${id}`, { headers: admin.headers })
    assert.equal(asset.body.exifInfo?.make, make, `${file}: exiftool (perl) read its metadata`)
  }
  assert.deepEqual(await hearth.stop(), { code: 0, signal: null })
})
