/**
 * /map: where the photos were taken, on a world map drawn here from Natural Earth's country
 * outlines (lib/land.ts), so it works on a NAS without internet and tells no map service where the
 * family has been. Photos with a GPS position (GET /api/map/markers) are grouped into round
 * markers showing the newest photo and a count; a marker opens the photos of that place beside
 * the map. Drag, wheel, pinch, double-click, the buttons and the keyboard move and zoom.
 * `/map?lat=43.46&lon=11.88&zoom=12` opens on a place (the info panel's "Show on the map").
 */
import { LitElement, html, css, nothing, svg } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api, media, qs } from '../api.ts'
import { notifyError } from '../notify.ts'
import { CLUSTER_PX, boundsOf, centre, clamp, cluster, fit, project, zoomAt, zoomOf, type Cluster, type View } from '../lib/map.ts'
import { FINE_FROM_ZOOM, land, type Country } from '../lib/land.ts'
import type { Asset, SearchResult } from '../types.ts'
import '../ml/photo-grid.ts'

interface Marker { id: string, lat: number, lon: number, city: string | null, state: string | null, country: string | null }

/** At most this many photos of a marker are listed at once (the newest). */
const PANEL_MAX = 250

export class MapScreen extends LitElement {
  static override properties = {
    params: { attribute: false }, query: { attribute: false },
    view: { state: true }, countries: { state: true }, markers: { state: true }, loading: { state: true },
    favorites: { state: true }, archive: { state: true }, open: { state: true }, assets: { state: true },
  }

  static override styles = [base, css`
    :host { display: flex; height: 100%; min-height: 0; }
    .map { position: relative; flex: 1; min-width: 0; overflow: hidden; background: var(--h-map-sea, #cfe0ea); touch-action: none; cursor: grab; user-select: none; }
    .map:focus-visible { outline: 3px solid var(--h-focus); outline-offset: -3px; }
    .map.dragging { cursor: grabbing; }
    @media (prefers-color-scheme: dark) { .map { background: var(--h-map-sea, #1c2a33); } }
    svg { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
    path { fill: var(--h-map-land, #f4f1ea); stroke: var(--h-map-border, #b9b1a3); stroke-width: .8px; vector-effect: non-scaling-stroke; }
    @media (prefers-color-scheme: dark) { path { fill: var(--h-map-land, #2e2c29); stroke: var(--h-map-border, #56514a); } }
    .marker { position: absolute; width: 52px; height: 52px; margin: -26px 0 0 -26px; padding: 0; border-radius: 50%; border: 3px solid #fff;
      background: var(--h-placeholder); box-shadow: 0 2px 8px rgb(0 0 0 / 35%); overflow: visible; cursor: pointer; }
    .marker img { width: 100%; height: 100%; border-radius: 50%; object-fit: cover; display: block; pointer-events: none; }
    .marker .n { position: absolute; top: -8px; right: -10px; min-width: 24px; padding: 1px 6px; border-radius: 999px; background: var(--h-accent); color: var(--h-accent-text, #fff);
      font-size: .78rem; font-weight: 700; line-height: 20px; text-align: center; box-shadow: 0 1px 3px rgb(0 0 0 / 30%); }
    .marker[aria-pressed='true'] { border-color: var(--h-accent); }
    .marker:focus-visible { outline: 3px solid var(--h-focus); outline-offset: 2px; }
    .controls { position: absolute; right: 12px; top: 12px; display: grid; gap: 6px; }
    .controls button { width: 40px; height: 40px; min-height: 40px; padding: 0; border-radius: 10px; background: var(--h-surface); color: var(--h-text); box-shadow: 0 1px 4px rgb(0 0 0 / 25%); font-size: 1.3rem; }
    .toolbar { position: absolute; left: 12px; top: 12px; right: 64px; display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; pointer-events: none; }
    .toolbar > * { pointer-events: auto; }
    .toolbar label { display: flex; gap: 6px; align-items: center; background: var(--h-surface); border-radius: 999px; padding: 4px 12px; box-shadow: 0 1px 4px rgb(0 0 0 / 20%); font-size: .9rem; }
    .toolbar a { background: var(--h-surface); border-radius: 999px; padding: 4px 12px; box-shadow: 0 1px 4px rgb(0 0 0 / 20%); font-size: .9rem; }
    .note { position: absolute; left: 12px; bottom: 8px; right: 12px; margin: 0; font-size: .78rem; color: var(--h-text-2); text-shadow: 0 0 4px var(--h-bg); pointer-events: none; }
    .empty { position: absolute; left: 50%; top: 40%; transform: translate(-50%, -50%); max-width: 28rem; background: var(--h-surface); padding: 16px 20px; border-radius: 14px; box-shadow: 0 2px 12px rgb(0 0 0 / 20%); }
    aside { width: min(420px, 45vw); border-left: 1px solid var(--h-border); overflow-y: auto; padding: 14px 16px; background: var(--h-bg); }
    aside header { display: flex; align-items: flex-start; gap: 8px; margin-bottom: 10px; }
    aside header div { flex: 1; min-width: 0; }
    aside h2 { margin: 0; font-size: 1.1rem; }
    aside .row { display: flex; gap: 8px; align-items: center; margin-bottom: 10px; flex-wrap: wrap; }
    @media (max-width: 700px) { :host { flex-direction: column; } aside { width: auto; max-height: 50%; border-left: none; border-top: 1px solid var(--h-border); } }
  `]

