/**
 * <hearth-app>: the app shell. Loads the session, picks the screen for the address (router.ts),
 * sends a signed-out visitor to sign-in (or to admin sign-up on a new server), and frames signed-in
 * screens with the nav (a sidebar, a bottom bar at phone width), the top bar with the search box,
 * uploads (drop anywhere) and toasts. The bottom bar has room for five screens; "More" opens a sheet
 * with the rest, so every screen of the sidebar is reachable on a phone.
 */
import './notifications.ts'
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { icon, type IconName } from '../icons.ts'
import { Router, ROUTE_EVENT, interceptLinks, navigate, setRouter, type Match } from '../router.ts'
import { routes, notFound } from '../routes.ts'
import { session, SESSION_EVENT } from '../session.ts'
import { UNAUTHORIZED_EVENT } from '../api.ts'
import { notifyError } from '../notify.ts'
import { uploads } from '../upload/uploader.ts'
import '../upload/tus.ts'
import './toasts.ts'
import './upload-panel.ts'

interface NavItem { id: string, href: string, label: string, icon: IconName, admin?: boolean, phone?: boolean }
const navItems: NavItem[] = [
  { id: 'photos', href: '/photos', label: t.nav.photos, icon: 'photos', phone: true },
  { id: 'search', href: '/search', label: t.nav.search, icon: 'search', phone: true },
  { id: 'people', href: '/people', label: t.nav.people, icon: 'people' },
  { id: 'places', href: '/places', label: t.nav.places, icon: 'place' },
  { id: 'map', href: '/map', label: t.nav.map, icon: 'map' },
  { id: 'tags', href: '/tags', label: t.nav.tags, icon: 'tag' },
  { id: 'folders', href: '/folders', label: t.nav.folders, icon: 'folder' },
  { id: 'albums', href: '/albums', label: t.nav.albums, icon: 'album', phone: true },
  { id: 'sharing', href: '/sharing', label: t.nav.sharing, icon: 'share', phone: true },
  { id: 'favorites', href: '/favorites', label: t.nav.favorites, icon: 'heart' },
  { id: 'archive', href: '/archive', label: t.nav.archive, icon: 'archive' },
  { id: 'locked', href: '/locked', label: t.nav.locked, icon: 'lock' },
  { id: 'duplicates', href: '/duplicates', label: t.nav.duplicates, icon: 'copy' },
  { id: 'trash', href: '/trash', label: t.nav.trash, icon: 'trash' },
  { id: 'account', href: '/account', label: t.nav.account, icon: 'account', phone: true },
  { id: 'admin', href: '/admin', label: t.nav.admin, icon: 'admin', admin: true },
]

/**
 * Where a signed-in visitor on a sign-in page goes: the page they had asked for (`?continue=`,
 * same-origin paths only, never another site), else the timeline.
 */
function afterSignIn (): string {
  const next = new URLSearchParams(location.search).get('continue')
  return next !== null && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/auth/') ? next : '/photos'
}

