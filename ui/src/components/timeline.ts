/**
 * <hearth-timeline>: every photo and video by month and day in a justified grid, windowed for
 * libraries of 100,000+. Only the month list (GET /api/timeline/buckets) is fetched up front; each
 * month's assets (GET /api/timeline/bucket) are fetched when it comes near the viewport. A month not
 * yet loaded holds a placeholder as tall as its count suggests; when it loads, anything above the
 * viewport that changed height is compensated in scrollTop, so nothing on screen jumps. Only rows
 * near the viewport are in the DOM. Tiles have their final size from the aspect ratios and show the
 * thumbhash until the thumbnail arrives.
 *
 * Selection: the round check on a tile, shift for a range, a day's check for the whole day; while
 * something is selected a click selects too. Used by /photos, /favorites and /trash (`mode`).
 *
 * Picking (`pickLabel` set; a person's face picture): a click on a photo emits `pick` with its id
 * instead of opening it, and nothing is selected.
 *
 * A picker (`picker`; photos to add to an album): a click selects, nothing opens, partners' photos
 * may be chosen too, and instead of the selection bar every change is told (`selection-change`
 * with the ids).
 */
import { LitElement, html, css, nothing } from 'lit'
import { repeat } from 'lit/directives/repeat.js'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { icon } from '../icons.ts'
import { session } from '../session.ts'
import { api, media, qs } from '../api.ts'
import { navigate } from '../router.ts'
import { notify, notifyError } from '../notify.ts'
import { layoutMonth, estimateMonthHeight, localDay, type LayoutOptions, type MonthLayout } from '../lib/layout.ts'
import { placeholder } from '../lib/thumbhash.ts'
import { monthLabel, dayLabel, duration } from '../lib/format.ts'
import { setViewerList, type ViewerList } from '../lib/viewer-nav.ts'
import { takePrefetchedBuckets, FIRST_SCREEN } from '../lib/prefetch.ts'
import { uploads, ASSETS_CHANGED_EVENT } from '../upload/uploader.ts'
import type { BucketColumns, TimeBucket } from '../types.ts'
import type { ScrubMark } from './scrubber.ts'
import './scrubber.ts'
import './selection-bar.ts'

interface Month {
  bucket: string
  count: number
  top: number
  height: number
  state: 'idle' | 'loading' | 'loaded' | 'failed'
  data?: BucketColumns
  days?: string[]
  layout?: MonthLayout
  /** Refreshes left while some of its assets are still being processed (no thumbnail yet). */
  polls?: number
}

const OVERSCAN = 1      // screens rendered above and below
const PRELOAD = 2.5     // screens loaded ahead
const PARALLEL_LOADS = 3

export class Timeline extends LitElement {
  static override properties = {
    filters: { attribute: false }, mode: { type: String }, basePath: { type: String }, pickLabel: { attribute: false }, emptyText: { attribute: false }, picker: { type: Boolean, reflect: true },
    ready: { state: true }, selection: { state: true }, tick: { state: true },
  }

