/**
 * <hearth-viewer>: one photo or video, full screen. Keys: ←/→ step, Esc closes (or leaves zoom),
 * i info, f favourite, +/- zoom, 0 fit, r rotate, Delete trash. Wheel, double-click and pinch zoom;
 * drag pans. Videos play from /video/playback (ranges); a live/motion photo plays its video part.
 * Rotation is stored on the server as an edit (PUT /api/assets/:id/edits) and never touches the
 * original. The info panel shows what the API knows: date and zone, camera, lens, exposure, place,
 * position, people, text, albums.
 *
 * Slideshow (the ▶ button): full screen, the controls hidden until the pointer moves, a photo every
 * few seconds (3, 5 or 10, remembered in this browser), a video played to its end, through the list
 * the viewer was opened from; Space pauses and resumes, ←/→ step (and restart the wait), Esc stops.
 *
 * The ⋮ menu also shares the photo by a public link, and moves it into the locked folder (asking
 * for the PIN here when the folder is closed) or, from the locked folder, back out.
 *
 * A stack's photos (the owner's burst, RAW + JPEG) are a strip along the bottom: one clicked is
 * shown, ←/→ still step through the list from the stack; the menu makes the photo shown the
 * stack's cover, takes it out of the stack, or unstacks it.
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { icon } from '../icons.ts'
import { api, media, ApiError } from '../api.ts'
import { navigate } from '../router.ts'
import { notify, notifyError } from '../notify.ts'
import { viewerList } from '../lib/viewer-nav.ts'
import { placeholder } from '../lib/thumbhash.ts'
import { actions } from '../lib/actions.ts'
import { session } from '../session.ts'
import './info-panel.ts'
import './pin-form.ts'
import '../albums/links.ts'
import type { SharedLink } from '../albums/types.ts'
import type { Asset } from '../types.ts'

const BROWSER_IMAGES = /^image\/(jpeg|png|webp|gif|avif)$/
/** Where the slideshow's seconds a photo are remembered. */
const SLIDE_KEY = 'hearth.slideshow.seconds'
const SLIDE_CHOICES = [3, 5, 10]

export class Viewer extends LitElement {
  static override properties = {
    assetId: { type: String }, basePath: { type: String },
    asset: { state: true }, error: { state: true }, info: { state: true }, scale: { state: true }, tx: { state: true }, ty: { state: true },
    rotation: { state: true }, motion: { state: true }, menu: { state: true }, previewLoaded: { state: true }, hasPrev: { state: true }, hasNext: { state: true },
    playing: { state: true }, paused: { state: true }, controls: { state: true }, dialog: { state: true }, link: { state: true }, stack: { state: true },
  }

