/**
 * Builds Hearth for installing on a NAS or a server: the app tree (`<out>/hearth/`, what the
 * Docker image and the Debian package both hold, in /opt/hearth) and, with `--deb`, the Debian
 * package `<out>/hearth_<version>_<arch>.deb`.
 *
 * The tree is self-contained: Hearth's sources (run as TypeScript by Node's type stripping, as in
 * development), the built web UI, the production npm packages only (the ML runtime's binaries for
 * this platform only), and the Node.js that runs this script, in `runtime/`, so a NAS with an old
 * or no Node runs it unchanged. Native addons (sharp, onnxruntime, ssh2) are the ones built or
 * installed here: build on the distribution you ship for (Debian 12 for the package and the image).
 *
 * @example
 * make package                                     # = node packaging/build.ts --deb
 * node packaging/build.ts --out /tmp/out --deb --compression none
 */
import { execFile } from 'node:child_process'
import { chmod, cp, link, lstat, mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { arch, platform } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'

const run = promisify(execFile)
const root = resolve(import.meta.dirname, '..')

/** What of the checkout the app needs at run time (tests and development files stay behind). */
const appDirs = ['appliance', 'node', 'federation', 'bin', 'models']
const appFiles = ['package.json', 'README.md']

const debArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }

export interface BuildOptions {
  out: string
  deb: boolean
  /** dpkg-deb's compressor: xz for releases (smallest), zstd at level 1 or none for a quick local build. */
  compression: 'xz' | 'gzip' | 'zstd' | 'none'
  /** dpkg-deb's compression level (its default when not given). */
  level?: number
  /**
   * Hard-links the tree's files to the checkout's instead of copying 300 MB (the test suite's
   * build): the tree then shares its files with the checkout, so it must not be edited or shipped
   * from; `rm -rf` of it is harmless.
   */
  link?: boolean
  log?: (line: string) => void
}

export interface BuildResult { tree: string, deb?: string, version: string, treeBytes: number, debBytes?: number }

export async function build ({ out, deb, compression, level, link = false, log = console.log }: BuildOptions): Promise<BuildResult> {
  if (platform() !== 'linux') throw new Error('packaging: build on Linux (the tree carries this machine\'s native addons)')
  const major = Number(process.versions.node.split('.')[0])
  if (major < 22) throw new Error(`packaging: run with Node 22 or newer (this is ${process.version}); it is copied into the package`)
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }
  const uiIndex = join(root, 'ui/dist/index.html')
  if (!await exists(uiIndex)) throw new Error('packaging: the web UI is not built (run `make ui` first, or `make package`)')

  const tree = join(resolve(out), 'hearth')
  await rm(tree, { recursive: true, force: true })
  await mkdir(tree, { recursive: true })

  log(`[1/4] Hearth ${version}: sources and web UI`)
  const copy = link ? linkTree : (from: string, to: string, filter: (src: string) => boolean = () => true) => cp(from, to, { recursive: true, verbatimSymlinks: true, filter })
  for (const dir of appDirs) {
    await copy(join(root, dir), join(tree, dir), (src) => !src.endsWith('.test.ts') && !src.split(sep).includes('node_modules'))
  }
  for (const file of appFiles) await cp(join(root, file), join(tree, file))
  await copy(join(root, 'ui/dist'), join(tree, 'ui/dist'))

  log('[2/4] production npm packages')
  const packages = await productionPackages()
  for (const pkg of packages) {
    // Each package without its own node_modules: the packages nested there are listed themselves.
    await copy(join(root, pkg), join(tree, pkg), (src) => relative(join(root, pkg), src).split(sep)[0] !== 'node_modules')
  }
  await pruneOnnxRuntime(join(tree, 'node_modules/onnxruntime-node'))

  log(`[3/4] Node.js ${process.version} into runtime/`)
  await mkdir(join(tree, 'runtime/bin'), { recursive: true })
  if (link) await linkTree(process.execPath, join(tree, 'runtime/bin/node'))
  else {
    await cp(process.execPath, join(tree, 'runtime/bin/node'))
    await chmod(join(tree, 'runtime/bin/node'), 0o755)
  }
  const nodeLicense = join(dirname(dirname(process.execPath)), 'LICENSE')
  if (await exists(nodeLicense)) await cp(nodeLicense, join(tree, 'runtime/LICENSE'))
  await writeFile(join(tree, 'runtime/BUILD.json'), JSON.stringify({
    version, node: process.version, arch: arch(), builtAt: new Date().toISOString(), commit: await gitCommit(),
  }, null, 2) + '\n')
  const treeBytes = await du(tree)
  log(`      ${tree}: ${packages.length} packages, ${mib(treeBytes)}`)

  if (!deb) { log('[4/4] no Debian package asked for (--deb)'); return { tree, version, treeBytes } }
  const debFile = await buildDeb({ tree, out: resolve(out), version, compression, level, log })
  const debBytes = (await stat(debFile)).size
  log(`      ${debFile}: ${mib(debBytes)}`)
  return { tree, deb: debFile, version, treeBytes, debBytes }
}

/** The paths (relative to the checkout) of the installed npm packages that are not development-only. */
async function productionPackages (): Promise<string[]> {
  // npm ls exits 1 over problems it also prints (an unmet optional peer, say); the list is still whole.
  const stdout = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
    .then((r) => r.stdout, (err: { stdout?: string, message: string }) => {
      if (typeof err.stdout === 'string' && err.stdout.trim() !== '') return err.stdout
      throw new Error(`packaging: npm ls failed: ${err.message}`)
    })
  const paths = stdout.split('\n').filter((p) => p.trim() !== '').map((p) => relative(root, p)).filter((p) => p.startsWith('node_modules' + sep))
  if (paths.length === 0) throw new Error('packaging: npm lists no installed packages (run `make deps` first)')
  return paths
}