export class HearthApp extends LitElement {
  static override properties = { match: { state: true }, ready: { state: true }, failure: { state: true }, dragging: { state: true }, moreOpen: { state: true } }
  static override styles = [base, css`
    :host { display: block; height: 100dvh; }
    .skip { position: absolute; left: 8px; top: -60px; z-index: 100; background: var(--h-surface); padding: 8px 12px; border-radius: 8px; }
    .skip:focus { top: 8px; }
    .frame { display: grid; grid-template-columns: var(--h-sidebar) minmax(0, 1fr); grid-template-rows: var(--h-topbar) 1fr; height: 100dvh; }
    header { grid-column: 1 / -1; display: flex; align-items: center; gap: 12px; padding: 0 12px 0 18px; border-bottom: 1px solid var(--h-border); background: var(--h-bg); }
    .logo { display: flex; align-items: center; gap: 8px; font-weight: 700; font-size: 1.2rem; color: var(--h-text); text-decoration: none; width: calc(var(--h-sidebar) - 30px); }
    .logo svg { width: 28px; height: 28px; }
    form.search { flex: 1; min-width: 0; max-width: 640px; display: flex; align-items: center; background: var(--h-surface-2); border-radius: 999px; padding: 0 6px 0 14px; }
    form.search input { flex: 1; min-width: 0; border: none; background: transparent; min-height: 42px; }
    form.search input:focus-visible { outline: none; }
    form.search:focus-within { outline: 2px solid var(--h-focus); }
    .spacer { flex: 1; }
    nav { overflow-y: auto; padding: 10px 10px; }
    nav a { display: flex; align-items: center; gap: 14px; padding: 0 16px; height: 44px; border-radius: 999px; color: var(--h-text); text-decoration: none; font-weight: 500; }
    nav a:hover { background: var(--h-surface-2); }
    nav a[aria-current='page'] { background: var(--h-accent-soft); color: var(--h-accent); }
    nav button.more, .more-sheet, .more-scrim { display: none; }
    main { overflow: hidden; position: relative; min-width: 0; }
    main > * { height: 100%; }
    .user { font-size: .85rem; color: var(--h-text-2); max-width: 160px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .drop { position: fixed; inset: 0; z-index: 90; background: var(--h-scrim); display: grid; place-items: center; pointer-events: none; }
    .drop div { background: var(--h-surface); padding: 28px 40px; border-radius: 16px; font-size: 1.2rem; font-weight: 600; border: 3px dashed var(--h-accent); display: flex; gap: 12px; align-items: center; }
    .center { display: grid; place-items: center; height: 100dvh; padding: 20px; text-align: center; }
    @media (max-width: 700px) {
      .frame { grid-template-columns: minmax(0, 1fr); grid-template-rows: 56px minmax(0, 1fr) var(--h-bottombar); }
      header { padding: 0 6px 0 10px; gap: 6px; }
      .logo { width: auto; } .logo span, .user, .spacer { display: none; }
      nav { grid-row: 3; display: flex; justify-content: space-around; padding: 0; border-top: 1px solid var(--h-border); background: var(--h-bg); overflow: hidden; }
      nav a, nav button.more { flex-direction: column; gap: 2px; height: auto; padding: 6px 2px; font-size: .7rem; border-radius: 12px; flex: 1 1 0; min-width: 0; justify-content: center; }
      nav a span, nav button.more span { max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      nav a:not(.phone) { display: none; }
      nav button.more { display: flex; align-items: center; border: none; background: transparent; color: var(--h-text); font-weight: 500; min-height: 0; margin: 0; }
      nav button.more.current, nav button.more[aria-expanded='true'] { background: var(--h-accent-soft); color: var(--h-accent); }
      .more-scrim { display: block; position: fixed; inset: 0 0 var(--h-bottombar); z-index: 40; background: var(--h-scrim); }
      .more-sheet { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 4px; position: fixed; left: 8px; right: 8px; bottom: calc(var(--h-bottombar) + 8px); z-index: 41;
        padding: 10px; background: var(--h-surface); border-radius: 16px; box-shadow: var(--h-shadow); }
      .more-sheet a { display: flex; flex-direction: column; align-items: center; gap: 4px; padding: 12px 4px; border-radius: 12px; color: var(--h-text); text-decoration: none; font-size: .8rem; font-weight: 500; text-align: center; }
      .more-sheet a:hover { background: var(--h-surface-2); }
      .more-sheet a[aria-current='page'] { background: var(--h-accent-soft); color: var(--h-accent); }
      main { grid-row: 2; }
    }
  `]

  match: Match | undefined
  ready = false
  failure = ''
  dragging = false
  /** The phone's "More" sheet (the screens the bottom bar has no room for). */
  moreOpen = false
  private readonly router = new Router(routes, notFound)
  private readonly screens = new Map<string, HTMLElement>()
  private dragDepth = 0