  static override styles = [base, css`
    :host { position: fixed; inset: 0; z-index: 50; background: var(--h-viewer-bg); color: #fff; display: flex; }
    .stage { position: relative; flex: 1; overflow: hidden; touch-action: none; }
    .bar { position: absolute; top: 0; left: 0; right: 0; display: flex; align-items: center; gap: 2px; padding: 8px; z-index: 2; background: linear-gradient(rgb(0 0 0 / 55%), transparent); }
    .bar .spacer { flex: 1; }
    .bar .name { font-size: .9rem; opacity: .85; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 40vw; }
    button.icon { color: #fff; } button.icon:hover { background: rgb(255 255 255 / 14%); }
    button.icon[aria-pressed='true'] { color: var(--h-accent); }
    .nav { position: absolute; top: 50%; transform: translateY(-50%); z-index: 2; width: 52px; height: 52px; background: rgb(0 0 0 / 35%); }
    .nav.prev { left: 10px; } .nav.next { right: 10px; }
    .media { position: absolute; inset: 0; display: grid; place-items: center; }
    .frame { position: relative; transform-origin: center center; will-change: transform; }
    .frame img, .frame video { display: block; max-width: 100vw; max-height: 100dvh; user-select: none; -webkit-user-drag: none; }
    .frame .ph { position: absolute; inset: 0; background: center / cover no-repeat; filter: blur(2px); }
    .frame img.main { position: relative; opacity: 0; transition: opacity .15s; }
    .frame img.main.loaded { opacity: 1; }
    .motion { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; }
    video.play { max-height: calc(100dvh - 20px); }
    .msg { position: absolute; bottom: 24px; left: 50%; transform: translateX(-50%); background: rgb(0 0 0 / 70%); padding: 8px 14px; border-radius: 8px; z-index: 2; }
    .trashed { color: #ffb4a8; }
    .more { position: relative; }
    [role=menu] { position: absolute; right: 0; top: 46px; min-width: 240px; display: grid; padding: 6px; border-radius: 12px; background: var(--h-surface); color: var(--h-text); box-shadow: var(--h-shadow); }
    [role=menu] button { justify-content: flex-start; width: 100%; border-radius: 8px; }
    hearth-info-panel { width: 360px; flex: none; }
    .scrim { position: fixed; inset: 0; z-index: 60; background: var(--h-scrim); display: grid; place-items: center; }
    .scrim .dlg { width: min(440px, calc(100vw - 24px)); padding: 18px; display: grid; gap: 12px; border-radius: 14px; background: var(--h-surface); color: var(--h-text); box-shadow: var(--h-shadow); }
    .scrim .row { display: flex; justify-content: flex-end; }
    .stage.show { cursor: none; }
    .stage.show.controls { cursor: auto; }
    .stage.show .bar, .stage.show .nav, .stage.show .slidebar { transition: opacity .3s; }
    .stage.show:not(.controls) .bar, .stage.show:not(.controls) .nav, .stage.show:not(.controls) .slidebar { opacity: 0; pointer-events: none; }
    .slidebar { position: absolute; bottom: 16px; left: 50%; transform: translateX(-50%); z-index: 3; display: flex; gap: 6px; align-items: center; padding: 6px 10px; border-radius: 999px; background: rgb(0 0 0 / 60%); }
    .slidebar select { background: transparent; color: #fff; border: 1px solid rgb(255 255 255 / 40%); }
    .slidebar option { color: #000; }
    .stack { position: absolute; bottom: 12px; left: 50%; transform: translateX(-50%); z-index: 2; display: flex; gap: 6px; padding: 6px; border-radius: 12px; background: rgb(0 0 0 / 55%); max-width: calc(100vw - 24px); overflow-x: auto; }
    .stack button { width: 56px; height: 56px; min-height: 0; padding: 0; border-radius: 8px; overflow: hidden; border: 2px solid transparent; background: var(--h-placeholder); flex: none; }
    .stack button[aria-current='true'] { border-color: var(--h-accent); }
    .stack img { width: 100%; height: 100%; object-fit: cover; display: block; }
    @media (max-width: 700px) {
      :host { flex-direction: column; }
      hearth-info-panel { width: auto; height: 55dvh; }
      .nav { display: none; }
      .bar .name { display: none; }
    }
  `]

  assetId = ''
  /** The ⋮ menu is open. */
  menu = false
  basePath = '/photos'
  asset: Asset | undefined
  error = ''
  info = false
  scale = 1
  tx = 0
  ty = 0
  rotation = 0
  motion = false
  previewLoaded = false
  hasPrev = false
  hasNext = false
  private loadedId = ''
  private target = ''
  /** Photos the viewer has stepped to whose page update has not arrived yet, with how many such steps (→ ← → visits one twice). */
  private readonly stepped = new Map<string, number>()
  private stepping = Promise.resolve()
  private pointers = new Map<number, { x: number, y: number }>()
  private pinch: { d: number, scale: number } | undefined
  private drag: { x: number, y: number, tx: number, ty: number } | undefined
  private opener: Element | null = null
  /** The menu's dialog that is open: a public link to this photo, or the PIN for the locked folder. */
  dialog: 'link' | 'pin' | undefined
  /** The link made in the link dialog. */
  link: SharedLink | undefined
  /** The stack of the photo shown (its photos, the cover first), when the owner looks at one. */
  stack: { id: string, primaryAssetId: string, assets: Asset[] } | undefined
  /** The photo of the list the stack was opened from, while another of its photos is shown: ←/→ step from it. */
  private stackAnchor: string | undefined
  /** The slideshow runs (`paused`: on hold); `controls`: shown for a while after the pointer moved. */
  playing = false
  paused = false
  controls = false
  private slideTimer: ReturnType<typeof setTimeout> | undefined
  private controlsTimer: ReturnType<typeof setTimeout> | undefined
  /** The slideshow went full screen: leaving full screen (the browser's own Esc) stops it. */
  private fullscreen = false
  private readonly onFullscreen = (): void => {
    if (document.fullscreenElement !== null || !this.fullscreen) return
    this.fullscreen = false
    this.stopSlideshow()
  }

  override connectedCallback (): void {
    super.connectedCallback()
    this.opener = document.activeElement
    window.addEventListener('keydown', this.onKey)
    document.addEventListener('fullscreenchange', this.onFullscreen)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    this.stopSlideshow()
    window.removeEventListener('keydown', this.onKey)
    document.removeEventListener('fullscreenchange', this.onFullscreen)
    if (this.opener instanceof HTMLElement) this.opener.focus()
  }

