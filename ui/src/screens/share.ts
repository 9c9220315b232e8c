/**
 * A public link's page, `/share/:key`, for visitors without an account: asks for the password when
 * the link has one, then shows the album's photos (or the photos the link was made of), a viewer,
 * and downloads when the link allows.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { ApiError, request, withKey } from '../api.ts'
import type { SharedLink } from '../albums/types.ts'
import '../albums/lightbox.ts'

export class ShareScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, link: { state: true }, state: { state: true }, error: { state: true }, open: { state: true }, busy: { state: true } }
  static override styles = [base, css`
    :host { display: block; min-height: 100dvh; background: var(--h-bg); }
    header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; padding: 20px 24px 8px; }
    header h1 { flex: 1; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 4px; padding: 12px 24px 40px; }
    .grid button { all: unset; cursor: pointer; aspect-ratio: 1; background: var(--h-placeholder); border-radius: 4px; overflow: hidden; }
    .grid button:focus-visible { outline: 2px solid var(--h-focus); outline-offset: 2px; }
    .grid img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .center { display: grid; place-items: center; min-height: 100dvh; padding: 20px; }
    .center .card { width: min(400px, 100%); padding: 28px; display: grid; gap: 14px; }
    form { display: grid; gap: 12px; }
    footer { padding: 0 24px 24px; font-size: .85rem; }
    @media (max-width: 700px) { header, .grid { padding-left: 10px; padding-right: 10px; } }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  link: SharedLink | null = null
  state: 'loading' | 'password' | 'ready' | 'failed' = 'loading'
  error = ''
  open = -1
  busy = false
  private loaded = ''

  private get key (): string { return this.params.key ?? '' }

  override updated (): void {
    if (this.key !== this.loaded) { this.loaded = this.key; void this.load() }
  }

  private async load (password?: string): Promise<void> {
    const q = `key=${encodeURIComponent(this.key)}${password !== undefined ? `&password=${encodeURIComponent(password)}` : ''}`
    try {
      // quiet401: a visitor has no session, and a 401 here means "password needed", not "signed out".
      this.link = await request<SharedLink>('GET', `/api/shared-links/me?${q}`, undefined, { quiet401: true })
      this.state = 'ready'
      this.error = ''
      document.title = `${this.heading(this.link)} · ${t.app.name}`
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && /password/i.test(err.message)) {
        this.state = 'password'
        this.error = password !== undefined ? t.share.wrongPassword : ''
      } else if (err instanceof ApiError && err.status === 429) {
        this.state = 'password'
        this.error = err.message
      } else {
        this.state = 'failed'
        this.error = err instanceof ApiError && err.status === 410 ? t.share.expired : err instanceof ApiError && err.status === 401 ? t.share.invalid : (err as Error).message
      }
    }
  }

  private async unlock (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    this.busy = true
    await this.load(String(new FormData(e.target as HTMLFormElement).get('password') ?? ''))
    this.busy = false
  }

  /** An album link's album name; a link to chosen photos is named by its note, or by who shares it. */
  private heading (link: SharedLink): string {
    return link.album?.albumName ?? (link.description !== null && link.description !== '' ? link.description : t.share.photosFrom(link.owner?.name ?? ''))
  }

  /** The whole album, or all the link's photos, as ZIP archives (the link allows downloads). */
  private async downloadAll (link: SharedLink): Promise<void> {
    try {
      const { actions } = await import('../lib/actions.ts')
      if (link.album !== undefined) await actions.download([], { albumId: link.album.id, name: link.album.albumName, key: this.key })
      else await actions.download(link.assets.map((a) => a.id), { name: this.heading(link), key: this.key })
    } catch (err) { this.error = (err as Error).message }
  }

  override render () {
    if (this.state === 'loading') return html`<div class="center"><p class="muted">${t.share.loading}</p></div>`
    if (this.state === 'failed') return html`<div class="center"><div class="card"><h1>${t.app.name}</h1><p class="error" role="alert">${this.error}</p></div></div>`
    if (this.state === 'password') {
      return html`<div class="center"><div class="card"><h1>${t.share.passwordTitle}</h1><p class="muted">${t.share.passwordHint}</p>
        <form @submit=${this.unlock}><label>${t.share.password}<input name="password" type="password" autocomplete="off" required autofocus></label>
          ${this.error !== '' ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          <button class="primary" type="submit" ?disabled=${this.busy}>${t.share.open}</button></form></div></div>`
    }
    const link = this.link!
    const album = link.album
    const assets = link.assets
    const owner = album?.owner.name ?? link.owner?.name
    return html`<header><h1>${this.heading(link)}</h1>
        ${owner !== undefined ? html`<span class="muted">${t.share.sharedBy(owner)} · ${t.albums.count(assets.length)}</span>` : nothing}
        ${link.allowDownload && assets.length > 0 ? html`<button @click=${() => void this.downloadAll(link)}>${t.share.downloadAll}</button>` : nothing}</header>
      ${album?.description !== undefined && album.description !== '' ? html`<p style="padding: 0 24px">${album.description}</p>` : nothing}
      ${assets.length === 0 ? html`<p class="muted" style="padding: 0 24px">${t.share.empty}</p>` : html`<div class="grid" role="list">${assets.map((a, i) => html`<button role="listitem" @click=${() => { this.open = i }} aria-label=${a.originalFileName ?? t.share.photo(i + 1, assets.length)}>
        <img src=${withKey(`/api/assets/${a.id}/thumbnail?size=thumbnail`, this.key)} alt=${a.originalFileName ?? t.share.photo(i + 1, assets.length)} loading="lazy" width="250" height="250"></button>`)}</div>`}
      <footer class="muted">${t.share.poweredBy}</footer>
      ${this.open >= 0 ? html`<hearth-album-lightbox .assets=${assets} .index=${this.open} .key=${this.key} .allowDownload=${link.allowDownload} @close=${() => { this.open = -1 }}></hearth-album-lightbox>` : nothing}`
  }
}
customElements.define('hearth-share', ShareScreen)
