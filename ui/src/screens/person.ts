/**
 * One person: their face and name (rename, hide or show), and every photo they are on, newest
 * first (smart search filtered by personIds). Choose a photo to make it the face picture.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, ApiError } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import type { Asset, SearchResult } from '../types.ts'
import type { Person } from '../ml/types.ts'
import { personThumbnail } from './people.ts'
import '../ml/photo-grid.ts'

export class PersonScreen extends LitElement {
  static override properties = {
    params: { attribute: false }, query: { attribute: false }, person: { state: true }, assets: { state: true }, count: { state: true },
    editing: { state: true }, picked: { state: true }, missing: { state: true },
  }
  static override styles = [base, css`
    :host { display: block; height: 100%; overflow-y: auto; }
    header { display: grid; gap: 12px; margin-bottom: 18px; }
    .top { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; }
    .face { width: 96px; height: 96px; border-radius: 50%; overflow: hidden; background: var(--h-placeholder); flex: none; }
    .face img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .who { flex: 1; min-width: 180px; display: grid; gap: 4px; }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
    form { display: flex; gap: 8px; flex-wrap: wrap; }
    form input { flex: 1; min-width: 180px; }
    .selbar { position: sticky; top: 0; z-index: 2; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 12px; margin-bottom: 10px; }
    .selbar .grow { flex: 1; }
    @media (max-width: 700px) { .face { width: 72px; height: 72px; } }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  person: Person | null = null
  assets: Asset[] = []
  count: number | null = null
  editing = false
  picked = ''
  missing = false
  private loadedId = ''

  override updated (): void {
    if (this.params.id !== undefined && this.params.id !== this.loadedId) { this.loadedId = this.params.id; void this.load() }
  }

  private async load (): Promise<void> {
    const id = this.params.id!
    this.person = null
    this.assets = []
    this.picked = ''
    try {
      const [person, stats] = await Promise.all([
        api.get<Person>(`/api/people/${id}`),
        api.get<{ assets: number }>(`/api/people/${id}/statistics`).catch(() => null),
      ])
      this.person = person
      this.count = stats?.assets ?? null
    } catch (err) { notifyError(err); return }
    try {
      const res = await api.post<SearchResult>('/api/search/smart', { query: '', personIds: [id], size: 1000, withExif: false })
      this.assets = res.assets.items
      this.missing = false
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.missing = true
      else notifyError(err)
    }
  }

  private async save (patch: Partial<Pick<Person, 'name' | 'isHidden'>> & { featureFaceAssetId?: string }, message: string): Promise<boolean> {
    try {
      this.person = { ...this.person!, ...await api.put<Person>(`/api/people/${this.person!.id}`, patch) }
      notify(message)
      return true
    } catch (err) { notifyError(err); return false }
  }

  private async rename (e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const name = String(new FormData(e.target as HTMLFormElement).get('name') ?? '').trim()
    if (await this.save({ name }, name === '' ? t.people.nameCleared : t.people.renamed(name))) this.editing = false
  }

  private async setFeature (): Promise<void> {
    if (await this.save({ featureFaceAssetId: this.picked }, t.people.featureSet)) this.picked = ''
  }

  override render () {
    const p = this.person
    if (p === null) return html`<div class="page"><a href="/people">← ${t.people.back}</a><p class="muted">${t.app.loading}</p></div>`
    const name = p.name !== '' ? p.name : t.people.unnamed
    return html`<div class="page">
      <header>
        <a href="/people">← ${t.people.back}</a>
        <div class="top">
          <div class="face"><img src=${personThumbnail(p)} alt=${p.name !== '' ? t.people.faceOf(p.name) : t.people.unnamedAlt} width="96" height="96"></div>
          <div class="who">
            ${this.editing ? html`<form @submit=${this.rename}>
                <input name="name" .value=${p.name} aria-label=${t.people.nameLabel(1)} placeholder=${t.people.unnamed} maxlength="500" autofocus
                  @keydown=${(e: KeyboardEvent) => { if (e.key === 'Escape') this.editing = false }}>
                <button class="primary" type="submit">${t.people.save}</button><button type="button" @click=${() => { this.editing = false }}>${t.people.cancel}</button></form>`
              : html`<h1>${name}</h1>`}
            <span class="muted">${this.count !== null ? t.people.count(this.count) : nothing}${p.isHidden ? html` · ${t.people.hidden}` : nothing}</span>
          </div>
          <div class="actions">
            ${this.editing ? nothing : html`<button @click=${() => { this.editing = true }}>${t.people.rename}</button>`}
            <button @click=${() => this.save({ isHidden: !p.isHidden }, p.isHidden ? t.people.shownDone(1) : t.people.hiddenDone(1))}>${p.isHidden ? t.people.unhide : t.people.hide}</button>
          </div>
        </div>
      </header>
      ${this.picked !== '' ? html`<div class="selbar card" role="toolbar"><span class="grow">${t.selection.count(1)}</span>
        <button class="primary" @click=${this.setFeature}>${t.people.setFeature}</button>
        <button @click=${() => { this.picked = ''; (this.renderRoot.querySelector('hearth-photo-grid') as { picked: string } | null)!.picked = '' }}>${t.selection.clear}</button></div>` : nothing}
      ${this.missing ? html`<p class="muted">${t.people.searchMissing}</p>`
        : this.assets.length === 0 ? html`<p class="muted">${t.people.noPhotos}</p>`
        : html`<p class="muted">${t.people.featureHint}</p><hearth-photo-grid .assets=${this.assets} selectable .pickLabel=${(a: Asset) => t.people.pickFeature(a.originalFileName)}
            @pick=${(e: CustomEvent<string>) => { this.picked = e.detail }}></hearth-photo-grid>`}
    </div>`
  }
}
customElements.define('hearth-person', PersonScreen)