  override willUpdate (changed: Map<string, unknown>): void {
    // The address catching up with a step of ours is not a new place to step from: under load a
    // step's page update can land after the next key was pressed, and must not pull `target` back
    // (→ → ← went to the first photo instead of the second). Any other change is followed.
    const ours = changed.has('assetId') && this.takeStep(this.assetId)
    if (changed.has('assetId') && this.assetId !== this.loadedId) {
      if (!ours) this.target = this.assetId
      this.menu = false
      void this.load(this.assetId)
    }
  }

  override firstUpdated (): void { (this.renderRoot.querySelector('.close') as HTMLElement | null)?.focus() }

  private async load (id: string): Promise<void> {
    this.loadedId = id
    this.error = ''
    this.scale = 1; this.tx = 0; this.ty = 0; this.motion = false; this.previewLoaded = false
    try {
      const [asset, edits] = await Promise.all([
        api.get<Asset>(`/api/assets/${id}`),
        api.get<{ rotation: number }>(`/api/assets/${id}/edits`).catch(() => ({ rotation: 0 })),
      ])
      if (this.loadedId !== id) return
      this.asset = asset
      this.rotation = edits.rotation
      if (asset.stack == null) { this.stack = undefined; this.stackAnchor = undefined } else if (this.stack?.id !== asset.stack.id || !this.stack.assets.some((x) => x.id === id)) void this.loadStack(asset.stack.id)
      const list = viewerList()
      const from = this.stackAnchor ?? id
      const [prev, next] = list === undefined ? [undefined, undefined] : await Promise.all([list.neighbour(from, -1), list.neighbour(from, 1)])
      if (this.loadedId !== id) return
      this.hasPrev = prev !== undefined
      this.hasNext = next !== undefined
      if (this.playing) this.scheduleSlide()
      // Warm the neighbours' previews (those known to have one) so stepping shows them at once.
      for (const n of [next, prev]) if (n !== undefined && list?.ready?.(n) === true) { const img = new Image(); img.decoding = 'async'; img.src = media.preview(n) }
    } catch (err) {
      if (this.loadedId === id) { this.asset = undefined; this.error = (err as Error).message }
    }
  }

  private close (): void { this.dispatchEvent(new CustomEvent('close')) }

  /** Whether `id` is where one of our steps went (and counts that step's page update as arrived). */
  private takeStep (id: string): boolean {
    const n = this.stepped.get(id) ?? 0
    if (n === 0) return false
    if (n === 1) this.stepped.delete(id); else this.stepped.set(id, n - 1)
    return true
  }

  private async loadStack (stackId: string): Promise<void> {
    try {
      const s = await api.get<{ id: string, primaryAssetId: string, assets: Asset[] }>(`/api/stacks/${stackId}`)
      if (this.asset?.stack?.id === s.id) this.stack = s
    } catch (err) { notifyError(err) }
  }

  /** Shows another photo of the stack; ←/→ go on stepping from the photo the stack was opened from. */
  private showInStack (id: string): void {
    if (id === this.assetId) return
    this.stackAnchor ??= this.target || this.assetId
    navigate(`${this.basePath}/${id}${location.search}`, { replace: true })
  }

  /** A change to the stack (cover, a photo out, unstacked): the list looks again, and steps from the photo shown. */
  private async changeStack (work: () => Promise<unknown>, done: string): Promise<void> {
    const a = this.asset
    if (a?.stack == null) return
    this.menu = false
    try {
      await work()
      notify(done)
      this.stackAnchor = undefined
      this.target = a.id
      viewerList()?.refresh?.()
      const fresh = await api.get<Asset>(`/api/assets/${a.id}`)
      this.asset = { ...a, stack: fresh.stack }
      if (fresh.stack == null) this.stack = undefined; else await this.loadStack(fresh.stack.id)
    } catch (err) { notifyError(err) }
  }

  private get slideSeconds (): number {
    const n = Number(localStorage.getItem(SLIDE_KEY))
    return SLIDE_CHOICES.includes(n) ? n : 5
  }

  private startSlideshow (): void {
    this.playing = true
    this.paused = false
    this.info = false
    this.zoomTo(1)
    // Full screen where the browser allows it; the slideshow runs either way.
    if (document.fullscreenElement === null) this.requestFullscreen?.().then(() => { this.fullscreen = true }, () => {})
    this.showControls()
    this.scheduleSlide()
  }

