/**
 * /search: one box (from the top bar) and filters. A date typed in the box searches that day, month
 * or year; other text goes to smart search (dates, places, people's names and cameras read in it,
 * the other words looked for in the photos' text, file names, keywords, descriptions and albums, and
 * by meaning when the server has CLIP), and to the file name, text, place and camera searches as
 * typed. Each result says why it matched. /search/photos/:id opens one. Before a search it shows
 * what there is to explore (Immich's explore page): the named people and the cities with the most
 * photos.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, media } from '../api.ts'
import { navigate } from '../router.ts'
import { notifyError } from '../notify.ts'
import { icon } from '../icons.ts'
import { session } from '../session.ts'
import { layoutMonth } from '../lib/layout.ts'
import { placeholder } from '../lib/thumbhash.ts'
import { parseDateQuery } from '../lib/query.ts'
import { shortDate } from '../lib/format.ts'
import { arrayList, setViewerList } from '../lib/viewer-nav.ts'
import type { Asset, MatchReason, SearchResult, SmartSearchResult, Tag } from '../types.ts'
import type { PeopleList, Person } from '../ml/types.ts'

interface Hit { asset: Asset, why: string }

/** A smart search reason in the UI's words. */
function describeReason (r: MatchReason): string {
  switch (r.kind) {
    case 'date': return t.search.matchedDate(r.value)
    case 'place': return t.search.matchedCity(r.value)
    case 'person': return t.search.matchedPerson(r.value)
    case 'camera': return t.search.matchedCamera(r.value)
    case 'looks': return t.search.matchedMeaning(r.text)
    case 'similar': return t.search.matchedSimilar
    case 'words': {
      // The most telling field: what the photo reads, then its name, then where it is filed.
      const f = r.fields
      return f.includes('text') ? t.search.matchedText(r.term) : f.includes('file name') ? t.search.matchedName(r.term)
        : f.includes('tag') ? t.search.matchedTag(r.term) : f.includes('keyword') ? t.search.matchedKeyword(r.term) : f.includes('description') ? t.search.matchedDescription(r.term)
          : f.includes('album') ? t.search.matchedAlbum(r.term) : t.search.matchedFolder(r.term)
    }
  }
}
type Filters = Record<string, unknown>