  params: Record<string, string> = {}
  query = new URLSearchParams()
  view: View = { x: 0, y: 0, scale: 1 }
  countries: Country[] = []
  markers: Marker[] = []
  loading = true
  favorites = false
  archive = false
  /** The marker whose photos are listed beside the map. */
  open: { ids: string[], shown: Set<string>, label: string | null, bounds: Cluster['bounds'] } | undefined
  assets: Asset[] = []

  /** Marker positions in world units, x and y pairs, in the markers' order (newest first). */
  private points = new Float64Array(0)
  private clusters: Cluster[] = []
  private clusteredAt = 0
  /** Each cluster's place name, worked out once (clusters are made again only on a zoom). */
  private places = new WeakMap<Cluster, string | null>()
  private width = 0
  private height = 0
  private detail: 'coarse' | 'fine' = 'coarse'
  private fitted = false
  private resize = new ResizeObserver(() => this.measure())
  private pointers = new Map<number, { x: number, y: number }>()
  private gesture: { x: number, y: number, view: View, d?: number, moved: boolean } | undefined

  override connectedCallback (): void {
    super.connectedCallback()
    void land('coarse').then((c) => { if (this.detail === 'coarse') this.countries = c }, notifyError)
    void this.load()
  }

  override disconnectedCallback (): void { super.disconnectedCallback(); this.resize.disconnect() }

  override firstUpdated (): void { this.resize.observe(this.mapEl) }

  private get mapEl (): HTMLElement { return this.renderRoot.querySelector('.map') as HTMLElement }

  private async load (): Promise<void> {
    this.loading = true
    try {
      // The timeline's photos, so the partners shown in it too (their favourites are not the user's).
      this.markers = await api.get<Marker[]>(`/api/map/markers${qs({ ...(this.favorites ? { isFavorite: 'true' } : { withPartners: 'true' }), ...(this.archive && { isArchived: 'true' }) })}`)
      this.points = new Float64Array(this.markers.length * 2)
      this.markers.forEach((m, i) => { const [x, y] = project(m.lat, m.lon); this.points[2 * i] = x; this.points[2 * i + 1] = y })
      this.clusteredAt = 0
      this.open = undefined
      if (!this.fitted && this.width > 0) this.home()
    } catch (err) { notifyError(err) } finally { this.loading = false }
  }

  private measure (): void {
    const r = this.mapEl.getBoundingClientRect()
    if (r.width === 0 || r.height === 0) return
    const first = this.width === 0
    // The centre stays where it was when the map narrows for the photos beside it (or widens back).
    const dx = (this.width - r.width) / 2 / this.view.scale
    const dy = (this.height - r.height) / 2 / this.view.scale
    this.width = r.width; this.height = r.height
    if (first) { if (!this.loading) this.home() } else this.setView({ ...this.view, x: this.view.x + dx, y: this.view.y + dy })
  }

  /** The first view: the address's place, else every marker, else the world. */
  private home (): void {
    const lat = Number(this.query.get('lat')); const lon = Number(this.query.get('lon'))
    const zoom = Number(this.query.get('zoom') ?? 12)
    if (this.query.has('lat') && this.query.has('lon') && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      const [x, y] = project(lat, lon)
      this.setView(centre(x, y, Number.isFinite(zoom) ? zoom : 12, this.width, this.height))
    } else this.fitAll()
    this.fitted = true
  }

  private fitAll (): void {
    const b = boundsOf(this.points)
    this.setView(b === undefined ? clamp({ x: 0, y: 0, scale: 0 }, this.width, this.height) : fit(b, this.width, this.height, { pad: 72 }))
  }

  private setView (v: View): void {
    this.view = clamp(v, this.width, this.height)
    if (zoomOf(this.view) >= FINE_FROM_ZOOM && this.detail === 'coarse') {
      this.detail = 'fine'
      void land('fine').then((c) => { this.countries = c }, (err: unknown) => { this.detail = 'coarse'; notifyError(err) })
    }
  }