  override connectedCallback (): void {
    super.connectedCallback()
    setRouter(this.router)
    interceptLinks(document)
    window.addEventListener(ROUTE_EVENT, () => { void this.route() })
    window.addEventListener(SESSION_EVENT, () => { void this.route() })
    window.addEventListener(UNAUTHORIZED_EVENT, () => { if (session.user !== null) session.set(null) })
    window.addEventListener('dragenter', this.onDragEnter)
    window.addEventListener('dragover', this.onDragOver)
    window.addEventListener('dragleave', this.onDragLeave)
    window.addEventListener('drop', this.onDrop)
    void this.start()
  }

  private async start (): Promise<void> {
    // The screen's chunk downloads while the session is checked.
    this.router.match().route.load().catch(() => {})
    try {
      await session.load()
      this.ready = true
      await this.route()
    } catch (err) {
      this.failure = (err as Error).message
    }
  }

  /** Decides where the visitor may be, loads that screen's chunk, and shows it. */
  private async route (): Promise<void> {
    if (!this.ready) return
    let m = this.router.match()
    const signedIn = session.user !== null
    const access = m.route.access ?? 'user'
    if (location.pathname === '/' || (signedIn && m.path.startsWith('/auth/'))) { navigate(signedIn ? afterSignIn() : '/auth/login', { replace: true }); return }
    if (session.config?.isInitialized === false && m.path !== '/auth/register' && !m.path.startsWith('/share/')) { navigate('/auth/register', { replace: true }); return }
    if (!signedIn && access !== 'public') {
      const back = location.pathname + location.search
      navigate(`/auth/login${back.startsWith('/auth') ? '' : `?continue=${encodeURIComponent(back)}`}`, { replace: true })
      return
    }
    if (access === 'admin' && session.user?.isAdmin !== true) m = { ...m, route: notFound }
    try {
      await m.route.load()
    } catch (err) {
      notifyError(err)
      return
    }
    document.title = `${navItems.find((n) => n.id === m.route.nav)?.label ?? t.app.name} · ${t.app.name}`
    this.match = m
    this.moreOpen = false
  }

  private async toggleMore (open = !this.moreOpen): Promise<void> {
    this.moreOpen = open
    await this.updateComplete
    // Opening moves focus into the sheet; closing (Esc, a tap outside) gives it back to the button.
    if (open) (this.renderRoot.querySelector('.more-sheet a') as HTMLElement | null)?.focus()
    else (this.renderRoot.querySelector('nav button.more') as HTMLElement | null)?.focus()
  }

