/**
 * A fixture share for the library tests: photos in folders (Hearth's own small fixtures, plus a few
 * real camera files from ../shared/fixtures when present), a sidecar, a video, and the clutter a NAS
 * share really holds (Synology's @eaDir and #recycle, macOS ._ files, .DS_Store, Thumbs.db), with
 * symbolic links pointing outside the share. `snapshot` records every byte, name and mtime under a
 * folder, to prove Hearth wrote nothing there.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { repoRoot } from '../helpers/process.ts'

/** Hearth's own small tree of photos (test/fixtures/tree). */
export const ownFixtures = join(repoRoot, 'test/fixtures/tree')
const sharedFixtures = join(repoRoot, '../shared/fixtures/exif-samples')
const cameraFiles = ['jpg/Canon_40D.jpg', 'jpg/Nikon_D70.jpg', 'heic/IMG_5195.HEIC']

export interface Share {
  root: string
  /** A folder beside the share, which the share's links point into. */
  outside: string
  /** Paths (relative to root) that a scan must index. */
  media: string[]
  hasCameraFiles: boolean
  cleanup(): Promise<void>
}

export async function makeShare (parent?: string): Promise<Share> {
  const base = parent ?? await mkdtemp(join(tmpdir(), 'hearth-share-'))
  const root = join(base, 'photo')
  const outside = join(base, 'elsewhere')
  await mkdir(root, { recursive: true })
  await mkdir(outside, { recursive: true })
  const put = async (rel: string, data: Uint8Array | string) => {
    await mkdir(join(root, rel, '..'), { recursive: true })
    await writeFile(join(root, rel), data)
  }
  const media = ['Beach/sea.jpg', 'Beach/sunset.jpg', 'Garden/lawn.jpg']
  for (const rel of [...media, 'Garden/lawn.jpg.xmp']) {
    await mkdir(join(root, rel, '..'), { recursive: true })
    await copyFile(join(ownFixtures, rel), join(root, rel))
  }
  const hasCameraFiles = cameraFiles.every((f) => existsSync(join(sharedFixtures, f)))
  if (hasCameraFiles) {
    for (const f of cameraFiles) {
      const rel = `Cameras/${f.split('/').pop()!}`
      await mkdir(join(root, 'Cameras'), { recursive: true })
      await copyFile(join(sharedFixtures, f), join(root, rel))
      media.push(rel)
    }
  }
  await put('Videos/clip.mp4', randomBytes(3000))
  await put('Videos/clip.xmp', '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')
  media.push('Videos/clip.mp4')
  // What a NAS share holds besides photos: none of it may become an asset.
  await put('@eaDir/sea.jpg/SYNOPHOTO_THUMB_M.jpg', randomBytes(500))
  await put('Beach/@eaDir/sunset.jpg/SYNOPHOTO_THUMB_XL.jpg', randomBytes(500))
  await put('#recycle/deleted.jpg', randomBytes(500))
  await put('#snapshot/GMT+01_2024-01-01/Beach/sea.jpg', randomBytes(500))
  await put('Beach/._sea.jpg', randomBytes(100))
  await put('.DS_Store', randomBytes(100))
  await put('Beach/Thumbs.db', randomBytes(100))
  await put('notes.txt', 'not a photo')
  // Links that lead outside the share (a file and a folder), and one that stays inside.
  await writeFile(join(outside, 'secret.jpg'), randomBytes(700))
  await symlink(join(outside, 'secret.jpg'), join(root, 'link-out.jpg'))
  await symlink(outside, join(root, 'link-dir'))
  await symlink('../Beach/sea.jpg', join(root, 'Garden/link-in.jpg'))
  media.sort()
  return { root, outside, media, hasCameraFiles, cleanup: () => rm(base, { recursive: true, force: true }) }
}

export interface Entry { kind: 'file' | 'dir' | 'link', sha256?: string, size?: number, mtimeMs?: number, mode?: number, target?: string }

/** Every file, folder and link under `dir` with its bytes' hash, size, mtime and mode. */
export async function snapshot (dir: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>()
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      const rel = relative(dir, p)
      const s = await lstat(p)
      if (e.isSymbolicLink()) out.set(rel, { kind: 'link', target: await readlink(p) })
      else if (e.isDirectory()) { out.set(rel, { kind: 'dir', mode: s.mode }); await walk(p) } else {
        out.set(rel, { kind: 'file', sha256: createHash('sha256').update(await readFile(p)).digest('hex'), size: s.size, mtimeMs: s.mtimeMs, mode: s.mode })
      }
    }
  }
  await walk(dir)
  return out
}

export const sha1Of = async (path: string) => createHash('sha1').update(await readFile(path)).digest('hex')
