/** Thumbhash placeholders (the API's base64 thumbhash) as small data URLs, cached per asset. */
import { thumbHashToDataURL } from 'thumbhash'

const cache = new Map<string, string>()

export function placeholder (id: string, thumbhash: string | null): string | undefined {
  if (thumbhash === null) return undefined
  let url = cache.get(id)
  if (url === undefined) {
    try {
      url = thumbHashToDataURL(Uint8Array.from(atob(thumbhash), (c) => c.charCodeAt(0)))
    } catch {
      return undefined
    }
    if (cache.size > 20_000) cache.clear()
    cache.set(id, url)
  }
  return url
}
