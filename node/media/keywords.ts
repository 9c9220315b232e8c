/**
 * A photo's keywords and tags, gathered from the places photo software writes them: hierarchical tags
 * (digiKam `TagsList` 'Places/Europe/Paris', Lightroom `HierarchicalSubject` 'Places|Europe|Paris',
 * Windows/Picasa `LastKeywordXMP`) and flat keywords (XMP dc:subject, IPTC Keywords, Windows XPKeywords).
 * Hierarchical tags come back as 'A/B/C' paths; a flat keyword that is only a part of such a path is
 * dropped, because Lightroom and digiKam also write every level of a path into dc:subject.
 *
 * @example
 * extractKeywords([{ HierarchicalSubject: ['Places|Europe|Paris'], Subject: ['Places', 'Europe', 'Paris', 'holiday'] }])
 * // ['Places/Europe/Paris', 'holiday']
 */

type TagBag = Record<string, unknown>

const hierarchical: Array<[tag: string, separator: string]> = [['TagsList', '/'], ['HierarchicalSubject', '|'], ['LastKeywordXMP', '/']]
const flat = ['Subject', 'Keywords', 'XPKeywords']

function values (value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value]
  return list.flatMap((item) => typeof item === 'string' || typeof item === 'number' ? [String(item)] : [])
}

function keywordsOf (tags: TagBag): string[] {
  const paths: string[] = []
  for (const [tag, separator] of hierarchical) {
    for (const value of values(tags[tag])) {
      const path = value.split(separator).map((part) => part.trim()).filter((part) => part !== '').join('/')
      if (path !== '') paths.push(path)
    }
  }
  const parts = new Set(paths.flatMap((path) => path.split('/')))
  const words: string[] = []
  for (const tag of flat) {
    for (const value of values(tags[tag])) {
      // Windows writes XPKeywords as one string separated by semicolons.
      for (const word of tag === 'XPKeywords' ? value.split(';') : [value]) {
        const trimmed = word.trim()
        if (trimmed !== '' && !parts.has(trimmed)) words.push(trimmed)
      }
    }
  }
  return [...new Set([...paths, ...words])]
}

/**
 * Keywords of a file, given its tag sources in order of precedence (an XMP sidecar first, then the file).
 * The first source that has any keyword is used whole: a sidecar's list replaces the file's, it is not
 * added to it, so a keyword removed in the sidecar stays removed.
 */
export function extractKeywords (sources: TagBag[]): string[] {
  for (const tags of sources) {
    const found = keywordsOf(tags)
    if (found.length > 0) return found
  }
  return []
}