  private stopSlideshow (): void {
    if (!this.playing) return
    this.playing = false
    clearTimeout(this.slideTimer)
    clearTimeout(this.controlsTimer)
    if (this.fullscreen && document.fullscreenElement !== null) document.exitFullscreen().catch(() => {})
    this.fullscreen = false
  }

  /** The next photo after the chosen seconds; a video moves on when it ends (`onVideoEnded`). */
  private scheduleSlide (): void {
    clearTimeout(this.slideTimer)
    if (!this.playing || this.paused || this.asset?.type === 'VIDEO') return
    this.slideTimer = setTimeout(() => void this.advance(), this.slideSeconds * 1000)
  }

  private async advance (): Promise<void> {
    if (!this.playing || this.paused) return
    if (!this.hasNext) { this.stopSlideshow(); notify(t.viewer.slideshowEnd); return }
    await this.step(1)
  }

  private onVideoEnded (): void { if (this.playing && !this.paused) void this.advance() }

  private togglePause (): void {
    this.paused = !this.paused
    this.showControls()
    this.scheduleSlide()
  }

  private showControls (): void {
    this.controls = true
    clearTimeout(this.controlsTimer)
    // Paused, the controls stay until it plays again.
    this.controlsTimer = setTimeout(() => { if (!this.paused) this.controls = false }, 2500)
  }

  /** The owner changed the asset in the info panel; a new date moves it in the grid behind (`asset-moved`). */
  private onUpdated (e: CustomEvent<Pick<Asset, 'id'> & Partial<Pick<Asset, 'exifInfo' | 'localDateTime' | 'fileCreatedAt' | 'tags'>>>): void {
    if (this.asset?.id !== e.detail.id) return
    const moved = e.detail.localDateTime !== undefined && e.detail.localDateTime !== this.asset.localDateTime
    this.asset = { ...this.asset, ...e.detail }
    if (moved) this.dispatchEvent(new CustomEvent('asset-moved'))
  }

  /** Steps are chained and start from the last one asked for, so quick key presses are never lost. */
  private step (dir: 1 | -1): Promise<void> {
    this.stepping = this.stepping.then(async () => {
      const next = await viewerList()?.neighbour(this.stackAnchor ?? (this.target || this.assetId), dir)
      if (next === undefined) return
      this.stackAnchor = undefined
      this.target = next
      this.stepped.set(next, (this.stepped.get(next) ?? 0) + 1)
      navigate(`${this.basePath}/${next}${location.search}`, { replace: true })
    }).catch(notifyError)
    return this.stepping
  }

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return
    const target = e.composedPath()[0] as HTMLElement
    if (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA') return
    const video = target.tagName === 'VIDEO'
    switch (e.key) {
      case 'ArrowLeft': if (!video) { e.preventDefault(); void this.step(-1) } break
      case 'ArrowRight': if (!video) { e.preventDefault(); void this.step(1) } break
      case 'Escape': e.preventDefault(); if (this.dialog !== undefined) this.dialog = undefined; else if (this.playing) this.stopSlideshow(); else if (this.menu) this.menu = false; else if (this.scale > 1) this.zoomTo(1); else this.close(); break
      case ' ': if (this.playing) { e.preventDefault(); this.togglePause() } break
      case 'i': e.preventDefault(); this.info = !this.info; break
      case 'f': e.preventDefault(); if (this.mine()) void this.favourite(); break
      case '+': case '=': this.zoomTo(this.scale * 1.5); break
      case '-': this.zoomTo(this.scale / 1.5); break
      case '0': this.zoomTo(1); break
      case 'r': if (this.mine()) void this.rotate(); break
      case 'Delete': if (this.mine()) void this.trash(); break
    }
  }

  // ---- actions ---------------------------------------------------------------------------------

  private mine (): boolean { return this.asset !== undefined && this.asset.ownerId === session.user?.id }

  private async favourite (): Promise<void> {
    const a = this.asset
    if (a === undefined || a.isTrashed) return
    try {
      await actions.setFavorite([a.id], !a.isFavorite)
      this.asset = { ...a, isFavorite: !a.isFavorite }
      viewerList()?.changed?.(a.id, { isFavorite: !a.isFavorite })
    } catch (err) { notifyError(err) }
  }

  private async trash (): Promise<void> {
    const a = this.asset
    if (a === undefined || a.isTrashed) return
    try {
      const next = (await viewerList()?.neighbour(a.id, 1)) ?? (await viewerList()?.neighbour(a.id, -1))
      await actions.trash([a.id])
      viewerList()?.removed?.(a.id)
      notify(t.selection.trashed(1), { action: { label: t.selection.undo, run: () => { void actions.restore([a.id]).then(() => viewerList()?.removed?.(a.id), notifyError) } } })
      if (next !== undefined) navigate(`${this.basePath}/${next}${location.search}`, { replace: true }); else this.close()
    } catch (err) { notifyError(err) }
  }