  static override styles = [base, css`
    :host { display: flex; flex-direction: column; height: 100%; position: relative; }
    .scroller { flex: 1; overflow-y: auto; overflow-x: hidden; position: relative; scrollbar-width: none; overflow-anchor: none; }
    .scroller::-webkit-scrollbar { display: none; }
    .canvas { position: relative; margin: 0 64px 0 16px; }
    .month { position: absolute; left: 0; right: 0; top: 0; contain: layout; }
    .month h2 { position: absolute; top: 14px; left: 2px; font-size: 1.25rem; }
    .day { position: absolute; left: 0; display: flex; align-items: center; gap: 6px; height: 34px; font-size: .9rem; font-weight: 500; color: var(--h-text-2); }
    .day button { width: 26px; height: 26px; min-height: 26px; padding: 0; border: none; background: none; opacity: 0; }
    .day:hover button, .day button:focus-visible, :host([selecting]) .day button { opacity: 1; }
    .skeleton { position: absolute; left: 0; right: 0; bottom: 0; background-image: linear-gradient(90deg, var(--h-placeholder) calc(100% - 4px), transparent 0), linear-gradient(var(--h-bg) 4px, transparent 0);
      background-size: var(--tile-w) 100%, 100% var(--tile-h); background-position: 0 0, 0 calc(var(--tile-h) - 4px); opacity: .6; }
    .tile { position: absolute; overflow: hidden; background: var(--h-placeholder) center / cover no-repeat; border-radius: 2px; }
    .tile a { position: absolute; inset: 0; display: block; }
    .tile a:focus-visible { outline: 3px solid var(--h-focus); outline-offset: -3px; z-index: 1; }
    .tile img { width: 100%; height: 100%; object-fit: cover; display: block; }
    .tile.sel { outline: 3px solid var(--h-accent); outline-offset: -3px; }
    .tile.sel img { transform: scale(.88); border-radius: 6px; transition: transform .12s; }
    .tile .check { position: absolute; top: 4px; left: 4px; width: 30px; height: 30px; min-height: 30px; padding: 0; border: none; background: none; color: #fff; opacity: 0; filter: drop-shadow(0 0 2px rgb(0 0 0 / 70%)); }
    .tile:hover .check, .tile .check:focus-visible, :host([selecting]) .tile .check { opacity: 1; }
    :host([picking]) .tile .check, :host([picking]) .day button { display: none; }
    :host([picker]) .tile .check, :host([picker]) .day button { opacity: 1; }
    :host([picker]) .tile a { cursor: pointer; }
    :host([picking]) .tile a { cursor: crosshair; }
    .tile.sel .check { color: var(--h-accent); opacity: 1; }
    .tile .partner { position: absolute; top: 6px; left: 6px; width: 20px; height: 20px; color: #fff; filter: drop-shadow(0 0 2px rgb(0 0 0 / 70%)); }
    .check .ring { width: 22px; height: 22px; border-radius: 50%; border: 2px solid currentColor; display: block; }
    .badge { position: absolute; right: 6px; top: 4px; color: #fff; font-size: .78rem; font-weight: 600; display: flex; align-items: center; gap: 2px; text-shadow: 0 0 3px rgb(0 0 0 / 80%); pointer-events: none; }
    .badge svg.i { width: 16px; height: 16px; filter: drop-shadow(0 0 2px rgb(0 0 0 / 70%)); }
    .fav { position: absolute; left: 6px; bottom: 4px; color: #fff; pointer-events: none; }
    .fav svg.i { width: 18px; height: 18px; filter: drop-shadow(0 0 2px rgb(0 0 0 / 70%)); }
    .processing { position: absolute; inset: 0; background: linear-gradient(100deg, transparent 30%, rgb(255 255 255 / 18%) 50%, transparent 70%) var(--h-placeholder); background-size: 300% 100%; animation: shimmer 1.4s infinite linear; }
    @keyframes shimmer { from { background-position: 100% 0 } to { background-position: -200% 0 } }
    .failed { position: absolute; left: 0; right: 0; display: flex; align-items: center; gap: 10px; padding: 8px 2px; }
    .empty { display: grid; place-items: center; text-align: center; height: 100%; padding: 20px; }
    .empty > div > svg.i { width: 64px; height: 64px; color: var(--h-text-2); }
    @media (max-width: 700px) { .canvas { margin: 0 40px 0 4px; } .month h2 { font-size: 1.05rem; } }
  `]

  filters: Record<string, string> = { visibility: 'timeline' }
  mode: 'timeline' | 'favorites' | 'archive' | 'trash' | 'locked' = 'timeline'
  basePath = '/photos'
  /** Set while the user picks one photo: a tile's label, given its own (and clicks emit `pick`). */
  pickLabel: ((alt: string) => string) | undefined
  /** What an empty grid says instead of the timeline's "upload" invitation (a tag, a person). */
  emptyText: string | undefined
  /** Choosing photos for something else (an album): see the class comment. */
  picker = false
  ready = false
  selection = new Set<string>()
  tick = 0

  private months: Month[] = []
  /** Rotations stored as edits (GET /api/edits), applied to tiles. */
  private edits: Record<string, { rotation: number }> = {}
  private total = 0
  private width = 0
  private viewport = 0
  private windowKey = ''
  private frame = 0
  private loads = 0
  private anchor: string | undefined
  private pollTimer: ReturnType<typeof setTimeout> | undefined
  private readonly resize = new ResizeObserver(() => this.measure())
  /** Partners' photos shown in this timeline (partner sharing): opened, never selected. */
  private readonly foreign = new Set<string>()
  private readonly list: ViewerList = {
    neighbour: (id, step) => this.neighbour(id, step),
    removed: () => { void this.reload() },
    refresh: () => { void this.reload(true) },
    changed: (id, patch) => this.patchAsset(id, patch),
    ready: (id) => this.months.some((m) => { const i = m.data?.id.indexOf(id) ?? -1; return i >= 0 && m.data!.thumbhash[i] !== null }),
  }

