/**
 * People: everyone Hearth found faces of, as a grid of face pictures with their names. Rename
 * inline (type and press Enter), select several to merge them into one or to hide them, and show
 * hidden people with a toggle. A face opens that person's photos (`/people/:id`).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, media, qs } from '../api.ts'
import { notify, notifyError } from '../notify.ts'
import { icon } from '../icons.ts'
import type { PeopleList, Person } from '../ml/types.ts'

/** Lower case without accents ("Zoë" is found by "zoe"), as the server's person search folds. */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

export class PeopleScreen extends LitElement {
  static override properties = {
    params: { attribute: false }, query: { attribute: false }, list: { state: true }, showHidden: { state: true }, selected: { state: true }, keep: { state: true }, loading: { state: true }, find: { state: true },
  }
  static override styles = [base, css`
    :host { display: block; height: 100%; overflow-y: auto; }
    header { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 18px; }
    header h1 { flex: 1; }
    header input.find { width: min(240px, 100%); }
    label.check { display: flex; gap: 8px; align-items: center; font-size: .95rem; }
    label.check input { min-height: auto; width: 18px; height: 18px; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 18px 14px; list-style: none; margin: 0; padding: 0; }
    @media (max-width: 700px) { .grid { grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); gap: 14px 10px; } }
    .person { display: grid; gap: 6px; justify-items: center; position: relative; }
    .person a.face { display: block; width: 100%; aspect-ratio: 1; border-radius: 50%; overflow: hidden; background: var(--h-placeholder); }
    .person a.face img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .person a.face:hover img { filter: brightness(.94); }
    .person.hidden a.face { opacity: .45; }
    .person[aria-selected='true'] a.face { outline: 4px solid var(--h-accent); outline-offset: 2px; }
    .person input.name { width: 100%; text-align: center; border-color: transparent; background: transparent; min-height: 34px; padding: 4px 6px; font-weight: 600; }
    .person input.name:hover { border-color: var(--h-border); }
    .person input.name::placeholder { font-weight: 400; color: var(--h-text-2); }
    .person .pick { position: absolute; top: 2px; left: 2px; width: 30px; height: 30px; min-height: 30px; padding: 0; border-radius: 50%; background: rgb(0 0 0 / 40%); color: #fff; border: 2px solid #fff; }
    .person[aria-selected='true'] .pick { background: var(--h-accent); }
    .badge { font-size: .75rem; color: var(--h-text-2); }
    .person .fav { position: absolute; top: 6px; right: 6px; color: #fff; filter: drop-shadow(0 0 2px rgb(0 0 0 / 70%)); pointer-events: none; }
    .person .fav svg.i { width: 20px; height: 20px; fill: currentColor; }
    .selbar { position: sticky; top: 0; z-index: 2; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 8px 12px; margin-bottom: 14px; }
    .selbar .grow { flex: 1; min-width: 120px; }
    .selbar label { display: flex; flex-direction: row; align-items: center; gap: 6px; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  list: PeopleList | null = null
  showHidden = false
  selected: string[] = []
  keep = ''
  loading = true
  /** A name being looked for: the people whose name, or a word of it, starts so (accents aside). */
  find = ''

  override connectedCallback (): void { super.connectedCallback(); void this.load() }

  private async load (): Promise<void> {
    try {
      this.list = await api.get<PeopleList>(`/api/people${qs({ withHidden: this.showHidden ? true : undefined, size: 1000 })}`)
    } catch (err) { notifyError(err) } finally { this.loading = false }
  }

  private get people (): Person[] { return this.list?.people ?? [] }
  private get shown (): Person[] {
    const q = fold(this.find.trim())
    if (q === '') return this.people
    return this.people.filter((p) => { const n = fold(p.name); return n.startsWith(q) || n.split(/\s+/).some((w) => w.startsWith(q)) })
  }
  private byId (id: string): Person | undefined { return this.people.find((p) => p.id === id) }

  private async rename (p: Person, input: HTMLInputElement): Promise<void> {
    const name = input.value.trim()
    if (name === p.name) return
    try {
      const updated = await api.put<Person>(`/api/people/${p.id}`, { name })
      this.list = { ...this.list!, people: this.people.map((x) => x.id === p.id ? { ...x, ...updated } : x) }
      notify(name === '' ? t.people.nameCleared : t.people.renamed(name))
    } catch (err) { input.value = p.name; notifyError(err) }
  }

  private toggle (id: string): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id]
    if (!this.selected.includes(this.keep)) this.keep = this.preferredKeep()
  }

  /** The person to keep by default: the first named one selected, else the first selected. */
  private preferredKeep (): string {
    return this.selected.find((id) => (this.byId(id)?.name ?? '') !== '') ?? this.selected[0] ?? ''
  }

  private async merge (): Promise<void> {
    const keep = this.keep !== '' ? this.keep : this.preferredKeep()
    const others = this.selected.filter((id) => id !== keep)
    if (others.length === 0) return
    try {
      await api.post(`/api/people/${keep}/merge`, { ids: others })
      notify(t.people.merged(others.length, this.byId(keep)?.name || t.people.unnamed))
      this.selected = []
      this.keep = ''
      await this.load()
    } catch (err) { notifyError(err) }
  }

  private async setHidden (isHidden: boolean): Promise<void> {
    const ids = this.selected
    try {
      await api.put('/api/people', { people: ids.map((id) => ({ id, isHidden })) })
      notify(isHidden ? t.people.hiddenDone(ids.length) : t.people.shownDone(ids.length))
      this.selected = []
      await this.load()
    } catch (err) { notifyError(err) }
  }

  private card (p: Person, n: number) {
    const on = this.selected.includes(p.id)
    const label = p.name !== '' ? p.name : t.people.unnamed
    return html`<li class="person ${p.isHidden ? 'hidden' : ''}" aria-selected=${on ? 'true' : 'false'} data-person=${p.id}>
      <a class="face" href="/people/${p.id}" aria-label=${p.name !== '' ? p.name : t.people.unnamedAlt}>
        <img src=${media.person(p)} alt=${p.name !== '' ? t.people.faceOf(p.name) : t.people.unnamedAlt} loading="lazy" width="160" height="160"></a>
      ${p.isFavorite === true ? html`<span class="fav" title=${t.people.favourite}>${icon('heart')}</span>` : nothing}
      <button class="pick" aria-pressed=${on ? 'true' : 'false'} aria-label=${t.people.select(label)} title=${t.people.select(label)} @click=${() => this.toggle(p.id)}>${on ? icon('check') : nothing}</button>
      <input class="name" .value=${p.name} placeholder=${t.people.unnamed} aria-label=${p.name !== '' ? t.people.nameLabel(n) + `: ${p.name}` : t.people.nameLabel(n)} maxlength="500"
        @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); if (e.key === 'Escape') { (e.target as HTMLInputElement).value = p.name; (e.target as HTMLInputElement).blur() } }}
        @change=${(e: Event) => this.rename(p, e.target as HTMLInputElement)}>
      ${p.isHidden ? html`<span class="badge">${t.people.hidden}</span>` : nothing}
    </li>`
  }

  private selectionBar () {
    const sel = this.selected.map((id) => this.byId(id)).filter((p): p is Person => p !== undefined)
    const anyHidden = sel.some((p) => p.isHidden)
    const anyShown = sel.some((p) => !p.isHidden)
    return html`<div class="selbar card" role="toolbar" aria-label=${t.people.selected(sel.length)}>
      <span class="grow" aria-live="polite">${t.people.selected(sel.length)}</span>
      ${sel.length >= 2 ? html`<label title=${t.people.mergeHint}>${t.people.mergeInto}
          <select @change=${(e: Event) => { this.keep = (e.target as HTMLSelectElement).value }}>
            ${sel.map((p) => html`<option value=${p.id} ?selected=${p.id === (this.keep || this.preferredKeep())}>${p.name || t.people.unnamed}</option>`)}</select></label>
        <button class="primary" @click=${this.merge}>${t.people.merge}</button>` : nothing}
      ${anyShown ? html`<button @click=${() => this.setHidden(true)}>${t.people.hide}</button>` : nothing}
      ${anyHidden ? html`<button @click=${() => this.setHidden(false)}>${t.people.unhide}</button>` : nothing}
      <button @click=${() => { this.selected = []; this.keep = '' }}>${t.people.clear}</button>
    </div>`
  }

  override render () {
    const people = this.shown
    return html`<div class="page">
      <header><h1>${t.people.title}</h1>
        ${this.list !== null ? html`<span class="muted">${t.people.total(this.list.total, this.list.hidden)}</span>` : nothing}
        ${this.people.length > 0 ? html`<input type="search" class="find" .value=${this.find} placeholder=${t.people.find} aria-label=${t.people.find} @input=${(e: Event) => { this.find = (e.target as HTMLInputElement).value }}>` : nothing}
        <label class="check"><input type="checkbox" .checked=${this.showHidden} @change=${(e: Event) => { this.showHidden = (e.target as HTMLInputElement).checked; void this.load() }}>${t.people.showHidden}</label>
      </header>
      ${this.selected.length > 0 ? this.selectionBar() : nothing}
      ${this.loading ? html`<p class="muted">${t.app.loading}</p>`
        : people.length === 0 ? html`<p class="muted">${this.find.trim() !== '' ? t.people.noneFound(this.find.trim()) : t.people.empty}</p>`
        : html`<ul class="grid">${people.map((p, i) => this.card(p, i + 1))}</ul>`}
    </div>`
  }
}
customElements.define('hearth-people', PeopleScreen)