  /** Clusters for the current zoom (recomputed only when the zoom changes, not on a pan). */
  private visibleClusters (): Cluster[] {
    if (this.clusteredAt !== this.view.scale) {
      this.clusters = cluster(this.points, CLUSTER_PX / this.view.scale)
      this.clusteredAt = this.view.scale
    }
    const { x, y, scale } = this.view
    const margin = CLUSTER_PX / scale
    return this.clusters.filter((c) => c.x >= x - margin && c.x <= x + this.width / scale + margin && c.y >= y - margin && c.y <= y + this.height / scale + margin)
  }

  /** The place most of a cluster's photos were taken in ("Arezzo, Italy"), from up to 500 of them. */
  private placeOf (c: Cluster): string | null {
    if (this.places.has(c)) return this.places.get(c)!
    const counts = new Map<string, number>()
    for (const i of c.members.slice(0, 500)) {
      const m = this.markers[i]!
      const name = [m.city, m.country].filter((s) => s !== null && s !== '').join(', ')
      if (name !== '') counts.set(name, (counts.get(name) ?? 0) + 1)
    }
    let best: string | null = null
    let n = 0
    for (const [name, k] of counts) if (k > n) { best = name; n = k }
    this.places.set(c, best)
    return best
  }

  private async openCluster (c: Cluster): Promise<void> {
    const ids = c.members.map((i) => this.markers[i]!.id)
    this.open = { ids, shown: new Set(ids), label: this.placeOf(c), bounds: c.bounds }
    this.assets = []
    try {
      const res = await api.post<SearchResult>('/api/search/metadata', { ids: ids.slice(0, PANEL_MAX), size: PANEL_MAX, order: 'desc', withExif: false })
      if (this.open?.ids === ids) this.assets = res.assets.items
    } catch (err) { notifyError(err) }
  }

  private zoomBy (factor: number, px = this.width / 2, py = this.height / 2): void {
    this.setView(zoomAt(this.view, factor, px, py, this.width, this.height))
  }

  private pan (dx: number, dy: number): void {
    this.setView({ ...this.view, x: this.view.x - dx / this.view.scale, y: this.view.y - dy / this.view.scale })
  }

  // ---- gestures ----------------------------------------------------------------------------------

  private local (e: PointerEvent | WheelEvent | MouseEvent): { x: number, y: number } {
    const r = this.mapEl.getBoundingClientRect()
    return { x: e.clientX - r.left, y: e.clientY - r.top }
  }

  private readonly onPointerDown = (e: PointerEvent) => {
    if ((e.target as Element).closest('button, a, label, input') !== null) return
    this.mapEl.setPointerCapture(e.pointerId)
    this.pointers.set(e.pointerId, this.local(e))
    this.startGesture()
  }

  private startGesture (): void {
    const ps = [...this.pointers.values()]
    if (ps.length === 0) { this.gesture = undefined; return }
    const x = ps.reduce((s, p) => s + p.x, 0) / ps.length
    const y = ps.reduce((s, p) => s + p.y, 0) / ps.length
    const d = ps.length >= 2 ? Math.hypot(ps[0]!.x - ps[1]!.x, ps[0]!.y - ps[1]!.y) : undefined
    this.gesture = { x, y, view: this.view, d, moved: this.gesture?.moved ?? false }
  }

  private readonly onPointerMove = (e: PointerEvent) => {
    if (!this.pointers.has(e.pointerId) || this.gesture === undefined) return
    this.pointers.set(e.pointerId, this.local(e))
    const ps = [...this.pointers.values()]
    const x = ps.reduce((s, p) => s + p.x, 0) / ps.length
    const y = ps.reduce((s, p) => s + p.y, 0) / ps.length
    const g = this.gesture
    if (Math.hypot(x - g.x, y - g.y) > 3) g.moved = true
    this.mapEl.classList.toggle('dragging', g.moved)
    let v: View = { ...g.view, x: g.view.x - (x - g.x) / g.view.scale, y: g.view.y - (y - g.y) / g.view.scale }
    if (g.d !== undefined && ps.length >= 2) {
      const d = Math.hypot(ps[0]!.x - ps[1]!.x, ps[0]!.y - ps[1]!.y)
      v = zoomAt(v, d / g.d, x, y, this.width, this.height)
    }
    this.setView(v)
  }

  private readonly onPointerUp = (e: PointerEvent) => {
    if (!this.pointers.delete(e.pointerId)) return
    this.mapEl.classList.remove('dragging')
    this.startGesture()
  }

  private readonly onWheel = (e: WheelEvent) => {
    e.preventDefault()
    const p = this.local(e)
    // A mouse wheel's notch is about 100 px; trackpads send many small steps.
    const delta = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY
    this.zoomBy(Math.exp(-delta * 0.004), p.x, p.y)
  }

