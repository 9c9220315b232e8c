/**
 * The first screen's slowest requests (the timeline's month list, and "On this day") are started by main.ts at once,
 * alongside the session check rather than after it, when this browser was signed in last time
 * (a hint in localStorage; the session cookie itself is HttpOnly). A wrong hint costs one 401.
 */
const HINT = 'hearth.signedIn'
/** The first screen's timeline filters (screens/photos.ts), as a query string. */
export const FIRST_SCREEN = '?visibility=timeline&withPartners=true&withStacked=true'
let buckets: Promise<unknown> | undefined
let memories: Promise<unknown> | undefined

/** Today's "On this day" request (the viewer's calendar), as the timeline screen asks for it. */
export function memoryLanePath (today = new Date()): string {
  return `/api/assets/memory-lane?day=${today.getDate()}&month=${today.getMonth() + 1}&year=${today.getFullYear()}`
}

export function setSignedInHint (signedIn: boolean): void {
  try { if (signedIn) localStorage.setItem(HINT, '1'); else localStorage.removeItem(HINT) } catch { /* storage disabled */ }
}

export function prefetchFirstScreen (): void {
  let hinted = false
  try { hinted = localStorage.getItem(HINT) === '1' } catch { /* storage disabled */ }
  const p = location.pathname
  if (!hinted || !(p === '/' || p === '/photos' || p.startsWith('/photos/'))) return
  const get = (path: string) => fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } })
    .then((r) => r.ok ? r.json() as Promise<unknown> : undefined, () => undefined)
  buckets = get(`/api/timeline/buckets${FIRST_SCREEN}`)
  memories = get(memoryLanePath())
}

/** The prefetched month list (once), or undefined. */
export function takePrefetchedBuckets (): Promise<unknown> | undefined {
  const b = buckets
  buckets = undefined
  return b
}

/** The prefetched "On this day" answer (once), or undefined. */
export function takePrefetchedMemories (): Promise<unknown> | undefined {
  const m = memories
  memories = undefined
  return m
}