  override connectedCallback (): void {
    super.connectedCallback()
    // A picker opens no viewer: the screen behind it keeps its own list.
    if (!this.picker) setViewerList(this.list)
    window.addEventListener(ASSETS_CHANGED_EVENT, this.onAssetsChanged)
    window.addEventListener('keydown', this.onKey)
    void this.reload()
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    this.resize.disconnect()
    window.removeEventListener(ASSETS_CHANGED_EVENT, this.onAssetsChanged)
    window.removeEventListener('keydown', this.onKey)
    clearTimeout(this.pollTimer)
  }

  override firstUpdated (): void {
    this.resize.observe(this.scroller)
    this.measure()
  }

  /** Other filters (another tag's timeline on the same screen): start again from the top. */
  override updated (changed: Map<string, unknown>): void {
    if (changed.has('pickLabel')) {
      this.toggleAttribute('picking', this.pickLabel !== undefined)
      if (this.pickLabel !== undefined) this.clearSelection()
    }
    const before = changed.get('filters') as Record<string, string> | undefined
    if (before === undefined || qs(before) === qs(this.filters)) return
    this.months = []
    this.clearSelection()
    this.scroller.scrollTop = 0
    this.ready = false
    void this.reload()
  }

  private get scroller (): HTMLElement { return this.renderRoot.querySelector('.scroller')! }

  private get options (): LayoutOptions {
    const phone = this.width < 600
    return { width: Math.max(100, this.width), rowHeight: phone ? 110 : 220, gap: 4, monthHeader: 56, dayHeader: 36 }
  }

  private readonly onAssetsChanged = () => { void this.reload() }

  private readonly onKey = (e: KeyboardEvent) => {
    // Esc in the album dialog closes the dialog only; the selection stays.
    if (e.composedPath().some((n) => n instanceof HTMLDialogElement)) return
    if (e.key === 'Escape' && this.selection.size > 0 && !location.pathname.startsWith(this.basePath + '/')) this.clearSelection()
  }

  /**
   * Fetches the month list again; months whose count is unchanged keep what they loaded, unless
   * `refresh` (a change that keeps the counts: a stack's cover, stacking within a month).
   */
  async reload (refresh = false): Promise<void> {
    const filters = qs(this.filters)
    try {
      const [buckets, edits] = await Promise.all([
        // The month list main.ts may have asked for already (the default timeline only).
        (qs(this.filters) === FIRST_SCREEN ? takePrefetchedBuckets() as Promise<TimeBucket[] | undefined> | undefined : undefined)
          ?.then((b) => b ?? api.get<TimeBucket[]>(`/api/timeline/buckets${qs(this.filters)}`)) ?? api.get<TimeBucket[]>(`/api/timeline/buckets${qs(this.filters)}`),
        api.get<Record<string, { rotation: number }>>(`/api/edits${this.filters.withPartners === 'true' ? '?withPartners=true' : ''}`).catch(() => ({})),
      ])
      // The filters changed while this was on its way: the newer reload answers.
      if (qs(this.filters) !== filters) return
      this.edits = edits
      const old = new Map(this.months.map((m) => [m.bucket, m]))
      this.months = buckets.map((b) => {
        const prev = old.get(b.timeBucket)
        const settled = prev?.data?.thumbhash.every((x) => x !== null) === true || (prev?.polls ?? 1) <= 0
        if (prev !== undefined && prev.count === b.count && prev.state === 'loaded' && settled && !refresh) return prev
        // A month being refreshed keeps its layout (and height) until the new data is in.
        if (prev?.layout !== undefined) return { ...prev, count: b.count, state: 'idle' as const }
        return { bucket: b.timeBucket, count: b.count, top: 0, height: 0, state: 'idle' as const }
      })
      this.ready = true
      this.positions()
      this.update_()
    } catch (err) {
      notifyError(err)
    }
  }

