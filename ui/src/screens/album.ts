/**
 * One album: its photos in the album's order; for the owner rename, description, order, cover,
 * add and remove, share and delete; for an editor add and remove their own; a viewer looks.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, media } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import { navigate } from '../router.ts'
import { session } from '../session.ts'
import { icon } from '../icons.ts'
import type { Asset } from '../types.ts'
import type { AlbumFull, BulkResult } from '../albums/types.ts'
import '../albums/lightbox.ts'
import '../albums/share-panel.ts'
import '../albums/activity.ts'

/** What the album's picker offers: the timeline, with the partners the user shows in it. */
const PICK_FILTERS = { visibility: 'timeline', withPartners: 'true' }

export class AlbumScreen extends LitElement {
  static override properties = {
    params: { attribute: false }, query: { attribute: false }, album: { state: true }, selected: { state: true }, editing: { state: true },
    picking: { state: true }, picked: { state: true }, sharing: { state: true }, open: { state: true }, talking: { state: true }, comments: { state: true },
  }
  static override styles = [base, css`
    header { display: grid; gap: 10px; margin-bottom: 16px; }
    .top { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
    .top h1 { flex: 1; min-width: 200px; }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
    .rename { display: flex; gap: 8px; flex-wrap: wrap; flex: 1; }
    .rename input { flex: 1; min-width: 200px; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 4px; }
    .tile { position: relative; aspect-ratio: 1; background: var(--h-placeholder); border-radius: 4px; overflow: hidden; }
    .tile button.open { all: unset; display: block; width: 100%; height: 100%; cursor: pointer; }
    .tile button.open:focus-visible { outline: 2px solid var(--h-focus); outline-offset: -2px; }
    .tile img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .tile .pick { position: absolute; top: 6px; left: 6px; width: 28px; height: 28px; min-height: 28px; padding: 0; border-radius: 50%; background: rgb(0 0 0 / 35%); color: #fff; border: 2px solid #fff; }
    .tile[aria-selected='true'] { outline: 3px solid var(--h-accent); outline-offset: -3px; }
    .tile[aria-selected='true'] .pick { background: var(--h-accent); }
    .tile .cover { position: absolute; bottom: 6px; left: 6px; font-size: .75rem; background: rgb(0 0 0 / 55%); color: #fff; padding: 2px 8px; border-radius: 999px; }
    .selbar { position: sticky; top: 0; z-index: 2; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 12px; margin-bottom: 10px; }
    .selbar .grow { flex: 1; }
    dialog { border: none; border-radius: var(--h-radius); padding: 0; width: min(900px, 96vw); max-height: 90dvh; background: var(--h-surface); color: var(--h-text); }
    dialog::backdrop { background: var(--h-scrim); }
    .dlg { display: grid; grid-template-rows: auto 1fr auto; max-height: 90dvh; }
    .dlg > * { padding: 14px 16px; }
    .dlg .body { overflow-y: auto; }
    dialog.picker { height: 90dvh; }
    dialog.picker .dlg { height: 100%; }
    dialog.picker .body { padding: 0; overflow: hidden; min-height: 0; }
    dialog.picker hearth-timeline { height: 100%; }
    .dlg footer { display: flex; gap: 8px; justify-content: flex-end; border-top: 1px solid var(--h-border); }
    .share { margin-bottom: 18px; }
    textarea { width: 100%; min-height: 60px; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  album: AlbumFull | null = null
  selected = new Set<string>()
  editing = false
  picking = false
  picked = new Set<string>()
  sharing = false
  /** The likes-and-comments panel is open. */
  talking = false
  /** How many comments the album and its photos have (its button says so). */
  comments = 0
  open = -1
  private loadedId = ''

  private get myRole (): 'owner' | 'editor' | 'viewer' {
    if (this.album === null) return 'viewer'
    if (this.album.ownerId === session.user?.id) return 'owner'
    return this.album.albumUsers.find((u) => u.user.id === session.user?.id)?.role ?? 'viewer'
  }

  override updated (): void {
    if (this.params.id !== undefined && this.params.id !== this.loadedId) { this.loadedId = this.params.id; void this.load() }
    const dlg = this.renderRoot.querySelector('dialog')
    if (dlg !== null && !dlg.open) dlg.showModal()
  }

  private async load (): Promise<void> {
    try {
      this.album = await api.get<AlbumFull>(`/api/albums/${this.params.id}`)
      await this.countComments()
    } catch (err) { notifyError(err) }
  }

  /** The album's comments, on it and on its photos, for its Comments button. */
  private async countComments (): Promise<void> {
    if (this.album === null || this.album.albumUsers.length === 0) return
    try { this.comments = (await api.get<{ comments: number }>(`/api/activities/statistics?albumId=${this.album.id}`)).comments } catch (err) { notifyError(err) }
  }

  private toggle (id: string): void {
    const next = new Set(this.selected)
    if (next.has(id)) next.delete(id); else next.add(id)
    this.selected = next
  }

  private async rename (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    try {
      this.album = { ...this.album!, ...await api.patch<AlbumFull>(`/api/albums/${this.album!.id}`, { albumName: String(data.get('name')).trim(), description: String(data.get('description') ?? '') }), assets: this.album!.assets }
      this.editing = false
    } catch (err) { notifyError(err) }
  }
  private async setOrder (order: string): Promise<void> {
    try { await api.patch(`/api/albums/${this.album!.id}`, { order }); await this.load() } catch (err) { notifyError(err) }
  }
  private async setCover (): Promise<void> {
    const [id] = this.selected
    try { await api.patch(`/api/albums/${this.album!.id}`, { albumThumbnailAssetId: id }); notify(t.albums.coverSet); this.selected = new Set(); await this.load() } catch (err) { notifyError(err) }
  }
  private async removeSelected (): Promise<void> {
    try {
      const res = await api.del<BulkResult>(`/api/albums/${this.album!.id}/assets`, { ids: [...this.selected] })
      notify(t.albums.removed(res.filter((r) => r.success).length))
      this.selected = new Set()
      await this.load()
    } catch (err) { notifyError(err) }
  }
  private async deleteAlbum (): Promise<void> {
    if (!confirm(t.albums.deleteConfirm(this.album!.albumName))) return
    try { await api.del(`/api/albums/${this.album!.id}`); notify(t.albums.deleted); navigate('/albums') } catch (err) { notifyError(err) }
  }
  private async leave (): Promise<void> {
    try { await api.del(`/api/albums/${this.album!.id}/user/me`); notify(t.albums.left); navigate('/albums?tab=shared') } catch (err) { notifyError(err) }
  }
  private async startPicking (): Promise<void> {
    this.picked = new Set()
    await import('../components/timeline.ts')
    this.picking = true
  }
  /** The whole album as ZIP archives, named after it. */
  private async download (): Promise<void> {
    try {
      const { actions } = await import('../lib/actions.ts')
      notify(t.albums.downloading(await actions.download([], { albumId: this.album!.id, name: this.album!.albumName })))
    } catch (err) { notifyError(err) }
  }

  private async addPicked (): Promise<void> {
    try {
      const res = await api.put<BulkResult>(`/api/albums/${this.album!.id}/assets`, { ids: [...this.picked] })
      notify(t.albums.added(res.filter((r) => r.success).length, res.filter((r) => !r.success && r.error === 'duplicate').length))
      this.picking = false
      await this.load()
    } catch (err) { notifyError(err) }
  }

  private tile (a: Asset, i: number) {
    const selected = this.selected.has(a.id)
    const canSelect = this.myRole !== 'viewer'
    return html`<div class="tile" role="listitem" aria-selected=${selected ? 'true' : 'false'}>
      <button class="open" @click=${() => { this.open = i }} aria-label=${a.originalFileName}>
        <img src=${media.thumbnail(a.id)} alt=${a.originalFileName} loading="lazy" width="250" height="250"></button>
      ${canSelect ? html`<button class="pick" aria-pressed=${selected ? 'true' : 'false'} aria-label=${t.albums.selectPhoto(a.originalFileName)} title=${t.timeline.select} @click=${() => this.toggle(a.id)}>${selected ? icon('check') : nothing}</button>` : nothing}
      ${this.album!.albumThumbnailAssetId === a.id ? html`<span class="cover">${t.albums.coverBadge}</span>` : nothing}
    </div>`
  }

  /**
   * The whole timeline to choose from (windowed, so a library of any size), partners' photos
   * included (an album may hold them); photos already in the album are answered as such.
   */
  private pickDialog () {
    return html`<dialog class="picker" @close=${() => { this.picking = false }} aria-labelledby="pick-h"><div class="dlg">
      <h2 id="pick-h">${t.albums.pickTitle}</h2>
      <div class="body"><hearth-timeline picker .filters=${PICK_FILTERS} .emptyText=${t.albums.pickNone}
        @selection-change=${(e: CustomEvent<string[]>) => { this.picked = new Set(e.detail) }}></hearth-timeline></div>
      <footer><button @click=${() => { this.picking = false }}>${t.albums.cancel}</button>
        <button class="primary" ?disabled=${this.picked.size === 0} @click=${this.addPicked}>${t.albums.pickAdd(this.picked.size)}</button></footer>
    </div></dialog>`
  }

  override render () {
    const a = this.album
    if (a === null) return html`<div class="page"><p class="muted">${t.app.loading}</p></div>`
    const role = this.myRole
    return html`<div class="page">
      <header>
        <a href=${role === 'owner' ? '/albums' : '/albums?tab=shared'}>← ${t.albums.back}</a>
        ${this.editing ? html`<form class="rename" @submit=${this.rename}>
            <input name="name" .value=${a.albumName} aria-label=${t.albums.name} required maxlength="500">
            <textarea name="description" .value=${a.description} aria-label=${t.albums.description} placeholder=${t.albums.descriptionPlaceholder}></textarea>
            <button class="primary" type="submit">${t.albums.save}</button><button type="button" @click=${() => { this.editing = false }}>${t.albums.cancel}</button></form>`
          : html`<div class="top"><h1>${a.albumName}</h1>
            <div class="actions">
              ${role !== 'viewer' ? html`<button class="primary" @click=${this.startPicking}>${icon('plus')}${t.albums.addPhotos}</button>` : nothing}
              ${a.assetCount > 0 ? html`<button @click=${() => void this.download()}>${icon('download')}${t.albums.download}</button>` : nothing}
              ${a.albumUsers.length > 0 ? html`<button @click=${() => { this.talking = !this.talking }} aria-expanded=${this.talking}>${icon('comment')}${t.activity.open(this.comments)}</button>` : nothing}
              ${role === 'owner' ? html`
                <button @click=${() => { this.editing = true }}>${t.albums.rename}</button>
                <button @click=${() => { this.sharing = !this.sharing }} aria-expanded=${this.sharing}>${icon('share')}${t.sharing.share}</button>
                <label class="visually-hidden" for="order">${t.albums.sort}</label>
                <select id="order" @change=${(e: Event) => this.setOrder((e.target as HTMLSelectElement).value)} title=${t.albums.sort}>
                  <option value="desc" ?selected=${a.order === 'desc'}>${t.albums.newestFirst}</option><option value="asc" ?selected=${a.order === 'asc'}>${t.albums.oldestFirst}</option></select>
                <button class="icon danger" aria-label=${t.albums.delete} title=${t.albums.delete} @click=${this.deleteAlbum}>${icon('trash')}</button>`
                : html`<button @click=${this.leave}>${t.albums.leave}</button>`}
            </div></div>
            ${a.description !== '' ? html`<p>${a.description}</p>` : nothing}
            <p class="muted">${t.albums.count(a.assetCount)}${role !== 'owner' ? html` · ${t.albums.by(a.owner.name)}` : nothing}${role === 'viewer' ? html` · ${t.albums.viewerOnly}` : nothing}</p>`}
      </header>
      ${this.sharing && role === 'owner' ? html`<hearth-album-share-panel class="share" .album=${a} @changed=${() => this.load()}></hearth-album-share-panel>` : nothing}
      ${this.talking && a.albumUsers.length > 0 ? html`<hearth-album-activity class="card share" .album=${a} @changed=${() => this.load()}
        @counted=${() => void this.countComments()}></hearth-album-activity>` : nothing}
      ${this.selected.size > 0 ? html`<div class="selbar card" role="toolbar">
        <span class="grow">${t.selection.count(this.selected.size)}</span>
        ${role === 'owner' && this.selected.size === 1 ? html`<button @click=${this.setCover}>${t.albums.setCover}</button>` : nothing}
        <button class="danger" @click=${this.removeSelected}>${t.albums.removeSelected}</button>
        <button @click=${() => { this.selected = new Set() }}>${t.selection.clear}</button></div>` : nothing}
      ${a.assets.length === 0 ? html`<p class="muted">${t.albums.emptyAlbum}</p>` : html`<div class="grid" role="list">${a.assets.map((x, i) => this.tile(x, i))}</div>`}
      ${this.picking ? this.pickDialog() : nothing}
      ${this.open >= 0 ? html`<hearth-album-lightbox .assets=${a.assets} .index=${this.open} allowDownload
        .album=${a.albumUsers.length > 0 && a.isActivityEnabled ? a : undefined} @close=${() => { this.open = -1 }}></hearth-album-lightbox>` : nothing}
    </div>`
  }
}
customElements.define('hearth-album', AlbumScreen)