/** onnxruntime-node ships every platform's binaries (~290 MB); only this one's are kept. */
async function pruneOnnxRuntime (dir: string): Promise<void> {
  const bin = join(dir, 'bin')
  if (!await exists(bin)) return
  for (const napi of await readdir(bin)) {
    for (const os of await readdir(join(bin, napi))) {
      if (os !== platform()) { await rm(join(bin, napi, os), { recursive: true, force: true }); continue }
      for (const cpu of await readdir(join(bin, napi, os))) {
        if (cpu !== arch()) await rm(join(bin, napi, os, cpu), { recursive: true, force: true })
      }
    }
  }
}

/**
 * The Debian package: the tree in /opt/hearth, `hearth` on the PATH, a systemd service running as
 * the `hearth` system user with its data in /var/lib/hearth, and its settings in /etc/default/hearth.
 */
async function buildDeb ({ tree, out, version, compression, level, log }: { tree: string, out: string, version: string, compression: BuildOptions['compression'], level?: number, log: (line: string) => void }): Promise<string> {
  const architecture = debArch[arch()]
  if (architecture === undefined) throw new Error(`packaging: no Debian architecture for ${arch()}`)
  log(`[4/4] Debian package (${architecture}, ${compression})`)
  const stage = join(out, 'deb-root')
  await rm(stage, { recursive: true, force: true })
  await mkdir(join(stage, 'opt'), { recursive: true })
  // Hard links: the tree's 300 MB are not copied a second time.
  await run('cp', ['-al', tree, join(stage, 'opt/hearth')])
  const files = join(root, 'packaging/deb')
  await install(join(files, 'hearth.service'), join(stage, 'lib/systemd/system/hearth.service'), 0o644)
  await install(join(files, 'hearth.default'), join(stage, 'etc/default/hearth'), 0o640)
  await install(join(files, 'copyright'), join(stage, 'usr/share/doc/hearth/copyright'), 0o644)
  await mkdir(join(stage, 'usr/bin'), { recursive: true })
  await symlink('/opt/hearth/bin/hearth', join(stage, 'usr/bin/hearth'))
  await mkdir(join(stage, 'DEBIAN'), { recursive: true })
  for (const script of ['postinst', 'prerm', 'postrm']) await install(join(files, script), join(stage, 'DEBIAN', script), 0o755)
  await writeFile(join(stage, 'DEBIAN/conffiles'), '/etc/default/hearth\n')
  const control = (await readFile(join(files, 'control'), 'utf8'))
    .replace('@VERSION@', version)
    .replace('@ARCH@', architecture)
    .replace('@SIZE@', String(Math.ceil(await du(stage) / 1024)))
  await writeFile(join(stage, 'DEBIAN/control'), control)
  const debFile = join(out, `hearth_${version}_${architecture}.deb`)
  await run('dpkg-deb', ['--root-owner-group', `-Z${compression}`, ...(level !== undefined ? [`-z${level}`] : []), '--build', stage, debFile], { maxBuffer: 16 * 1024 * 1024 })
  await rm(stage, { recursive: true, force: true })
  return debFile
}

/** `from` (a file or a folder) at `to` as hard links, folders made anew; symbolic links as they are. */
async function linkTree (from: string, to: string, filter: (src: string) => boolean = () => true): Promise<void> {
  if (!filter(from)) return
  const s = await lstat(from)
  if (s.isDirectory()) {
    await mkdir(to, { recursive: true })
    for (const name of await readdir(from)) await linkTree(join(from, name), join(to, name), filter)
  } else if (s.isSymbolicLink()) {
    await symlink(await readlink(from), to)
  } else {
    await mkdir(dirname(to), { recursive: true })
    await link(from, to).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err
      await cp(from, to)
    })
  }
}

async function install (from: string, to: string, mode: number): Promise<void> {
  await mkdir(dirname(to), { recursive: true })
  await cp(from, to)
  await chmod(to, mode)
}

async function gitCommit (): Promise<string | undefined> {
  try { return (await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: root })).stdout.trim() } catch { return undefined }
}

/** Bytes of the regular files under `dir`, each counted once (hard links). */
async function du (dir: string): Promise<number> {
  const seen = new Set<number>()
  let total = 0
  for (const entry of await readdir(dir, { recursive: true })) {
    const s = await lstat(join(dir, entry))
    if (!s.isFile() || seen.has(s.ino)) continue
    seen.add(s.ino)
    total += s.size
  }
  return total
}

async function exists (path: string): Promise<boolean> {
  try { await stat(path); return true } catch { return false }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(root, 'dist') },
      deb: { type: 'boolean', default: false },
      compression: { type: 'string', default: 'xz' },
    },
  })
  const compression = values.compression as BuildOptions['compression']
  if (!['xz', 'gzip', 'zstd', 'none'].includes(compression)) {
    console.error(`packaging: --compression expects xz, gzip, zstd or none, not "${compression}"`)
    process.exit(64)
  }
  build({ out: values.out, deb: values.deb, compression }).then(() => {}, (err: unknown) => {
    console.error((err as Error).message)
    process.exitCode = 1
  })
}