  private readonly onMoreKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !this.moreOpen) return
    e.stopPropagation()
    void this.toggleMore(false)
  }

  /** One element per screen tag, kept while it stays on screen (the timeline survives opening the viewer). */
  private screen (m: Match): HTMLElement {
    let el = this.screens.get(m.route.tag)
    if (el === undefined) {
      this.screens.clear()
      el = document.createElement(m.route.tag)
      this.screens.set(m.route.tag, el)
    }
    Object.assign(el, { params: m.params, query: m.query })
    return el
  }

  private readonly onDragEnter = (e: DragEvent) => {
    if (!this.acceptsDrop(e)) return
    this.dragDepth++
    this.dragging = true
  }

  private readonly onDragOver = (e: DragEvent) => {
    if (!this.acceptsDrop(e)) return
    e.preventDefault()
    if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy'
  }

  private readonly onDragLeave = () => {
    this.dragDepth = Math.max(0, this.dragDepth - 1)
    if (this.dragDepth === 0) this.dragging = false
  }

  private readonly onDrop = (e: DragEvent) => {
    this.dragDepth = 0
    this.dragging = false
    if (!this.acceptsDrop(e)) return
    e.preventDefault()
    const files = [...(e.dataTransfer?.files ?? [])]
    if (files.length > 0) uploads.add(files)
  }

  private acceptsDrop (e: DragEvent): boolean {
    return session.user !== null && this.match?.route.bare !== true && (e.dataTransfer?.types.includes('Files') ?? false)
  }

  private search (e: SubmitEvent): void {
    e.preventDefault()
    const q = String(new FormData(e.target as HTMLFormElement).get('q') ?? '').trim()
    navigate(`/search${q === '' ? '' : `?q=${encodeURIComponent(q)}`}`)
  }

  private async logout (): Promise<void> {
    await session.logout()
    navigate('/auth/login')
  }

  override render () {
    if (this.failure !== '') return html`<div class="center"><div><h1>${t.app.name}</h1><p role="alert">${this.failure}</p><button @click=${() => location.reload()}>${t.timeline.retry}</button></div></div>`
    const m = this.match
    if (!this.ready || m === undefined) return html`<div class="center" aria-busy="true"><p class="muted">${t.app.loading}</p></div>`
    const screen = this.screen(m)
    if (m.route.bare === true) return html`${screen}<hearth-toasts></hearth-toasts>`
    const q = m.route.tag === 'hearth-search' ? (m.query.get('q') ?? '') : ''
    const items = navItems.filter((n) => n.admin !== true || session.user?.isAdmin === true)
    const more = items.filter((n) => n.phone !== true)
    return html`
      <a class="skip" href="#main" @click=${(e: Event) => { e.preventDefault(); (this.renderRoot.querySelector('main') as HTMLElement).focus() }}>${t.app.skipToContent}</a>
      <div class="frame">
        <header>
          <a class="logo" href="/photos" aria-label=${t.app.name}>
            <svg viewBox="0 0 32 32" aria-hidden="true"><path d="M16 3 3 14v15h26V14z" fill="var(--h-accent)"/><path d="M12 29v-9h8v9" fill="var(--h-bg)"/></svg><span>${t.app.name}</span>
          </a>
          <form class="search" role="search" @submit=${this.search}>
            <input name="q" type="search" .value=${q} placeholder=${t.nav.searchPlaceholder} aria-label=${t.nav.searchLabel} autocomplete="off">
            <button class="icon" type="submit" aria-label=${t.nav.searchLabel} title=${t.nav.searchLabel}>${icon('search')}</button>
          </form>
          <span class="spacer"></span>
          <button class="icon" aria-label=${t.nav.upload} title=${t.nav.upload} @click=${() => uploads.pick()}>${icon('upload')}</button>
          <hearth-notifications></hearth-notifications>
          <span class="user" title=${session.user?.email ?? ''}>${session.user?.name}</span>
          <button class="icon" aria-label=${t.nav.logout} title=${t.nav.logout} @click=${this.logout}>${icon('logout')}</button>
        </header>
        <nav aria-label=${t.nav.label}>
          ${items.map((n) => html`
            <a href=${n.href} class=${n.phone === true ? 'phone' : ''} aria-current=${m.route.nav === n.id ? 'page' : nothing}>${icon(n.icon)}<span>${n.label}</span></a>`)}
          <button class="more ${more.some((n) => n.id === m.route.nav) ? 'current' : ''}" aria-expanded=${this.moreOpen ? 'true' : 'false'} aria-controls="more"
            @click=${() => { void this.toggleMore() }} @keydown=${this.onMoreKey}>${icon('more')}<span>${t.nav.more}</span></button>
        </nav>
        <main id="main" tabindex="-1">${screen}</main>
      </div>
      ${this.moreOpen ? html`
        <div class="more-scrim" @click=${() => { void this.toggleMore(false) }}></div>
        <div id="more" class="more-sheet" role="navigation" aria-label=${t.nav.more} @keydown=${this.onMoreKey}>
          ${more.map((n) => html`<a href=${n.href} aria-current=${m.route.nav === n.id ? 'page' : nothing} @click=${() => { this.moreOpen = false }}>${icon(n.icon)}<span>${n.label}</span></a>`)}
        </div>` : nothing}
      <hearth-upload-panel></hearth-upload-panel>
      <hearth-toasts></hearth-toasts>
      ${this.dragging ? html`<div class="drop" aria-hidden="true"><div>${icon('upload')} ${t.upload.drop}</div></div>` : nothing}
    `
  }
}
customElements.define('hearth-app', HearthApp)
