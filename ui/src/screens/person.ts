/**
 * /people/:personId: one person: their face, name (rename), birth date and age, favourite, hide or
 * show, and every photo they are on as a timeline (Immich's `personId`), however many there are,
 * with the selection bar and the viewer at /people/:personId/:id. "Choose the face picture" turns a
 * click on a photo into that person's face picture; "Merge…" brings other people's faces to this
 * person (the same person found twice).
 */
import { html, css, nothing } from 'lit'
import { GridScreen } from './photos.ts'
import { t } from '../strings.ts'
import { api, media, ApiError } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import { icon } from '../icons.ts'
import { shortDate } from '../lib/format.ts'
import type { Person } from '../ml/types.ts'
import type { Timeline } from '../components/timeline.ts'

/** Whole years from `birth` (YYYY-MM-DD) to `today`, as a birthday counts them. */
export function age (birth: string, today = new Date()): number {
  const [y, m, d] = birth.split('-').map(Number) as [number, number, number]
  const before = today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)
  return today.getFullYear() - y - (before ? 1 : 0)
}

export class PersonScreen extends GridScreen {
  static override properties = {
    ...GridScreen.properties, person: { state: true }, count: { state: true }, editing: { state: true }, picking: { state: true }, missing: { state: true },
    others: { state: true }, merging: { state: true },
  }
  static override styles = [...GridScreen.styles, css`
    header { display: grid; gap: 10px; padding: 12px 64px 8px 16px; }
    .top { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; }
    .face { width: 88px; height: 88px; border-radius: 50%; overflow: hidden; background: var(--h-placeholder); flex: none; }
    .face img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .who { flex: 1; min-width: 180px; display: grid; gap: 4px; }
    .who h1 { margin: 0; }
    .actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
    form { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
    form input[name=name] { flex: 1; min-width: 180px; }
    label.born { display: inline-flex; gap: 6px; align-items: center; color: var(--h-text-2); font-size: .9rem; }
    button[aria-pressed=true] svg.i { color: var(--h-danger, #d33); fill: currentColor; }
    .pickbar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 12px; }
    .pickbar .grow { flex: 1; }
    dialog { border: none; border-radius: 14px; padding: 0; width: min(560px, calc(100vw - 24px)); background: var(--h-surface); color: var(--h-text); box-shadow: var(--h-shadow); }
    dialog::backdrop { background: var(--h-scrim); }
    .dlg { padding: 18px; display: grid; gap: 12px; }
    .dlg ul { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); gap: 12px; max-height: 50vh; overflow-y: auto; }
    .dlg li button { all: unset; cursor: pointer; display: grid; gap: 4px; justify-items: center; text-align: center; font-size: .85rem; width: 100%; }
    .dlg li img { width: 72px; height: 72px; border-radius: 50%; object-fit: cover; background: var(--h-placeholder); }
    .dlg li button[aria-pressed=true] img { outline: 4px solid var(--h-accent); outline-offset: 2px; }
    .dlg li button:focus-visible img { outline: 3px solid var(--h-focus); }
    .dlg .row { display: flex; justify-content: flex-end; gap: 8px; }
    @media (max-width: 700px) { header { padding-right: 40px; } .face { width: 64px; height: 64px; } }
  `]

  person: Person | null = null
  count: number | null = null
  editing = false
  picking = false
  missing = false
  /** The other people, offered to merge into this one (with `merging`, those chosen). */
  others: Person[] | undefined
  merging = new Set<string>()

  private get personId (): string { return this.params.personId ?? '' }

  override connectedCallback (): void {
    super.connectedCallback()
    window.addEventListener('keydown', this.onKey)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    window.removeEventListener('keydown', this.onKey)
  }

  private readonly onKey = (e: KeyboardEvent) => { if (e.key === 'Escape' && this.picking) this.picking = false }

  override willUpdate (): void {
    super.willUpdate()
    const id = this.personId
    this.basePath = `/people/${id}`
    this.emptyText = t.people.noPhotos
    this.pickLabel = this.picking ? t.people.pickFeature : undefined
    if (this.filters.personId !== id) {
      this.filters = { visibility: 'timeline', personId: id }
      void this.load(id)
    }
  }