  /**
   * Archives the photo, or brings it back to the timeline. Where that takes it out of the list
   * being stepped through (the timeline or favourites when archiving, the archive when not), the
   * viewer steps on as it does after a trash; elsewhere (search, an album) it stays.
   */
  private async archive (): Promise<void> {
    const a = this.asset
    if (a === undefined || a.isTrashed) return
    const archiving = !a.isArchived
    await this.moveTo(archiving ? 'archive' : 'timeline', archiving ? ['/photos', '/favorites'].includes(this.basePath) : this.basePath === '/archive',
      archiving ? t.selection.archived(1) : t.selection.unarchived(1))
  }

  /**
   * Gives the photo another visibility; when that takes it out of the list being looked at
   * (`leaves`), the viewer goes on to its neighbour, or closes after the last.
   */
  private async moveTo (visibility: 'archive' | 'locked' | 'timeline', leaves: boolean, done: string): Promise<void> {
    const a = this.asset
    if (a === undefined) return
    const list = viewerList()
    try {
      const next = leaves ? (await list?.neighbour(a.id, 1)) ?? (await list?.neighbour(a.id, -1)) : undefined
      await actions.setVisibility([a.id], visibility)
      notify(done)
      if (!leaves) { this.asset = { ...a, isArchived: visibility === 'archive', visibility }; return }
      list?.removed?.(a.id)
      if (next !== undefined) navigate(`${this.basePath}/${next}${location.search}`, { replace: true }); else this.close()
    } catch (err) { notifyError(err) }
  }

  /** Into the locked folder (asking for the PIN first when it is closed), or, from it, back out. */
  private async lockedMove (): Promise<void> {
    this.menu = false
    if (this.asset?.visibility === 'locked') { await this.moveTo('timeline', this.basePath === '/locked', t.locked.movedOut(1)); return }
    try {
      const state = await actions.lockedFolder()
      if (state === 'closed') this.dialog = 'pin'
      if (state === 'open') await this.moveTo('locked', this.basePath !== '/locked', t.locked.movedIn(1))
    } catch (err) { notifyError(err) }
  }

  private renderDialog (a: Asset) {
    if (this.dialog === undefined) return nothing
    const title = this.dialog === 'link' ? t.sharing.shareLink : t.locked.moveIn
    return html`<div class="scrim" @click=${(e: Event) => { if (e.target === e.currentTarget) this.dialog = undefined }}>
      <div class="dlg" role="dialog" aria-modal="true" aria-label=${title}><h2>${title}</h2>
        ${this.dialog === 'link'
          ? html`<p class="muted">${t.sharing.shareLinkIntro(1)}</p>
            <hearth-links .links=${this.link === undefined ? [] : [this.link]} .target=${this.link === undefined ? { type: 'INDIVIDUAL', assetIds: [a.id] } : undefined}
              @changed=${(e: CustomEvent<SharedLink | undefined>) => { this.link = e.detail; if (e.detail === undefined) this.dialog = undefined }}></hearth-links>
            <div class="row"><button @click=${() => { this.dialog = undefined }}>${t.sharing.close}</button></div>`
          : html`<hearth-pin-form mode="unlock" cancellable @cancel=${() => { this.dialog = undefined }}
              @done=${() => { this.dialog = undefined; void this.moveTo('locked', this.basePath !== '/locked', t.locked.movedIn(1)) }}></hearth-pin-form>`}
      </div></div>`
  }

  /** Immich's asset jobs from the viewer's menu: read the file's metadata again, make the thumbnails again, convert a video again. */
  private async job (name: 'refresh-metadata' | 'regenerate-thumbnail' | 'transcode-video', done: string): Promise<void> {
    this.menu = false
    const a = this.asset
    if (a === undefined) return
    try {
      await api.post<void>('/api/assets/jobs', { assetIds: [a.id], name })
      notify(done)
    } catch (err) { notifyError(err) }
  }

