/**
 * Walking a share: one folder at a time, its media files with what a stat says about them (size,
 * mtime, inode) and their XMP sidecars, and a fingerprint of all that. Nothing is opened or read.
 *
 * The walk uses synchronous `readdir`/`lstat`: on a local disk a stat costs a microsecond or two,
 * while the promise and thread-pool round trip of the asynchronous call costs ten times that, and
 * a rescan of an unchanged share is nothing but stats. To keep the HTTP server responsive the walk
 * hands the event loop back every few milliseconds (`slicer`).
 *
 * Symbolic links are never followed: one that points inside the import path names something the
 * walk reaches anyway at its real place, and one that points outside leads where the household did
 * not ask Hearth to look (and could make a cycle).
 */
import { createHash } from 'node:crypto'
import { lstatSync, readdirSync, type Dirent } from 'node:fs'
import { mediaTypeOf, type AssetType } from '../../node/assets/media-types.ts'
import type { ExclusionMatcher } from './glob.ts'

export interface StatFields { name: string, size: number, mtimeMs: number, ino: number }

export interface MediaFile extends StatFields {
  type: AssetType
  mime: string
  sidecar: StatFields | null
}

export type FolderListing =
  | { path: string, files: MediaFile[], fingerprint: Buffer, error?: undefined }
  /** A folder that could not be listed: what Hearth knew about it stays as it was. */
  | { path: string, error: string, files?: undefined }

/** Bumped when what goes into a fingerprint changes, so every folder is looked at again once. */
const FINGERPRINT_VERSION = 'v1'

/** Yields the event loop when a slice of `ms` has been used, so a long walk never stalls requests. */
export function createSlicer (ms = 8) {
  let started = performance.now()
  return {
    get due () { return performance.now() - started > ms },
    async yield () {
      await new Promise<void>((resolve) => setImmediate(resolve))
      started = performance.now()
    },
  }
}

export interface WalkOptions {
  matcher: ExclusionMatcher
  /** Folders never entered (Hearth's own data folder when a share contains it). */
  skipFolder?: (path: string) => boolean
  signal?: AbortSignal
  slicer?: ReturnType<typeof createSlicer>
  /** Counts folders as they are listed (for the watcher's budget). */
  onFolder?: (path: string, subfolders: number) => void
}

/**
 * Every folder under `start` (itself included) that is not excluded, depth first, each with its
 * media files sorted by name. `start` must not be excluded itself (the caller checks).
 */
export async function * walkFolders (start: string, { matcher, skipFolder, signal, slicer = createSlicer(), onFolder }: WalkOptions): AsyncGenerator<FolderListing> {
  const stack = [start]
  while (stack.length > 0) {
    signal?.throwIfAborted()
    if (slicer.due) await slicer.yield()
    const dir = stack.pop()!
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch (err) {
      yield { path: dir, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message }
      continue
    }
    const subfolders: string[] = []
    const candidates: Array<{ name: string, type: AssetType, mime: string }> = []
    let xmps: Map<string, string> | undefined
    for (const e of entries) {
      const name = e.name
      if (e.isDirectory()) {
        const path = `${dir}/${name}`
        if (!matcher.excludesFolder(path) && skipFolder?.(path) !== true) subfolders.push(path)
      } else if (e.isFile()) {
        const media = mediaTypeOf(name)
        if (media !== undefined) {
          candidates.push({ name, type: media.type, mime: media.mime })
        } else if (name.length > 4 && name.slice(-4).toLowerCase() === '.xmp') {
          // "IMG_1.JPG.xmp" and "IMG_1.xmp" both describe IMG_1.JPG; keyed by what precedes ".xmp".
          xmps ??= new Map()
          xmps.set(name.slice(0, -4), name)
        }
      }
    }
    onFolder?.(dir, subfolders.length)
    // Pushed in reverse so they are listed in name order.
    subfolders.sort(byName)
    for (let i = subfolders.length - 1; i >= 0; i--) stack.push(subfolders[i])

    candidates.sort((a, b) => byName(a.name, b.name))
    const files: MediaFile[] = []
    const print: string[] = [FINGERPRINT_VERSION]
    let statted = 0
    for (const c of candidates) {
      if ((++statted & 255) === 0 && slicer.due) {
        signal?.throwIfAborted()
        await slicer.yield()
      }
      const path = `${dir}/${c.name}`
      if (matcher.excludesFile(path)) continue
      const s = statFile(path, c.name)
      if (s === undefined) continue
      let sidecar: StatFields | null = null
      if (xmps !== undefined) {
        const dot = c.name.lastIndexOf('.')
        const xmpName = xmps.get(c.name) ?? (dot > 0 ? xmps.get(c.name.slice(0, dot)) : undefined)
        if (xmpName !== undefined && !matcher.excludesFile(`${dir}/${xmpName}`)) sidecar = statFile(`${dir}/${xmpName}`, xmpName) ?? null
      }
      files.push({ ...s, type: c.type, mime: c.mime, sidecar })
      print.push(`${s.name}\0${s.size}\0${s.mtimeMs}\0${s.ino}${sidecar === null ? '' : `\0${sidecar.name}\0${sidecar.size}\0${sidecar.mtimeMs}`}`)
    }
    yield { path: dir, files, fingerprint: createHash('sha1').update(print.join('\n')).digest() }
  }
}

/** Size, mtime and inode of a regular file (not following a link); undefined when it is gone or not a file. */
export function statFile (path: string, name: string): StatFields | undefined {
  try {
    const s = lstatSync(path, { throwIfNoEntry: false })
    if (s === undefined || !s.isFile()) return undefined
    return { name, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino }
  } catch {
    // EACCES on a file we may not even stat: as if absent for this scan.
    return undefined
  }
}

/** Code-unit order: deterministic, which is all a fingerprint needs. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
