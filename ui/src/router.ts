/**
 * A tiny history-API router. Routes are declared in routes.ts as path patterns (`/albums/:id`)
 * with a lazily imported screen (its own chunk) and the custom element it defines. `navigate()`
 * changes the URL; every change (including back/forward) emits `hearth-route` on window.
 * Same-origin <a href> clicks are intercepted by the shell, so screens can use plain links.
 */
export interface RouteDef {
  /** `/photos/:id`; a trailing `/*` matches the rest (`/admin/*`). */
  path: string
  /** The custom element that renders the screen; it receives `params` (and `query`) as properties. */
  tag: string
  /** Imports the module that defines `tag` (a dynamic import, so each screen is its own chunk). */
  load: () => Promise<unknown>
  /** `public`: no sign-in needed (sign-in itself, public share links); `admin`: admins only. Default `user`. */
  access?: 'public' | 'user' | 'admin'
  /** Shown without the shell's sidebar and top bar (sign-in, shared links). */
  bare?: boolean
  /** Which nav entry is highlighted. */
  nav?: string
}

export interface Match { route: RouteDef, params: Record<string, string>, query: URLSearchParams, path: string }

export const ROUTE_EVENT = 'hearth-route'

function compile (pattern: string): RegExp {
  const body = pattern.replace(/\/\*$/, '').split('/').map((seg) => seg.startsWith(':') ? `(?<${seg.slice(1)}>[^/]+)` : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('/')
  return new RegExp(`^${body}${pattern.endsWith('/*') ? '(?:/(?<rest>.*))?' : ''}/?$`)
}

export class Router {
  private readonly table: Array<{ route: RouteDef, re: RegExp }>
  readonly fallback: RouteDef
  constructor (routes: RouteDef[], fallback: RouteDef) {
    this.table = routes.map((route) => ({ route, re: compile(route.path) }))
    this.fallback = fallback
    window.addEventListener('popstate', () => this.emit())
  }

  match (url: URL = new URL(location.href)): Match {
    for (const { route, re } of this.table) {
      const m = re.exec(url.pathname)
      if (m !== null) {
        const params: Record<string, string> = {}
        for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) params[k] = decodeURIComponent(v)
        return { route, params, query: url.searchParams, path: url.pathname }
      }
    }
    return { route: this.fallback, params: {}, query: url.searchParams, path: url.pathname }
  }

  emit (): void { window.dispatchEvent(new CustomEvent(ROUTE_EVENT)) }
}

let current: Router | undefined
export function setRouter (r: Router): void { current = r }

/** Goes to `to` (a path with optional query); `replace` keeps it out of the back history. */
export function navigate (to: string, { replace = false, state }: { replace?: boolean, state?: unknown } = {}): void {
  const url = new URL(to, location.href)
  if (url.href === location.href && !replace) return
  if (replace) history.replaceState(state ?? null, '', url)
  else history.pushState(state ?? null, '', url)
  current?.emit()
}

/** Intercepts clicks on same-origin links inside `root` (shadow roots included, via composedPath). */
export function interceptLinks (root: EventTarget): void {
  root.addEventListener('click', (ev) => {
    const e = ev as MouseEvent
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = e.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement)
    if (a === undefined || a.target === '_blank' || a.hasAttribute('download') || a.href === '') return
    const url = new URL(a.href)
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return
    e.preventDefault()
    navigate(url.pathname + url.search + url.hash)
  })
}
