/**
 * Exclusion patterns for shares: globs matched against a file's absolute path, case-insensitively
 * (shares are mostly written over SMB from Windows and macOS, where `Thumbs.db` and `thumbs.db` are
 * the same file). Written here rather than taken from picomatch because a scan tests every file of
 * a share against every pattern: the common NAS patterns (`**\/@eaDir/**`, `**\/._*`) are sorted into
 * a name set and a few small anchored regular expressions on the base name, so 100,000 files cost a
 * few milliseconds, and whole folders are pruned without being listed.
 *
 * Syntax: `*` (within one path segment), `**` (any number of segments), `?`, `[abc]`, `[!abc]`,
 * `{jpg,png}`, `\` to escape. A pattern without a slash matches a base name anywhere (as in
 * .gitignore); a pattern with a slash that is not absolute is taken as `**\/pattern`.
 *
 * @example
 * const m = createExclusionMatcher(['**\/@eaDir/**', '**\/._*'])
 * m.excludesFolder('/volume1/photo/2019/@eaDir')   // true: not even listed
 * m.excludesFile('/volume1/photo/2019/._IMG_1.JPG') // true
 */

/** Synology, QNAP, macOS, Windows and NAS snapshot/recycle folders: never the household's photos. */
export const defaultExclusionPatterns: readonly string[] = Object.freeze([
  '**/@eaDir/**', // Synology's generated thumbnails
  '**/#recycle/**', // Synology's recycle bin
  '**/#snapshot/**', // Synology's snapshots
  '**/@Recycle/**', // QNAP's recycle bin
  '**/.@__thumb/**', // QNAP's generated thumbnails
  '**/@Recently-Snapshot/**', // QNAP's snapshots
  '**/.zfs/**', // ZFS snapshots (TrueNAS)
  '**/.recycle/**', // Samba's recycle module
  '**/.Trash-*/**', // Linux desktop trash on removable disks
  '**/.AppleDouble/**', // netatalk's resource forks
  '**/.DS_Store',
  '**/._*', // AppleDouble files macOS writes beside every file on foreign disks
  '**/Thumbs.db',
  '**/desktop.ini',
])

export interface ExclusionMatcher {
  /** True when nothing inside this folder can be wanted: it is not listed at all. */
  excludesFolder(absPath: string): boolean
  excludesFile(absPath: string): boolean
}

/** Throws a readable error for a pattern that cannot be compiled. */
export function createExclusionMatcher (patterns: readonly string[]): ExclusionMatcher {
  const fileNames = new Set<string>()
  const fileNameRes: RegExp[] = []
  const folderNames = new Set<string>()
  const folderNameRes: RegExp[] = []
  const pathRes: RegExp[] = []
  const folderPathRes: RegExp[] = []

  for (const raw of patterns) {
    const p = raw.trim()
    if (p === '') continue
    globToRegExp(p) // throws for a malformed pattern, whichever way it is used below
    const dirName = /^\*\*\/([^/]+)\/\*\*$/.exec(p)
    const baseName = /^(?:\*\*\/)?([^/]+)$/.exec(p)
    if (dirName !== null && !dirName[1].includes('**')) {
      if (isLiteral(dirName[1])) folderNames.add(unescape(dirName[1]).toLowerCase())
      else folderNameRes.push(globToRegExp(dirName[1]))
    } else if (baseName !== null && !baseName[1].includes('**')) {
      if (isLiteral(baseName[1])) fileNames.add(unescape(baseName[1]).toLowerCase())
      else fileNameRes.push(globToRegExp(baseName[1]))
    } else {
      const full = p.startsWith('/') || p.startsWith('**') ? p : `**/${p}`
      pathRes.push(globToRegExp(full))
      if (full.endsWith('/**')) folderPathRes.push(globToRegExp(full.slice(0, -3)))
    }
  }

  const baseOf = (path: string) => path.slice(path.lastIndexOf('/') + 1)

  return {
    excludesFolder (absPath) {
      const name = baseOf(absPath)
      if (folderNames.size > 0 && folderNames.has(name.toLowerCase())) return true
      for (const re of folderNameRes) if (re.test(name)) return true
      for (const re of folderPathRes) if (re.test(absPath)) return true
      return false
    },
    excludesFile (absPath) {
      const name = baseOf(absPath)
      if (fileNames.size > 0 && fileNames.has(name.toLowerCase())) return true
      for (const re of fileNameRes) if (re.test(name)) return true
      for (const re of pathRes) if (re.test(absPath)) return true
      return false
    },
  }
}

/** Whether a path lies under a folder the patterns exclude (for a folder named by a watch event). */
export function excludedBelow (matcher: ExclusionMatcher, root: string, path: string): boolean {
  if (path === root || !path.startsWith(root + '/')) return false
  let at = root.length
  for (;;) {
    const next = path.indexOf('/', at + 1)
    const folder = next < 0 ? path : path.slice(0, next)
    if (matcher.excludesFolder(folder)) return true
    if (next < 0) return false
    at = next
  }
}

const isLiteral = (s: string) => !/[*?[\]{}]/.test(s.replace(/\\./g, ''))
const unescape = (s: string) => s.replace(/\\(.)/g, '$1')
const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')

/** A glob as an anchored, case-insensitive regular expression over a path. */
export function globToRegExp (glob: string): RegExp {
  return new RegExp(`^${convert(glob, 0, glob.length)}$`, 'i')
}

function convert (g: string, from: number, to: number): string {
  let out = ''
  for (let i = from; i < to; i++) {
    const c = g[i]
    if (c === '\\') {
      i++
      if (i < to) out += escapeRe(g[i])
      else throw new Error(`Exclusion pattern "${g}" ends with a lone backslash`)
    } else if (c === '*') {
      let j = i
      while (j + 1 < to && g[j + 1] === '*') j++
      const stars = j - i + 1
      const atSegmentStart = i === 0 || g[i - 1] === '/'
      if (stars >= 2 && atSegmentStart && g[j + 1] === '/') {
        out += '(?:.*/)?' // "**/": zero or more whole folders
        i = j + 1
      } else if (stars >= 2) {
        out += '.*'
        i = j
      } else {
        out += '[^/]*'
      }
    } else if (c === '?') {
      out += '[^/]'
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2)
      if (close < 0 || close >= to) throw new Error(`Exclusion pattern "${g}" has a "[" without its "]"`)
      let body = g.slice(i + 1, close)
      const negate = body.startsWith('!') || body.startsWith('^')
      if (negate) body = body.slice(1)
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`
      i = close
    } else if (c === '{') {
      const close = matchingBrace(g, i, to)
      const parts = splitTopLevel(g, i + 1, close)
      out += `(?:${parts.map(([a, b]) => convert(g, a, b)).join('|')})`
      i = close
    } else {
      out += escapeRe(c)
    }
  }
  return out
}

function matchingBrace (g: string, open: number, to: number): number {
  let depth = 0
  for (let i = open; i < to; i++) {
    if (g[i] === '\\') { i++; continue }
    if (g[i] === '{') depth++
    else if (g[i] === '}' && --depth === 0) return i
  }
  throw new Error(`Exclusion pattern "${g}" has a "{" without its "}"`)
}

function splitTopLevel (g: string, from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = []
  let depth = 0
  let start = from
  for (let i = from; i < to; i++) {
    if (g[i] === '\\') { i++; continue }
    if (g[i] === '{') depth++
    else if (g[i] === '}') depth--
    else if (g[i] === ',' && depth === 0) { parts.push([start, i]); start = i + 1 }
  }
  parts.push([start, to])
  return parts
}
