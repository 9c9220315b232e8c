/**
 * The tree each user sees at /dav/, and the mapping from request paths to it. `/Uploads/` is the
 * user's working folder on disk, `<data>/dav/<userId>/Uploads/` (shared with SFTP, see
 * appliance/tree/uploads.ts); `/Libraries/` and `/Albums/` are read-only (appliance/tree/readonly.ts). Paths are decoded segment by segment and any segment that could
 * escape (`..`, `.`, slashes or backslashes after decoding, NUL, control characters) is refused.
 */
import { basename, join } from 'node:path'

export class PathError extends Error {}

export interface Target {
  /** Decoded segments below /dav/. */
  segments: string[]
  /** Where it lives on disk, for paths in /Uploads/. */
  fsPath?: string
  /** True for /, /Uploads, /Libraries, /Albums: collections that always exist. */
  fixed: boolean
  /** May be created, changed or removed (inside /Uploads/, not /Uploads itself). */
  writable: boolean
  /** In /Libraries or /Albums: resolved through the read-only tree for this user. */
  readOnly?: { userId: string }
}

export const AREAS = ['Uploads', 'Libraries', 'Albums']

/** Splits a URL path below `/dav` into decoded segments; throws PathError for escapes. */
export function segmentsOf (pathname: string): string[] {
  if (pathname !== '/dav' && !pathname.startsWith('/dav/')) throw new PathError('not under /dav/')
  const out: string[] = []
  for (const raw of pathname.slice(4).split('/')) {
    if (raw === '') continue
    let s: string
    try { s = decodeURIComponent(raw) } catch { throw new PathError('bad percent-encoding') }
    // eslint-disable-next-line no-control-regex
    if (s === '.' || s === '..' || /[/\\\x00-\x1f]/.test(s) || s.normalize('NFC') === '..') throw new PathError('path escapes the tree')
    out.push(s)
  }
  return out
}

export function targetOf (segments: string[], userRoot: string): Target {
  if (segments.length === 0) return { segments, fixed: true, writable: false }
  const [area, ...rest] = segments
  if (area === 'Uploads') return { segments, fsPath: join(userRoot, 'Uploads', ...rest), fixed: rest.length === 0, writable: rest.length > 0 }
  // The user's root is `<data>/dav/<userId>`: its last segment names the user.
  if (area === 'Libraries' || area === 'Albums') return { segments, fixed: rest.length === 0, writable: false, readOnly: { userId: basename(userRoot) } }
  return { segments, fixed: false, writable: false }
}

/** The path below /Uploads, segments joined by '/' (as upload_files keeps it). */
export const uploadsRel = (t: Target) => t.segments.slice(1).join('/')

export const davPath = (segments: string[]) => '/' + segments.join('/')
export const hrefOf = (segments: string[], collection: boolean) =>
  '/dav/' + segments.map((s) => encodeURIComponent(s)).join('/') + (collection && segments.length > 0 ? '/' : '')
