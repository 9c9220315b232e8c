/**
 * The first screen's slowest request (the timeline's month list) is started by main.ts at once,
 * alongside the session check rather than after it, when this browser was signed in last time
 * (a hint in localStorage; the session cookie itself is HttpOnly). A wrong hint costs one 401.
 */
const HINT = 'hearth.signedIn'
/** The first screen's timeline filters (screens/photos.ts), as a query string. */
export const FIRST_SCREEN = '?visibility=timeline&withPartners=true'
let buckets: Promise<unknown> | undefined

export function setSignedInHint (signedIn: boolean): void {
  try { if (signedIn) localStorage.setItem(HINT, '1'); else localStorage.removeItem(HINT) } catch { /* storage disabled */ }
}

export function prefetchFirstScreen (): void {
  let hinted = false
  try { hinted = localStorage.getItem(HINT) === '1' } catch { /* storage disabled */ }
  const p = location.pathname
  if (!hinted || !(p === '/' || p === '/photos' || p.startsWith('/photos/'))) return
  buckets = fetch(`/api/timeline/buckets${FIRST_SCREEN}`, { credentials: 'same-origin', headers: { accept: 'application/json' } })
    .then((r) => r.ok ? r.json() : undefined, () => undefined)
}

/** The prefetched month list (once), or undefined. */
export function takePrefetchedBuckets (): Promise<unknown> | undefined {
  const b = buckets
  buckets = undefined
  return b
}