  private renderMenu (a: Asset) {
    return html`<div class="more">
      <button class="icon" aria-label=${t.viewer.more} title=${t.viewer.more} aria-haspopup="menu" aria-expanded=${this.menu ? 'true' : 'false'} @click=${() => { this.menu = !this.menu }}>${icon('more')}</button>
      ${this.menu ? html`<div role="menu" aria-label=${t.viewer.more}>
        <button role="menuitem" @click=${() => this.job('refresh-metadata', t.viewer.metadataQueued)}>${t.viewer.refreshMetadata}</button>
        <button role="menuitem" @click=${() => this.job('regenerate-thumbnail', t.viewer.thumbnailsQueued)}>${t.viewer.regenerateThumbnails}</button>
        ${a.type === 'VIDEO' ? html`<button role="menuitem" @click=${() => this.job('transcode-video', t.viewer.transcodeQueued)}>${t.viewer.transcodeVideo}</button>` : nothing}
        ${a.visibility !== 'locked' ? html`<button role="menuitem" @click=${() => { this.menu = false; this.link = undefined; this.dialog = 'link' }}>${t.sharing.shareLink}</button>` : nothing}
        <button role="menuitem" @click=${() => void this.lockedMove()}>${a.visibility === 'locked' ? t.locked.moveOut : t.locked.moveIn}</button>
        ${a.stack == null ? nothing : html`
          ${a.stack.primaryAssetId === a.id ? nothing : html`<button role="menuitem" @click=${() => this.changeStack(() => api.put(`/api/stacks/${a.stack!.id}`, { primaryAssetId: a.id }), t.stacks.coverSet)}>${t.stacks.makeCover}</button>`}
          <button role="menuitem" @click=${() => this.changeStack(() => api.del(`/api/stacks/${a.stack!.id}/assets/${a.id}`), t.stacks.takenOut)}>${t.stacks.takeOut}</button>
          <button role="menuitem" @click=${() => this.changeStack(() => api.del(`/api/stacks/${a.stack!.id}`), t.stacks.unstacked(1))}>${t.stacks.unstack}</button>`}
      </div>` : nothing}</div>`
  }

  private async restore (): Promise<void> {
    const a = this.asset
    if (a === undefined) return
    try {
      await actions.restore([a.id])
      this.asset = { ...a, isTrashed: false }
      viewerList()?.removed?.(a.id)
      notify(t.selection.restored(1))
    } catch (err) { notifyError(err) }
  }

  private async rotate (): Promise<void> {
    const a = this.asset
    if (a === undefined) return
    const rotation = (this.rotation + 90) % 360
    this.rotation = rotation
    try {
      await api.put(`/api/assets/${a.id}/edits`, { rotation })
      viewerList()?.changed?.(a.id, { rotation })
    } catch (err) {
      this.rotation = (rotation + 270) % 360
      notifyError(err instanceof ApiError && err.status === 404 ? new Error(t.viewer.rotateUnavailable) : err)
    }
  }

  // ---- zoom and pan ----------------------------------------------------------------------------

  private zoomTo (scale: number, at?: { x: number, y: number }): void {
    const s = Math.min(8, Math.max(1, scale))
    if (s === 1) { this.scale = 1; this.tx = 0; this.ty = 0; return }
    if (at !== undefined) {
      // Keep the point under the cursor where it is.
      const rect = this.renderRoot.querySelector('.media')!.getBoundingClientRect()
      const cx = at.x - rect.left - rect.width / 2
      const cy = at.y - rect.top - rect.height / 2
      this.tx = cx - (cx - this.tx) * (s / this.scale)
      this.ty = cy - (cy - this.ty) * (s / this.scale)
    } else {
      this.tx *= s / this.scale; this.ty *= s / this.scale
    }
    this.scale = s
  }

  private readonly onWheel = (e: WheelEvent) => {
    if (this.asset?.type !== 'IMAGE') return
    e.preventDefault()
    this.zoomTo(this.scale * Math.exp(-e.deltaY / 300), { x: e.clientX, y: e.clientY })
  }