  private readonly onDblClick = (e: MouseEvent) => {
    if ((e.target as Element).closest('button') !== null) return
    const p = this.local(e)
    this.zoomBy(2, p.x, p.y)
  }

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.target !== this.mapEl || e.altKey || e.ctrlKey || e.metaKey) return
    const step = 100
    switch (e.key) {
      case 'ArrowLeft': this.pan(step, 0); break
      case 'ArrowRight': this.pan(-step, 0); break
      case 'ArrowUp': this.pan(0, step); break
      case 'ArrowDown': this.pan(0, -step); break
      case '+': case '=': this.zoomBy(2); break
      case '-': case '_': this.zoomBy(0.5); break
      case '0': this.fitAll(); break
      default: return
    }
    e.preventDefault()
  }

  private toggle (which: 'favorites' | 'archive', on: boolean): void {
    this[which] = on
    void this.load()
  }

  // ---- rendering ---------------------------------------------------------------------------------

  override render () {
    const { x, y, scale } = this.view
    const clusters = this.width > 0 && !this.loading ? this.visibleClusters() : []
    const open = this.open?.shown
    return html`
      <div class="map" tabindex="0" role="region" aria-label=${t.map.label} aria-describedby="map-help"
        @pointerdown=${this.onPointerDown} @pointermove=${this.onPointerMove} @pointerup=${this.onPointerUp} @pointercancel=${this.onPointerUp}
        @wheel=${this.onWheel} @dblclick=${this.onDblClick} @keydown=${this.onKey}>
        <svg aria-hidden="true"><g transform="scale(${scale}) translate(${-x} ${-y})">${this.countries.map((c) => svg`<path d=${c.d} data-name=${c.name}></path>`)}</g></svg>
        ${clusters.map((c) => {
          const n = c.members.length
          const newest = this.markers[c.members[0]!]!
          const label = t.map.marker(n, this.placeOf(c))
          return html`<button class="marker" style="left:${(c.x - x) * scale}px;top:${(c.y - y) * scale}px" aria-label=${label} title=${label}
            aria-pressed=${open?.has(newest.id) === true ? 'true' : 'false'} @click=${() => void this.openCluster(c)}>
            <img src=${media.thumbnail(newest.id)} alt="" loading="lazy" draggable="false">${n > 1 ? html`<span class="n">${n.toLocaleString()}</span>` : nothing}</button>`
        })}
        <div class="toolbar">
          <label><input type="checkbox" .checked=${this.favorites} @change=${(e: Event) => this.toggle('favorites', (e.target as HTMLInputElement).checked)}>${t.map.favorites}</label>
          <label><input type="checkbox" .checked=${this.archive} @change=${(e: Event) => this.toggle('archive', (e.target as HTMLInputElement).checked)}>${t.map.archive}</label>
          <a href="/places">${t.map.listView}</a>
        </div>
        <div class="controls">
          <button @click=${() => this.zoomBy(2)} aria-label=${t.map.zoomIn} title=${t.map.zoomIn}>+</button>
          <button @click=${() => this.zoomBy(0.5)} aria-label=${t.map.zoomOut} title=${t.map.zoomOut}>−</button>
          <button @click=${() => this.fitAll()} aria-label=${t.map.fitAll} title=${t.map.fitAll}>⤢</button>
        </div>
        ${!this.loading && this.markers.length === 0 ? html`<p class="empty">${t.map.empty}</p>` : nothing}
        <p class="note" id="map-help">${t.map.help} ${t.map.offline}</p>
      </div>
      ${this.open !== undefined ? this.panel(this.open) : nothing}`
  }

  private panel (open: NonNullable<MapScreen['open']>) {
    const n = open.ids.length
    return html`<aside aria-label=${t.map.marker(n, open.label)}>
      <header><div><h2>${open.label ?? t.map.here}</h2><span class="muted">${t.map.photos(n)}</span></div>
        <button class="icon" @click=${() => { this.open = undefined }} aria-label=${t.map.close} title=${t.map.close}>✕</button></header>
      <div class="row">${n > 1 ? html`<button @click=${() => this.setView(fit(open.bounds, this.width, this.height, { maxZoom: 16 }))}>${t.map.zoomHere}</button>` : nothing}
        ${n > PANEL_MAX ? html`<span class="muted">${t.map.newest(PANEL_MAX, n)}</span>` : nothing}</div>
      ${this.assets.length === 0 ? html`<p class="muted">${t.app.loading}</p>` : html`<hearth-photo-grid .assets=${this.assets}></hearth-photo-grid>`}
    </aside>`
  }
}
customElements.define('hearth-map', MapScreen)
