/**
 * Albums: a grid of covers (mine, or shared with me), and making a new one. The Sharing page (the
 * shared tab) also lists the public links made from chosen photos, to copy or delete.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, media } from '../api.ts'
import { notifyError } from '../notify.ts'
import { navigate } from '../router.ts'
import { icon } from '../icons.ts'
import type { AlbumFull, SharedLink } from '../albums/types.ts'
import '../albums/links.ts'

export class AlbumsScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, albums: { state: true }, creating: { state: true }, loading: { state: true }, links: { state: true } }
  static override styles = [base, css`
    header { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 18px; }
    header h1 { flex: 1; }
    .tabs { display: flex; gap: 6px; margin-bottom: 16px; }
    .tabs a { padding: 6px 14px; border-radius: 999px; text-decoration: none; color: var(--h-text); border: 1px solid var(--h-border); }
    .tabs a[aria-current='page'] { background: var(--h-accent-soft); color: var(--h-accent); border-color: transparent; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 18px; }
    .album { text-decoration: none; color: var(--h-text); display: grid; gap: 6px; }
    .cover { aspect-ratio: 1; border-radius: var(--h-radius); overflow: hidden; background: var(--h-placeholder); display: grid; place-items: center; }
    .cover img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .album:hover .cover img { filter: brightness(.94); }
    .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .meta { font-size: .88rem; }
    form { display: flex; gap: 8px; flex-wrap: wrap; align-items: end; padding: 14px; margin-bottom: 18px; }
    form label { flex: 1; min-width: 200px; }
    .links { margin-top: 28px; display: grid; gap: 8px; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  albums: AlbumFull[] = []
  /** The user's links to chosen photos (Immich's INDIVIDUAL links), on the shared tab. */
  links: SharedLink[] = []
  creating = false
  loading = true
  private shownTab = ''

  private get tab (): 'mine' | 'shared' { return this.query.get('tab') === 'shared' || location.pathname === '/sharing' ? 'shared' : 'mine' }

  override updated (): void {
    if (this.shownTab !== this.tab) { this.shownTab = this.tab; void this.load() }
  }

  private async load (): Promise<void> {
    this.loading = true
    try {
      const [all, links] = await Promise.all([
        api.get<AlbumFull[]>(this.tab === 'shared' ? '/api/albums?shared=true' : '/api/albums'),
        this.tab === 'shared' ? api.get<SharedLink[]>('/api/shared-links') : [],
      ])
      this.albums = all
      this.links = links.filter((l) => l.type === 'INDIVIDUAL')
    } catch (err) { notifyError(err) } finally { this.loading = false }
  }

  private async create (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const name = String(new FormData(e.target as HTMLFormElement).get('name') ?? '').trim()
    if (name === '') return
    try {
      const album = await api.post<AlbumFull>('/api/albums', { albumName: name })
      navigate(`/albums/${album.id}`)
    } catch (err) { notifyError(err) }
  }

  override render () {
    return html`<div class="page">
      <header><h1>${t.albums.title}</h1>
        <button class="primary" @click=${() => { this.creating = !this.creating }} aria-expanded=${this.creating}>${icon('plus')}${t.albums.create}</button></header>
      ${this.creating ? html`<form class="card" @submit=${this.create}>
        <label>${t.albums.name}<input name="name" required autofocus maxlength="500"></label>
        <button class="primary" type="submit">${t.albums.createIt}</button>
        <button type="button" @click=${() => { this.creating = false }}>${t.albums.cancel}</button></form>` : nothing}
      <nav class="tabs" aria-label=${t.albums.title}>
        <a href="/albums" aria-current=${this.tab === 'mine' ? 'page' : 'false'}>${t.albums.mine}</a>
        <a href="/albums?tab=shared" aria-current=${this.tab === 'shared' ? 'page' : 'false'}>${t.albums.sharedWithMe}</a>
      </nav>
      ${this.loading ? html`<p class="muted">${t.app.loading}</p>`
        : this.albums.length === 0 ? html`<p class="muted">${this.tab === 'shared' ? t.albums.sharedEmpty : t.albums.empty}</p>`
        : html`<div class="grid">${this.albums.map((a) => html`<a class="album" href="/albums/${a.id}">
          <div class="cover">${a.albumThumbnailAssetId !== null
            ? html`<img src=${media.thumbnail(a.albumThumbnailAssetId)} alt=${t.albums.cover(a.albumName)} loading="lazy" width="250" height="250">`
            : html`<span class="muted">${t.albums.noCover}</span>`}</div>
          <span class="name">${a.albumName}</span>
          <span class="meta muted">${t.albums.count(a.assetCount)}${a.shared ? html` · ${t.albums.sharedBadge}` : nothing}${this.tab === 'shared' && a.owner !== undefined ? html` · ${t.albums.by(a.owner.name)}` : nothing}</span>
        </a>`)}</div>`}
      ${this.tab === 'shared' && !this.loading ? html`<section class="links" aria-labelledby="chosen-h"><h2 id="chosen-h">${t.sharing.chosenLinks}</h2>
        <p class="muted">${t.sharing.chosenLinksHint}</p>
        ${this.links.length === 0 ? html`<p class="muted">${t.sharing.noLinks}</p>` : html`<hearth-links .links=${this.links} @changed=${() => this.load()}></hearth-links>`}</section>` : nothing}
    </div>`
  }
}
customElements.define('hearth-albums', AlbumsScreen)