  private measure (): void {
    const s = this.renderRoot.querySelector('.scroller') as HTMLElement | null
    if (s === null) return
    const canvas = this.renderRoot.querySelector('.canvas') as HTMLElement | null
    const width = canvas?.clientWidth ?? s.clientWidth
    this.viewport = s.clientHeight
    if (Math.abs(width - this.width) < 1) { this.update_(); return }
    // Keep the month at the top in place across a relayout.
    const top = this.monthAt(s.scrollTop)
    const into = top === undefined ? 0 : (s.scrollTop - top.top) / Math.max(1, top.height)
    this.width = width
    for (const m of this.months) if (m.data !== undefined) m.layout = layoutMonth(this.ratios(m.data), m.days!, this.options)
    this.positions()
    if (top !== undefined) s.scrollTop = top.top + into * top.height
    this.update_()
  }

  /** Lays months one under another (measured or estimated heights). */
  private positions (): void {
    let y = 0
    const o = this.options
    for (const m of this.months) {
      m.top = y
      m.height = m.layout?.height ?? estimateMonthHeight(m.count, o)
      y += m.height
    }
    this.total = y
  }

  private monthAt (y: number): Month | undefined {
    let lo = 0
    let hi = this.months.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const m = this.months[mid]
      if (y < m.top) hi = mid - 1
      else if (y >= m.top + m.height) lo = mid + 1
      else return m
    }
    return undefined
  }

  private readonly onScroll = () => {
    if (this.frame !== 0) return
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.update_() })
  }

  /** Loads what is near, and redraws when the window moved by more than a quarter screen. */
  private update_ (): void {
    if (this.width === 0) return
    const s = this.scroller
    const top = s.scrollTop
    const h = this.viewport || s.clientHeight
    for (const m of this.months) {
      if (m.state !== 'idle') continue
      if (m.top + m.height >= top - PRELOAD * h && m.top <= top + h + PRELOAD * h) void this.load(m)
    }
    const key = `${Math.floor(top / (h / 4))}:${this.total}:${this.width}`
    if (key !== this.windowKey) { this.windowKey = key; this.tick++ }
  }

  private async load (m: Month): Promise<void> {
    if (this.loads >= PARALLEL_LOADS) return
    this.loads++
    m.state = 'loading'
    try {
      const data = await api.get<BucketColumns>(`/api/timeline/bucket${qs({ ...this.filters, timeBucket: m.bucket })}`)
      this.apply(m, data)
    } catch (err) {
      m.state = 'failed'
      if ((err as Error).name !== 'AbortError') console.warn('timeline: month failed to load', m.bucket, err)
    } finally {
      this.loads--
      this.update_()
    }
  }

  /** Aspect ratios as shown: a quarter turn stored as an edit swaps them. */
  private ratios (d: BucketColumns): number[] {
    return d.ratio.map((r, i) => (this.edits[d.id[i]]?.rotation ?? 0) % 180 === 90 ? 1 / r : r)
  }

  /** Puts a month's assets in, laid out; compensates the scroll position for a height change above the viewport. */
  private apply (m: Month, data: BucketColumns): void {
    if (!this.months.includes(m)) return
    m.data = data
    const me = session.user?.id
    data.ownerId?.forEach((owner, i) => { if (owner !== me) this.foreign.add(data.id[i]!) })
    m.days = data.id.map((_, i) => localDay(data.fileCreatedAt[i], data.localOffsetHours[i] ?? 0))
    m.layout = layoutMonth(this.ratios(data), m.days, this.options)
    m.state = 'loaded'
    m.count = data.id.length
    const delta = m.layout.height - m.height
    if (delta !== 0) {
      const s = this.scroller
      const above = m.top < s.scrollTop
      this.positions()
      if (above) s.scrollTop += delta
    }
    this.windowKey = ''
    if (this.mode !== 'trash' && data.thumbhash.some((h) => h === null)) this.schedulePoll(m)
  }

  /**
   * Assets still being processed have no thumbnail yet (and may move to the month they were taken
   * in once their metadata is read): look at the month list again in a moment, for up to ~2 minutes.
   */
  private schedulePoll (m: Month): void {
    m.polls ??= 60
    if (m.polls <= 0 || this.pollTimer !== undefined) return
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined
      for (const month of this.months) if (month.data?.thumbhash.some((x) => x === null) === true) month.polls = (month.polls ?? 60) - 1
      void this.reload()
    }, 2000)
  }

  private async neighbour (id: string, step: 1 | -1): Promise<string | undefined> {
    let mi = this.months.findIndex((m) => m.data?.id.includes(id))
    if (mi === -1) return undefined
    let i = this.months[mi].data!.id.indexOf(id) + step
    while (true) {
      const m = this.months[mi]
      if (m.data !== undefined && i >= 0 && i < m.data.id.length) return m.data.id[i]
      mi += step
      const next = this.months[mi]
      if (next === undefined) return undefined
      if (next.data === undefined) {
        const data = await api.get<BucketColumns>(`/api/timeline/bucket${qs({ ...this.filters, timeBucket: next.bucket })}`)
        this.apply(next, data)
        this.update_()
      }
      i = step === 1 ? 0 : next.data!.id.length - 1
    }
  }

  private patchAsset (id: string, patch: { isFavorite?: boolean, rotation?: number }): void {
    if (patch.rotation !== undefined) this.edits = { ...this.edits, [id]: { rotation: patch.rotation } }
    for (const m of this.months) {
      const i = m.data?.id.indexOf(id) ?? -1
      if (i >= 0 && patch.isFavorite !== undefined) m.data!.isFavorite[i] = patch.isFavorite
      if (i >= 0 && patch.rotation !== undefined) m.layout = layoutMonth(this.ratios(m.data!), m.days!, this.options)
    }
    if (patch.rotation !== undefined) this.positions()
    this.windowKey = ''
    this.tick++
  }

  // ---- selection -------------------------------------------------------------------------------

  /** A partner's photo cannot be selected (nothing could be done to it), except to be picked for an album. */
  private selectable (id: string): boolean { return this.picker || !this.foreign.has(id) }

  private orderedIds (): string[] { return this.months.flatMap((m) => m.data?.id ?? []).filter((id) => this.selectable(id)) }

  private setSelection (next: Set<string>): void {
    this.selection = next
    this.toggleAttribute('selecting', next.size > 0)
    if (this.picker) this.dispatchEvent(new CustomEvent('selection-change', { detail: [...next] }))
  }

  clearSelection (): void { this.setSelection(new Set()); this.anchor = undefined }

  private toggle (id: string, range: boolean): void {
    const next = new Set(this.selection)
    if (range && this.anchor !== undefined) {
      const ids = this.orderedIds()
      const [a, b] = [ids.indexOf(this.anchor), ids.indexOf(id)].sort((x, y) => x - y)
      if (a !== -1) { for (const x of ids.slice(a, b + 1)) next.add(x) } else next.add(id)
    } else if (next.has(id)) next.delete(id)
    else next.add(id)
    this.anchor = id
    this.setSelection(next)
  }

  private toggleDay (m: Month, day: { start: number, end: number }): void {
    const ids = m.data!.id.slice(day.start, day.end).filter((id) => this.selectable(id))
    const next = new Set(this.selection)
    const all = ids.every((id) => next.has(id))
    for (const id of ids) { if (all) next.delete(id); else next.add(id) }
    this.setSelection(next)
  }

  /**
   * Arrow keys move between photos (←/→ in date order, ↑/↓ to the nearest photo in the row above or
   * below), Home/End to the first and last loaded; the grid scrolls to keep the focused one in view.
   */
  private readonly onGridKey = (e: KeyboardEvent) => {
    if (!['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key) || e.altKey || e.ctrlKey || e.metaKey) return
    const tile = (e.composedPath()[0] as HTMLElement).closest?.('.tile') as HTMLElement | null
    if (tile === null) return
    const loaded = this.months.filter((m) => m.data !== undefined && m.layout !== undefined)
    const mi = loaded.findIndex((m) => m.data!.id.includes(tile.dataset.id!))
    if (mi === -1) return
    const m = loaded[mi]
    const i = m.data!.id.indexOf(tile.dataset.id!)
    let target: { m: Month, i: number } | undefined
    if (e.key === 'Home') target = { m: loaded[0], i: 0 }
    else if (e.key === 'End') { const last = loaded[loaded.length - 1]; target = { m: last, i: last.data!.id.length - 1 } }
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      const step = e.key === 'ArrowRight' ? 1 : -1
      if (m.data!.id[i + step] !== undefined) target = { m, i: i + step }
      else { const n = loaded[mi + step]; if (n !== undefined) target = { m: n, i: step === 1 ? 0 : n.data!.id.length - 1 } }
    } else {
      const rows = m.layout!.rows
      const r = rows.findIndex((row) => i >= row.start && i < row.end)
      const t = m.layout!.tiles[i]
      const cx = t.x + t.w / 2
      const down = e.key === 'ArrowDown'
      let tm = m
      let row: typeof rows[number] | undefined = rows[r + (down ? 1 : -1)]
      const next = loaded[mi + (down ? 1 : -1)]
      if (row === undefined && next !== undefined) { tm = next; row = down ? next.layout!.rows[0] : next.layout!.rows.at(-1) }
      if (row !== undefined) {
        let best = row.start
        for (let k = row.start; k < row.end; k++) {
          const c = tm.layout!.tiles[k]
          if (Math.abs(c.x + c.w / 2 - cx) < Math.abs(tm.layout!.tiles[best].x + tm.layout!.tiles[best].w / 2 - cx)) best = k
        }
        target = { m: tm, i: best }
      }
    }
    e.preventDefault()
    if (target === undefined) return
    const t = target.m.layout!.tiles[target.i]
    const s = this.scroller
    const top = target.m.top + t.y
    if (top - 40 < s.scrollTop) s.scrollTop = top - 40
    else if (top + t.h + 20 > s.scrollTop + s.clientHeight) s.scrollTop = top + t.h + 20 - s.clientHeight
    this.update_()
    const id = target.m.data!.id[target.i]
    void this.updateComplete.then(() => (this.renderRoot.querySelector(`.tile[data-id="${id}"] a`) as HTMLElement | null)?.focus())
  }

  private readonly onClick = (e: MouseEvent) => {
    const tile = (e.target as HTMLElement).closest<HTMLElement>('.tile')
    if (tile === null) return
    const id = tile.dataset.id!
    if (this.pickLabel !== undefined) {
      e.preventDefault()
      this.dispatchEvent(new CustomEvent('pick', { detail: id }))
      return
    }
    const onCheck = (e.target as HTMLElement).closest('.check') !== null
    if (onCheck || this.selection.size > 0 || e.shiftKey || this.picker) {
      e.preventDefault()
      // A photo that cannot be selected stays shut while selecting.
      if (this.selectable(id)) this.toggle(id, e.shiftKey)
      return
    }
    if (e.metaKey || e.ctrlKey) return
    e.preventDefault()
    navigate(`${this.basePath}/${id}${location.search}`)
  }

  private selectedFavourites (): boolean {
    const ids = this.selection
    return this.months.every((m) => m.data === undefined || m.data.id.every((id, i) => !ids.has(id) || m.data!.isFavorite[i]))
  }

  /** The stacks whose covers are selected (in a timeline showing stacks). */
  private selectedStacks (): string[] {
    const out: string[] = []
    for (const m of this.months) m.data?.stack?.forEach((s, i) => { if (s !== null && this.selection.has(m.data!.id[i]!)) out.push(s[0]) })
    return out
  }

  private async act (e: CustomEvent<{ action: string, albumName?: string }>): Promise<void> {
    const { actions } = await import('../lib/actions.ts')
    const ids = [...this.selection]
    try {
      switch (e.detail.action) {
        case 'favourite': {
          const value = !this.selectedFavourites()
          await actions.setFavorite(ids, value)
          for (const id of ids) this.patchAsset(id, { isFavorite: value })
          notify(value ? t.selection.favourited(ids.length) : t.selection.unfavourited(ids.length))
          if (this.mode === 'favorites') await this.reload()
          break
        }
        case 'archive': case 'unarchive': {
          const archiving = e.detail.action === 'archive'
          await actions.setVisibility(ids, archiving ? 'archive' : 'timeline')
          notify(archiving ? t.selection.archived(ids.length) : t.selection.unarchived(ids.length), {
            action: { label: t.selection.undo, run: () => { void actions.setVisibility(ids, archiving ? 'timeline' : 'archive').then(() => this.reload(), notifyError) } },
          })
          break
        }
        case 'lock': case 'unlock': {
          // The selection bar has had the locked folder opened first.
          const locking = e.detail.action === 'lock'
          await actions.setVisibility(ids, locking ? 'locked' : 'timeline')
          notify(locking ? t.locked.movedIn(ids.length) : t.locked.movedOut(ids.length))
          break
        }
        case 'download': {
          // Several go as ZIP archives, saved by the browser itself.
          const archives = await actions.download(ids)
          if (archives > 0) notify(t.albums.downloading(archives))
          break
        }
        case 'trash':
          await actions.trash(ids)
          notify(t.selection.trashed(ids.length), {
            action: { label: t.selection.undo, run: () => { void actions.restore(ids).then(() => this.reload(), notifyError) } },
          })
          break
        case 'restore':
          await actions.restore(ids)
          notify(t.selection.restored(ids.length))
          break
        case 'delete': await actions.deleteForGood(ids); break
        case 'stack':
          // The first photo selected becomes the cover (as in Immich).
          await api.post('/api/stacks', { assetIds: ids })
          notify(t.stacks.stacked(ids.length))
          break
        case 'unstack': {
          const stacks = this.selectedStacks()
          await api.del('/api/stacks', { ids: stacks })
          notify(t.stacks.unstacked(stacks.length))
          break
        }
        case 'added': case 'edited': case 'tagged': case 'shared': break
      }
      this.clearSelection()
      if (['trash', 'restore', 'delete', 'edited', 'archive', 'unarchive', 'lock', 'unlock', 'stack', 'unstack'].includes(e.detail.action)) await this.reload(['stack', 'unstack'].includes(e.detail.action))
    } catch (err) {
      notifyError(err)
    }
  }

  private onScrub (e: CustomEvent<{ fraction: number, month: boolean }>): void {
    const s = this.scroller
    s.scrollTop = e.detail.fraction * (e.detail.month ? this.total : Math.max(0, this.total - s.clientHeight))
  }

  // ---- rendering -------------------------------------------------------------------------------

  private renderMonth (m: Month, top: number, bottom: number) {
    const o = this.options
    const label = monthLabel(m.bucket)
    if (m.layout === undefined || m.data === undefined) {
      return html`<h2>${label}</h2>
        ${m.state === 'failed'
          ? html`<div class="failed" style="top:${o.monthHeader}px"><span class="error">${t.timeline.loadFailed}</span><button @click=${() => { m.state = 'idle'; this.update_() }}>${t.timeline.retry}</button></div>`
          : html`<div class="skeleton" style="top:${o.monthHeader}px;--tile-w:${o.rowHeight * 1.3 + o.gap}px;--tile-h:${o.rowHeight + o.gap}px" aria-busy="true"></div>`}`
    }
    const d = m.data
    const L = m.layout
    const visible: number[] = []
    for (const row of L.rows) {
      if (m.top + row.y + row.h < top || m.top + row.y > bottom) continue
      for (let i = row.start; i < row.end; i++) visible.push(i)
    }
    const sel = this.selection
    return html`<h2>${label}</h2>
      ${L.days.filter((day) => m.top + day.y + 40 >= top && m.top + day.y <= bottom).map((day) => {
        // Partners' photos are not selectable: a day of theirs alone has no button.
        const own = d.id.slice(day.start, day.end).filter((id) => this.selectable(id))
        const all = own.length > 0 && own.every((id) => sel.has(id))
        const name = dayLabel(day.key)
        return html`<div class="day" style="top:${day.y}px">${own.length === 0 ? nothing : html`<button aria-pressed=${all} aria-label=${all ? t.timeline.deselectDay(name) : t.timeline.selectDay(name)} title=${t.timeline.selectDay(name)}
          @click=${() => this.toggleDay(m, day)}>${icon(all ? 'checkCircle' : 'check')}</button>`}${name}</div>`
      })}
      ${repeat(visible, (i) => d.id[i], (i) => {
        const id = d.id[i]
        const tile = L.tiles[i]
        const turn = this.edits[id]?.rotation ?? 0
        const ph = turn === 0 ? placeholder(id, d.thumbhash[i]) : undefined
        const isSel = sel.has(id)
        const when = dayLabel(m.days![i])
        const alt = d.isImage[i] ? t.timeline.photo('', when) : t.timeline.video(when, duration(d.duration[i]))
        return html`<div class="tile${isSel ? ' sel' : ''}" data-id=${id} style="left:${tile.x}px;top:${tile.y}px;width:${tile.w}px;height:${tile.h}px;${ph === undefined ? '' : `background-image:url(${ph})`}">
          <a href="${this.basePath}/${id}" aria-label=${this.pickLabel?.(alt) ?? alt}>${d.thumbhash[i] === null && this.mode !== 'trash'
            ? html`<span class="processing"></span>`
            : html`<img src=${media.thumbnail(id)} alt=${alt} loading="lazy" decoding="async" draggable="false"
                style=${turn === 0 ? '' : `position:absolute;left:50%;top:50%;width:${turn % 180 === 0 ? tile.w : tile.h}px;height:${turn % 180 === 0 ? tile.h : tile.w}px;transform:translate(-50%,-50%) rotate(${turn}deg)`}>`}</a>
          ${d.stack?.[i] != null ? html`<span class="badge stack" title=${t.stacks.badge(Number(d.stack[i]![1]))}>${d.stack[i]![1]} ${icon('stack')}</span>`
            : d.isImage[i] ? (d.livePhotoVideoId[i] !== null ? html`<span class="badge">${icon('motion')}</span>` : nothing) : html`<span class="badge">${duration(d.duration[i])} ${icon('play')}</span>`}
          ${d.isFavorite[i] ? html`<span class="fav">${icon('heart')}</span>` : nothing}
          ${!this.selectable(id) ? html`<span class="partner" title=${t.timeline.partnerPhoto}>${icon('people')}</span>`
            : html`<button class="check" role="checkbox" aria-checked=${isSel} aria-label=${t.timeline.select} title=${t.timeline.select}>${isSel ? icon('checkCircle') : html`<span class="ring"></span>`}</button>`}
        </div>`
      })}`
  }

  private marks: { key: string, marks: ScrubMark[] } = { key: '', marks: [] }

  /** The scrubber's months, recomputed only when the layout changed (not on every scroll frame). */
  private scrubMarks (): ScrubMark[] {
    const key = `${this.total}:${this.months.length}`
    if (key === this.marks.key) return this.marks.marks
    const marks: ScrubMark[] = []
    let lastYear = ''
    for (const m of this.months) {
      const year = m.bucket.slice(0, 4)
      marks.push({ label: monthLabel(m.bucket), fraction: this.total === 0 ? 0 : m.top / this.total, year: year !== lastYear })
      lastYear = year
    }
    this.marks = { key, marks }
    return marks
  }

  override render () {
    const s = this.renderRoot.querySelector('.scroller') as HTMLElement | null
    const scrollTop = s?.scrollTop ?? 0
    const h = this.viewport || 800
    const top = scrollTop - OVERSCAN * h
    const bottom = scrollTop + h + OVERSCAN * h
    const shown = this.months.filter((m) => m.top + m.height >= top && m.top <= bottom)
    const marks = this.scrubMarks()
    const empty = this.ready && this.months.length === 0
    return html`
      ${this.selection.size > 0 && !this.picker ? html`<hearth-selection-bar .count=${this.selection.size} .ids=${[...this.selection]} .mode=${this.mode} .allFavourite=${this.selectedFavourites()}
        .stackable=${this.filters.withStacked === 'true'} .stacks=${this.selectedStacks().length}
        @clear=${() => this.clearSelection()} @act=${this.act}></hearth-selection-bar>` : nothing}
      <div class="scroller" @scroll=${this.onScroll}>
        <div class="canvas" style="height:${this.total}px" @click=${this.onClick} @keydown=${this.onGridKey}>
          ${repeat(shown, (m) => m.bucket, (m) => html`<section class="month" style="transform:translateY(${m.top}px);height:${m.height}px" aria-label=${monthLabel(m.bucket)}>${this.renderMonth(m, top, bottom)}</section>`)}
        </div>
      </div>
      ${this.months.length > 1 ? html`<hearth-scrubber .marks=${marks} .position=${this.total <= h ? 0 : scrollTop / Math.max(1, this.total - h)} @scrub=${this.onScrub}></hearth-scrubber>` : nothing}
      ${empty ? html`<div class="empty" style="position:absolute;inset:0"><div>
          ${icon(this.mode === 'trash' ? 'trash' : this.mode === 'favorites' ? 'heart' : this.mode === 'archive' ? 'archive' : 'photos')}
          <h2>${this.emptyText ?? (this.mode === 'trash' ? t.screens.trashEmpty : this.mode === 'favorites' ? t.screens.favouritesEmpty : this.mode === 'archive' ? t.screens.archiveEmpty : t.timeline.empty)}</h2>
          ${this.mode === 'timeline' && this.emptyText === undefined ? html`<p class="muted">${t.timeline.emptyHint}</p><button class="primary" @click=${() => uploads.pick()}>${icon('upload')} ${t.upload.pick}</button>` : nothing}
        </div></div>` : nothing}`
  }
}
customElements.define('hearth-timeline', Timeline)