export class SearchScreen extends LitElement {
  static override properties = { params: { attribute: false }, query: { attribute: false }, hits: { state: true }, busy: { state: true }, width: { state: true }, viewerReady: { state: true }, people: { state: true }, tags: { state: true }, cities: { state: true } }
  static override styles = [base, css`
    :host { display: block; height: 100%; overflow-y: auto; position: relative; }
    form.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin: 12px 0 18px; }
    form.filters label { min-width: 140px; }
    .results { position: relative; }
    .tile { position: absolute; overflow: hidden; background: var(--h-placeholder) center / cover no-repeat; border-radius: 2px; }
    .tile img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .partner { position: absolute; top: 6px; left: 6px; width: 20px; height: 20px; color: #fff; filter: drop-shadow(0 0 2px rgb(0 0 0 / 70%)); }
    .explore { display: grid; gap: 8px; margin: 18px 0; }
    .explore header { display: flex; align-items: baseline; gap: 12px; }
    .explore h2 { margin: 0; font-size: 1.1rem; flex: 1; }
    .explore ul { list-style: none; margin: 0; padding: 0 0 6px; display: flex; gap: 12px; overflow-x: auto; }
    .explore li a { display: grid; gap: 6px; justify-items: center; color: var(--h-text); text-decoration: none; font-size: .9rem; }
    .explore .face { width: 96px; height: 96px; border-radius: 50%; overflow: hidden; background: var(--h-placeholder); }
    .explore .city { width: 150px; height: 150px; border-radius: 12px; overflow: hidden; background: var(--h-placeholder); }
    .explore img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .explore li span { max-width: 150px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .why { position: absolute; left: 0; right: 0; bottom: 0; padding: 14px 6px 4px; font-size: .75rem; color: #fff; background: linear-gradient(transparent, rgb(0 0 0 / 65%)); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  hits: Hit[] | undefined
  busy = false
  width = 0
  viewerReady = false
  /** Named people, for the person filter (none until faces have been found and named). */
  people: Person[] = []
  /** The user's tags, for the tag filter. */
  tags: Tag[] = []
  /** The cities with the most photos (GET /api/search/explore), shown before a search. */
  cities: Array<{ value: string, data: Asset }> = []
  private ran = ''
  /** Resolves when the people and tags (for the filters and their names in the results) are in. */
  private loaded: Promise<unknown> = Promise.resolve()
  private readonly resize = new ResizeObserver((entries) => { this.width = entries[0].contentRect.width })

  override connectedCallback (): void {
    super.connectedCallback()
    setViewerList(arrayList(() => (this.hits ?? []).map((h) => h.asset.id)))
    this.loaded = Promise.all([
      api.get<PeopleList>('/api/people?size=1000').then((r) => { this.people = r.people.filter((p) => p.name !== '') }, () => { this.people = [] }),
      api.get<Tag[]>('/api/tags').then((r) => { this.tags = r }, () => { this.tags = [] }),
    ])
    void api.get<Array<{ fieldName: string, items: Array<{ value: string, data: Asset }> }>>('/api/search/explore')
      .then((r) => { this.cities = r.find((f) => f.fieldName === 'exifInfo.city')?.items ?? [] }, () => { this.cities = [] })
  }

  override disconnectedCallback (): void { super.disconnectedCallback(); this.resize.disconnect() }

  override firstUpdated (): void { this.resize.observe(this.renderRoot.querySelector('.page')!) }

  override willUpdate (): void {
    const key = this.query.toString()
    if (key !== this.ran) { this.ran = key; void this.run() }
    if (this.params.id !== undefined && !this.viewerReady) void import('../components/viewer.ts').then(() => { this.viewerReady = true })
  }

  private async search (filters: Filters, why: string): Promise<Hit[]> {
    const r = await api.post<SearchResult>('/api/search/metadata', { size: 250, withExif: true, ...filters })
    return r.assets.items.map((asset) => ({ asset, why }))
  }

  private async run (): Promise<void> {
    const q = (this.query.get('q') ?? '').trim()
    const f = Object.fromEntries([...this.query.entries()].filter(([k, v]) => k !== 'q' && v !== ''))
    if (q === '' && Object.keys(f).length === 0) { this.hits = undefined; return }
    this.busy = true
    try {
      // A person or tag in the address is named in the results: wait for the lists (one request each).
      if (f.person !== undefined || f.tag !== undefined) await this.loaded
      const common: Filters = {}
      if (f.from !== undefined) common.takenAfter = new Date(f.from + 'T00:00:00Z').toISOString()
      if (f.to !== undefined) common.takenBefore = new Date(Date.parse(f.to + 'T00:00:00Z') + 86_400_000).toISOString()
      if (f.type !== undefined) common.type = f.type
      if (f.make !== undefined) common.make = f.make
      if (f.city !== undefined) common.city = f.city
      const rating = f.rating === undefined ? undefined : Number(f.rating)
      if (rating !== undefined && Number.isInteger(rating) && rating >= 1 && rating <= 5) common.rating = rating
      if (f.person !== undefined) common.personIds = [f.person]
      // A tag finds the photos with it or with a tag below it.
      if (f.tag !== undefined) common.tagIds = [f.tag]
      const tagName = f.tag === undefined ? undefined : this.tags.find((x) => x.id === f.tag)?.value ?? t.search.tag
      const personName = f.person === undefined ? undefined : this.people.find((p) => p.id === f.person)?.name ?? t.search.person
      const filterReasons = [f.from !== undefined || f.to !== undefined ? t.search.matchedDate(`${f.from ?? '…'} – ${f.to ?? '…'}`) : '', f.make !== undefined ? t.search.matchedCamera(f.make) : '', f.city !== undefined ? t.search.matchedCity(f.city) : '', common.rating !== undefined ? t.search.matchedRating(common.rating as number) : '', personName !== undefined ? t.search.matchedPerson(personName) : '', tagName !== undefined ? t.search.matchedTag(tagName) : ''].filter((x) => x !== '')
      const whyFilters = filterReasons.join(', ')
      const date = q === '' ? undefined : parseDateQuery(q)
      let batches: Hit[][]
      if (q === '') batches = [await this.search(common, whyFilters)]
      else if (date !== undefined) {
        const [first, last] = [date.after.slice(0, 10), new Date(Date.parse(date.before) - 1).toISOString().slice(0, 10)]
        // A year as typed; one day as that day (not "Oct 22 – Oct 22"); a month as its first and last day.
        const range = date.label.length === 4 ? date.label : first === last ? shortDate(first) : `${shortDate(first)} – ${shortDate(last)}`
        batches = [await this.search({ ...common, takenAfter: date.after, takenBefore: date.before }, t.search.matchedDate(range))]
      } else {
        batches = await Promise.all([
          // The server reads dates, places, people's names and cameras in the text ("Marie Lisbon
          // 2019") and looks for the other words in each photo's text fields; with CLIP it also ranks
          // by meaning. It needs no model, so it runs whatever the server's features say.
          api.post<SmartSearchResult>('/api/search/smart', { query: q, size: 250, ...common })
            .then((r) => r.assets.items.map(({ hearth, ...asset }) => ({ asset, why: [...new Set([...(hearth?.reasons ?? []).map(describeReason), ...filterReasons])].join(', ') })), () => []),
          // The whole text inside a file name or a place's name, as typed (the server splits it into words).
          this.search({ ...common, originalFileName: q }, t.search.matchedName(q)),
          // Words read in the photo (OCR); none match until the text stage has run.
          this.search({ ...common, ocr: q }, t.search.matchedText(q)).catch(() => []),
          this.search({ ...common, city: q }, t.search.matchedCity(q)).catch(() => []),
          this.search({ ...common, make: q }, t.search.matchedCamera(q)).catch(() => []),
          this.search({ ...common, model: q }, t.search.matchedCamera(q)).catch(() => []),
        ])
      }
      const seen = new Set<string>()
      this.hits = batches.flat().filter((h) => !seen.has(h.asset.id) && seen.add(h.asset.id) !== undefined)
    } catch (err) {
      notifyError(err)
      this.hits = []
    } finally {
      this.busy = false
    }
  }

  private submit (e: SubmitEvent): void {
    e.preventDefault()
    const data = new FormData(e.target as HTMLFormElement)
    const p = new URLSearchParams()
    for (const [k, v] of data.entries()) if (typeof v === 'string' && v.trim() !== '') p.set(k, v.trim())
    navigate(`/search?${p.toString()}`)
  }

  private open (e: MouseEvent, id: string): void {
    if (e.metaKey || e.ctrlKey || e.shiftKey) return
    e.preventDefault()
    navigate(`/search/photos/${id}?${this.query.toString()}`)
  }

  private renderResults () {
    const hits = this.hits ?? []
    if (hits.length === 0 || this.width === 0) return nothing
    const ratios = hits.map((h) => (h.asset.width ?? 0) > 0 && (h.asset.height ?? 0) > 0 ? h.asset.width! / h.asset.height! : 1)
    const L = layoutMonth(ratios, ratios.map(() => ''), { width: this.width, rowHeight: this.width < 600 ? 120 : 200, gap: 4, monthHeader: 0, dayHeader: 0 })
    return html`<div class="results" style="height:${L.height}px">${hits.map((h, i) => {
      const tile = L.tiles[i]
      const ph = placeholder(h.asset.id, h.asset.thumbhash)
      const alt = t.viewer.alt(h.asset.originalFileName, new Date(h.asset.localDateTime).toLocaleDateString(undefined, { timeZone: 'UTC', dateStyle: 'long' }))
      return html`<a class="tile" href="/search/photos/${h.asset.id}" @click=${(e: MouseEvent) => this.open(e, h.asset.id)} style="left:${tile.x}px;top:${tile.y}px;width:${tile.w}px;height:${tile.h}px;${ph === undefined ? '' : `background-image:url(${ph})`}">
        ${h.asset.thumbhash === null ? nothing : html`<img src=${media.thumbnail(h.asset.id)} alt=${alt} loading="lazy" decoding="async">`}<span class="why">${h.why}</span>
        ${h.asset.ownerId !== undefined && h.asset.ownerId !== session.user?.id ? html`<span class="partner" title=${t.timeline.partnerPhoto}>${icon('people')}</span>` : nothing}</a>`
    })}</div>`
  }

  /** Before a search: the named people and the top cities, each opening its own page. */
  private explore () {
    const people = this.people.slice(0, 20)
    return html`${people.length === 0 ? nothing : html`<section class="explore" aria-labelledby="explore-people"><header><h2 id="explore-people">${t.nav.people}</h2><a href="/people">${t.search.viewAll}</a></header>
        <ul>${people.map((p) => html`<li><a href="/people/${p.id}"><span class="face"><img src=${media.person(p)} alt="" loading="lazy" width="96" height="96"></span><span>${p.name}</span></a></li>`)}</ul></section>`}
      ${this.cities.length === 0 ? nothing : html`<section class="explore" aria-labelledby="explore-places"><header><h2 id="explore-places">${t.nav.places}</h2><a href="/map">${t.nav.map}</a><a href="/places">${t.search.viewAll}</a></header>
        <ul>${this.cities.map((c) => html`<li><a href="/places/${encodeURIComponent(c.data.exifInfo?.country ?? '')}/${encodeURIComponent(c.value)}"><span class="city"><img src=${media.thumbnail(c.data.id)} alt="" loading="lazy" width="150" height="150"></span><span>${c.value}</span></a></li>`)}</ul></section>`}`
  }

  override render () {
    const q = this.query
    return html`<div class="page">
      <h1>${t.search.title}</h1>
      <form class="filters" @submit=${this.submit} aria-label=${t.search.title}>
        <label>${t.nav.searchLabel}<input name="q" type="search" .value=${q.get('q') ?? ''} placeholder=${t.nav.searchPlaceholder}></label>
        <label>${t.search.from}<input name="from" type="date" .value=${q.get('from') ?? ''}></label>
        <label>${t.search.to}<input name="to" type="date" .value=${q.get('to') ?? ''}></label>
        <label>${t.search.type}<select name="type" .value=${q.get('type') ?? ''}><option value="">${t.search.anyType}</option><option value="IMAGE">${t.search.photos}</option><option value="VIDEO">${t.search.videos}</option></select></label>
        <label>${t.search.camera}<input name="make" .value=${q.get('make') ?? ''}></label>
        <label>${t.search.city}<input name="city" .value=${q.get('city') ?? ''}></label>
        <label>${t.search.rating}<select name="rating"><option value="">${t.search.anyRating}</option>${[5, 4, 3, 2, 1].map((n) => html`<option value=${n} ?selected=${q.get('rating') === String(n)}>${t.search.ratingOption(n)}</option>`)}</select></label>
        ${this.people.length === 0 ? nothing : html`<label>${t.search.person}<select name="person" .value=${q.get('person') ?? ''}><option value="">${t.search.anyone}</option>${this.people.map((p) => html`<option value=${p.id} ?selected=${q.get('person') === p.id}>${p.name}</option>`)}</select></label>`}
        ${this.tags.length === 0 ? nothing : html`<label>${t.search.tag}<select name="tag"><option value="">${t.search.anyTag}</option>${this.tags.map((x) => html`<option value=${x.id} ?selected=${q.get('tag') === x.id}>${x.value}</option>`)}</select></label>`}
        <button class="primary" type="submit">${t.search.run}</button>
      </form>
      ${this.hits === undefined ? html`<p class="muted">${t.search.hint}</p>${this.explore()}`
        : this.busy ? html`<p class="muted" aria-busy="true">${t.app.loading}</p>`
        : html`<p role="status">${this.hits.length === 0 ? t.search.none : t.search.results(this.hits.length)}</p>`}
      ${this.renderResults()}
    </div>
    ${this.params.id !== undefined && this.viewerReady ? html`<hearth-viewer .assetId=${this.params.id} basePath="/search/photos" @close=${() => navigate(`/search?${this.query.toString()}`)}></hearth-viewer>` : nothing}`
  }
}
customElements.define('hearth-search', SearchScreen)