  private async load (id: string): Promise<void> {
    this.person = null
    this.count = null
    this.missing = false
    this.editing = false
    this.picking = false
    try {
      const [person, stats] = await Promise.all([
        api.get<Person>(`/api/people/${id}`),
        api.get<{ assets: number }>(`/api/people/${id}/statistics`).catch(() => null),
      ])
      if (id !== this.personId) return
      this.person = person
      this.count = stats?.assets ?? null
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) this.missing = true
      else notifyError(err)
    }
  }

  private async save (patch: Partial<Pick<Person, 'name' | 'isHidden' | 'isFavorite' | 'birthDate'>> & { featureFaceAssetId?: string }, message: string): Promise<boolean> {
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

  private async birthDate (input: HTMLInputElement): Promise<void> {
    const value = input.value === '' ? null : input.value
    if (value === this.person!.birthDate) return
    if (!await this.save({ birthDate: value }, value === null ? t.people.birthDateCleared : t.people.birthDateSet(shortDate(value)))) input.value = this.person!.birthDate ?? ''
  }

  private async openMerge (): Promise<void> {
    this.merging = new Set()
    this.renderRoot.querySelector<HTMLDialogElement>('dialog#merge')!.showModal()
    try {
      const list = await api.get<{ people: Person[] }>('/api/people?size=1000')
      this.others = list.people.filter((p) => p.id !== this.person?.id)
    } catch (err) { notifyError(err) }
  }

  private async merge (): Promise<void> {
    const ids = [...this.merging]
    const p = this.person!
    try {
      await api.post(`/api/people/${p.id}/merge`, { ids })
      notify(t.people.merged(ids.length, p.name !== '' ? p.name : t.people.unnamed))
      this.renderRoot.querySelector<HTMLDialogElement>('dialog#merge')!.close()
      // Their photos join this timeline; the count follows.
      await this.load(p.id)
      await this.renderRoot.querySelector<Timeline>('hearth-timeline')?.reload()
    } catch (err) { notifyError(err) }
  }

  private mergeDialog () {
    const name = this.person !== null && this.person.name !== '' ? this.person.name : t.people.unnamed
    return html`<dialog id="merge" aria-labelledby="merge-h"><div class="dlg">
      <h2 id="merge-h">${t.people.mergeTitle(name)}</h2>
      <p class="muted">${t.people.mergeWhy(name)}</p>
      ${this.others === undefined ? html`<p class="muted">${t.app.loading}</p>` : this.others.length === 0 ? html`<p class="muted">${t.people.nobodyElse}</p>`
        : html`<ul>${this.others.map((o) => {
            const on = this.merging.has(o.id)
            const label = o.name !== '' ? o.name : t.people.unnamed
            return html`<li><button aria-pressed=${on} aria-label=${t.people.select(label)} @click=${() => { const n = new Set(this.merging); if (on) n.delete(o.id); else n.add(o.id); this.merging = n }}>
              <img src=${media.person(o)} alt="" loading="lazy" width="72" height="72"><span>${label}</span></button></li>`
          })}</ul>`}
      <div class="row"><button @click=${() => this.renderRoot.querySelector<HTMLDialogElement>('dialog#merge')!.close()}>${t.people.cancel}</button>
        <button class="primary" ?disabled=${this.merging.size === 0} @click=${() => void this.merge()}>${t.people.mergeDo(this.merging.size, name)}</button></div>
    </div></dialog>`
  }

  protected override async picked (id: string): Promise<void> {
    if (await this.save({ featureFaceAssetId: id }, t.people.featureSet)) this.picking = false
  }

  protected override header (): unknown {
    const p = this.person
    if (p === null) return html`<header><a href="/people">← ${t.people.back}</a><p class="muted">${t.app.loading}</p></header>`
    const name = p.name !== '' ? p.name : t.people.unnamed
    const today = new Date().toISOString().slice(0, 10)
    return html`<header>
      <a href="/people">← ${t.people.back}</a>
      <div class="top">
        <div class="face"><img src=${media.person(p)} alt=${p.name !== '' ? t.people.faceOf(p.name) : t.people.unnamedAlt} width="88" height="88"></div>
        <div class="who">
          ${this.editing ? html`<form @submit=${this.rename}>
              <input name="name" .value=${p.name} aria-label=${t.people.nameLabel(1)} placeholder=${t.people.unnamed} maxlength="500" autofocus
                @keydown=${(e: KeyboardEvent) => { if (e.key === 'Escape') this.editing = false }}>
              <button class="primary" type="submit">${t.people.save}</button><button type="button" @click=${() => { this.editing = false }}>${t.people.cancel}</button></form>`
            : html`<h1>${name}</h1>`}
          <span class="muted">${this.count !== null ? t.people.count(this.count) : nothing}${p.birthDate !== null ? html` · ${t.people.age(age(p.birthDate))}` : nothing}${p.isHidden ? html` · ${t.people.hidden}` : nothing}</span>
          <label class="born">${t.people.birthDate}<input type="date" .value=${p.birthDate ?? ''} max=${today} @change=${(e: Event) => void this.birthDate(e.target as HTMLInputElement)}></label>
        </div>
        <div class="actions">
          <button aria-pressed=${p.isFavorite === true} aria-label=${t.people.favourite} title=${t.people.favourite}
            @click=${() => this.save({ isFavorite: p.isFavorite !== true }, p.isFavorite === true ? t.people.unfavourited(name) : t.people.favourited(name))}>${icon('heart')}</button>
          ${this.editing ? nothing : html`<button @click=${() => { this.editing = true }}>${t.people.rename}</button>`}
          <button @click=${() => this.save({ isHidden: !p.isHidden }, p.isHidden ? t.people.shownDone(1) : t.people.hiddenDone(1))}>${p.isHidden ? t.people.unhide : t.people.hide}</button>
          ${this.count === 0 ? nothing : html`<button aria-pressed=${this.picking} @click=${() => { this.picking = !this.picking }}>${t.people.chooseFeature}</button>`}
          <button @click=${() => void this.openMerge()}>${t.people.mergeOpen}</button>
        </div>
      </div>
      ${this.picking ? html`<div class="pickbar card" role="status"><span class="grow">${t.people.featureHint(name)}</span>
        <button @click=${() => { this.picking = false }}>${t.people.cancel}</button></div>` : nothing}
      ${this.mergeDialog()}
    </header>`
  }

  override render () {
    if (this.missing) return html`<div class="page"><p>${t.people.notFound}</p><a href="/people">${t.people.back}</a></div>`
    return super.render()
  }
}
customElements.define('hearth-person', PersonScreen)