  private readonly onDown = (e: PointerEvent) => {
    if (this.asset?.type !== 'IMAGE' || (e.target as HTMLElement).closest('button') !== null) return
    this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId)
    if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()]
      this.pinch = { d: Math.hypot(a.x - b.x, a.y - b.y), scale: this.scale }
      this.drag = undefined
    } else if (this.scale > 1) {
      this.drag = { x: e.clientX, y: e.clientY, tx: this.tx, ty: this.ty }
    }
  }

  private readonly onMove = (e: PointerEvent) => {
    if (!this.pointers.has(e.pointerId)) return
    this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY })
    if (this.pinch !== undefined && this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()]
      this.zoomTo(this.pinch.scale * Math.hypot(a.x - b.x, a.y - b.y) / this.pinch.d, { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 })
    } else if (this.drag !== undefined) {
      this.tx = this.drag.tx + e.clientX - this.drag.x
      this.ty = this.drag.ty + e.clientY - this.drag.y
    }
  }

  private readonly onUp = (e: PointerEvent) => {
    this.pointers.delete(e.pointerId)
    if (this.pointers.size < 2) this.pinch = undefined
    if (this.pointers.size === 0) this.drag = undefined
  }

  // ---- rendering -------------------------------------------------------------------------------

  private renderMedia (a: Asset) {
    const alt = t.viewer.alt(a.originalFileName, new Date(a.localDateTime).toLocaleDateString(undefined, { timeZone: 'UTC', dateStyle: 'long' }))
    const turned = this.rotation % 180 !== 0
    const transform = `translate(${this.tx}px, ${this.ty}px) scale(${this.scale}) rotate(${this.rotation}deg)`
    if (a.type === 'VIDEO') {
      return html`<div class="frame" style="transform:${transform}">
        <video class="play" controls autoplay playsinline preload="metadata" src=${media.video(a.id)} poster=${media.preview(a.id)} aria-label=${alt}
          @ended=${() => this.onVideoEnded()} @error=${() => this.onVideoEnded()}></video></div>`
    }
    const ph = placeholder(a.id, a.thumbhash)
    // Zoomed in past the preview's 1440 px: the original, when the browser can show it.
    const src = this.scale > 1.5 && BROWSER_IMAGES.test(a.originalMimeType) ? media.original(a.id) : media.preview(a.id)
    const fit = turned ? 'max-width:100dvh;max-height:100vw' : ''
    return html`<div class="frame" style="transform:${transform}" @dblclick=${(e: MouseEvent) => this.zoomTo(this.scale > 1 ? 1 : 2.5, { x: e.clientX, y: e.clientY })}>
      ${ph !== undefined && !this.previewLoaded ? html`<div class="ph" style="background-image:url(${ph})"></div>` : nothing}
      ${a.thumbhash === null && a.ingestStatus !== 'failed' ? nothing : html`<img class="main ${this.previewLoaded ? 'loaded' : ''}" style=${fit} src=${src} alt=${alt} draggable="false"
        @load=${() => { this.previewLoaded = true }}>`}
      ${this.motion && a.livePhotoVideoId !== null ? html`<video class="motion" autoplay playsinline src=${media.video(a.livePhotoVideoId)} @ended=${() => { this.motion = false }} aria-label=${t.viewer.playMotion}></video>` : nothing}
    </div>`
  }

  override render () {
    const a = this.asset
    const ready = a !== undefined && a.id === this.assetId
    // A partner's photo (partner sharing) is theirs to change: it is shown, zoomed and downloaded only.
    const mine = ready && a.ownerId === session.user?.id
    const shows = this.playing ? html`<div class="slidebar" role="toolbar" aria-label=${t.viewer.slideshow}>
        <button class="icon" aria-label=${this.paused ? t.viewer.resume : t.viewer.pause} title=${this.paused ? t.viewer.resume : t.viewer.pause} @click=${() => this.togglePause()}>${icon(this.paused ? 'play' : 'pause')}</button>
        <select aria-label=${t.viewer.slideSeconds} @change=${(e: Event) => { localStorage.setItem(SLIDE_KEY, (e.target as HTMLSelectElement).value); this.scheduleSlide() }}>
          ${SLIDE_CHOICES.map((n) => html`<option value=${n} ?selected=${n === this.slideSeconds}>${t.viewer.seconds(n)}</option>`)}</select>
        <button class="icon" aria-label=${t.viewer.stopSlideshow} title=${t.viewer.stopSlideshow} @click=${() => this.stopSlideshow()}>${icon('close')}</button>
      </div>` : nothing
    return html`<div class="stage ${this.playing ? 'show' : ''} ${this.controls ? 'controls' : ''}" @mousemove=${() => { if (this.playing) this.showControls() }} @wheel=${this.onWheel} @pointerdown=${this.onDown} @pointermove=${this.onMove} @pointerup=${this.onUp} @pointercancel=${this.onUp}>
      <div class="bar">
        <button class="icon close" aria-label=${t.viewer.close} title=${t.viewer.close} @click=${() => this.close()}>${icon('close')}</button>
        <span class="name">${ready ? a.originalFileName : ''}</span>
        ${ready && a.isTrashed ? html`<span class="trashed">· ${t.viewer.trashed}</span>` : ready && a.isArchived ? html`<span class="trashed">· ${t.viewer.archivedBadge}</span>` : nothing}
        <span class="spacer"></span>
        ${ready && a.livePhotoVideoId !== null && a.type === 'IMAGE' ? html`<button class="icon" aria-pressed=${this.motion} aria-label=${this.motion ? t.viewer.stopMotion : t.viewer.playMotion} title=${t.viewer.playMotion} @click=${() => { this.motion = !this.motion }}>${icon('motion')}</button>` : nothing}
        ${ready && a.type === 'IMAGE' ? html`
          <button class="icon" aria-label=${t.viewer.zoomIn} title=${t.viewer.zoomIn} @click=${() => this.zoomTo(this.scale * 1.5)}>${icon('zoomIn')}</button>
          <button class="icon" aria-label=${t.viewer.zoomOut} title=${t.viewer.zoomOut} ?disabled=${this.scale <= 1} @click=${() => this.zoomTo(this.scale / 1.5)}>${icon('zoomOut')}</button>
          ${mine ? html`<button class="icon" aria-label=${t.viewer.rotate} title=${t.viewer.rotate} @click=${() => this.rotate()}>${icon('rotate')}</button>` : nothing}` : nothing}
        ${mine && !a.isTrashed ? html`<button class="icon" aria-pressed=${a.isFavorite} aria-label=${a.isFavorite ? t.viewer.unfavourite : t.viewer.favourite} title=${a.isFavorite ? t.viewer.unfavourite : t.viewer.favourite} @click=${() => this.favourite()}>${icon(a.isFavorite ? 'heart' : 'heartOutline')}</button>` : nothing}
        ${mine && !a.isTrashed ? html`<button class="icon" aria-pressed=${a.isArchived} aria-label=${a.isArchived ? t.viewer.unarchive : t.viewer.archive} title=${a.isArchived ? t.viewer.unarchive : t.viewer.archive} @click=${() => this.archive()}>${icon('archive')}</button>` : nothing}
        ${ready ? html`<a class="button icon" style="color:#fff" href=${media.original(a.id)} download aria-label=${t.viewer.download} title=${t.viewer.download}>${icon('download')}</a>` : nothing}
        ${ready && !this.playing && (this.hasNext || this.hasPrev) ? html`<button class="icon" aria-label=${t.viewer.slideshow} title=${t.viewer.slideshow} @click=${() => this.startSlideshow()}>${icon('play')}</button>` : nothing}
        <button class="icon" aria-pressed=${this.info} aria-label=${t.viewer.info} title=${t.viewer.info} @click=${() => { this.info = !this.info }}>${icon('info')}</button>
        ${mine ? (a.isTrashed
          ? html`<button class="icon" aria-label=${t.viewer.restore} title=${t.viewer.restore} @click=${() => this.restore()}>${icon('restore')}</button>`
          : html`<button class="icon" aria-label=${t.viewer.trash} title=${t.viewer.trash} @click=${() => this.trash()}>${icon('trash')}</button>`) : nothing}
        ${mine && !a.isTrashed ? this.renderMenu(a) : nothing}
      </div>
      ${this.hasPrev ? html`<button class="icon nav prev" aria-label=${t.viewer.previous} title=${t.viewer.previous} @click=${() => this.step(-1)}>${icon('left')}</button>` : nothing}
      ${this.hasNext ? html`<button class="icon nav next" aria-label=${t.viewer.next} title=${t.viewer.next} @click=${() => this.step(1)}>${icon('right')}</button>` : nothing}
      <div class="media">${ready ? this.renderMedia(a) : nothing}</div>
      ${shows}
      ${ready && !this.playing && this.stack !== undefined && this.stack.assets.length > 1 ? html`<div class="stack" role="group" aria-label=${t.stacks.strip}>
        ${this.stack.assets.map((x, i, all) => html`<button aria-current=${x.id === a.id ? 'true' : 'false'} aria-label=${t.stacks.member(i + 1, all.length)} title=${x.originalFileName}
          @click=${() => this.showInStack(x.id)}><img src=${media.thumbnail(x.id)} alt="" loading="lazy"></button>`)}</div>` : nothing}
      ${this.error !== '' ? html`<p class="msg" role="alert">${this.error}</p>` : nothing}
      ${ready && a.ingestStatus === 'failed' ? html`<p class="msg" role="status">${t.viewer.failed(a.failureReason ?? '')}</p>` : ready && a.thumbhash === null && a.type === 'IMAGE' ? html`<p class="msg" role="status">${t.viewer.notReady}</p>` : nothing}
    </div>
    ${ready ? this.renderDialog(a) : nothing}
    ${this.info && ready ? html`<hearth-info-panel .asset=${a} @close=${() => { this.info = false }} @asset-updated=${this.onUpdated}></hearth-info-panel>` : nothing}`
  }
}
customElements.define('hearth-viewer', Viewer)
