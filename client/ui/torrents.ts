/**
 * The BitTorrent part of the page: share a file, several files or a folder (drop zone, file and
 * folder pickers; several files or a folder make one multi-file torrent), download a magnet
 * link, the list of this tab's torrents with progress, rates, ETA and peers (a multi-file
 * torrent's files listed under it, to select and save one by one), the details of the selected
 * torrent (peers table, piece map), and the rate limits. Uses only window.p2p.
 */
import type { P2P, ShareItem, TorrentHandle } from '../api';
import { copyText, describeError, displayName, el, formatBytes, formatDuration, formatRate, isolatedName, nameElement, plural, safeText, setFill, shortId } from './dom';
import { flash, TorrentDetails } from './torrent-details';
import { connectionSummary } from './connection-summary';
import { entriesOf, walk } from './dropped-files';
import { FileList } from './file-list';
import { pageClock, type Clock } from './clock';

export interface TorrentUIHooks {
  showError(message: string): void;
  log(text: string): void;
}

export interface TorrentUI {
  share: HTMLElement;
  download: HTMLElement;
  list: HTMLElement;
  details: HTMLElement;
  limits: HTMLElement;
}

const SESSION_LIMITS = 'p2p.rateLimits';

interface Row {
  infoHash: string;
  handle: TorrentHandle;
  tr: HTMLTableRowElement;
  name: HTMLElement;
  status: HTMLElement;
  notes: HTMLElement;
  size: HTMLElement;
  bar: HTMLElement;
  fill: HTMLElement;
  pct: HTMLElement;
  down: HTMLElement;
  up: HTMLElement;
  rates: HTMLElement;
  eta: HTMLElement;
  peers: HTMLElement;
  actions: HTMLElement;
  detailsButton: HTMLButtonElement;
  save: HTMLAnchorElement | null;
  saveUrl: string | null;
  revokeTimer: ReturnType<typeof setTimeout> | undefined;
  offs: (() => void)[];
  done: boolean;
  /** A multi-file torrent's files, in a row under its own (once the metadata is here). */
  files: FileList | null;
}

export function createTorrentUI(p2p: P2P, hooks: TorrentUIHooks, clock: Clock = pageClock()): TorrentUI {
  // ---------------------------------------------------------------------------------------------
  // Torrent list

  const rowsBody = el('tbody', { id: 'torrent-rows' });
  const emptyRow = el(
    'tr',
    { class: 'empty-row' },
    el('td', { colspan: '7', class: 'muted empty' }, 'No torrents yet. Share a file, or paste a magnet link to download one.'),
  );
  const countBadge = el('span', { class: 'count', id: 'torrent-count' }, '0');
  const totals = el('span', { class: 'muted totals', id: 'torrent-totals' });
  /** The tab's torrent connections and the offers its budget refused. */
  const connections = el('p', { class: 'muted', id: 'torrent-connections', 'data-testid': 'torrent-connections' });
  const rows = new Map<string, Row>();
  let selected: string | null = null;
  const details = new TorrentDetails(() => select(null));

  const list = el(
    'section',
    { class: 'card wide', id: 'torrents-card' },
    el('div', { class: 'card-head' }, el('h2', {}, 'Torrents ', countBadge), totals),
    el(
      'div',
      { class: 'scroll-x' },
      el(
        'table',
        { class: 'links torrents', id: 'torrents' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['Name', 'Size', 'Progress', 'Speed ↓ / ↑', 'ETA', 'Peers', ''].map((h) => el('th', {}, h)),
          ),
        ),
        rowsBody,
      ),
    ),
    connections,
  );

  function select(infoHash: string | null): void {
    selected = infoHash;
    for (const r of rows.values()) {
      const on = r.infoHash === infoHash;
      r.tr.classList.toggle('selected', on);
      r.detailsButton.textContent = on ? 'Hide' : 'Details';
      r.detailsButton.setAttribute('aria-pressed', String(on));
    }
    details.show(infoHash ? (rows.get(infoHash)?.handle ?? null) : null);
  }

  function makeRow(handle: TorrentHandle): Row {
    const name = el('bdi', { class: 'name' });
    const status = el('span', { class: 'pill' });
    const notes = el('span', { class: 'notes' });
    const fill = el('div', { class: 'fill' });
    const bar = el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill);
    const pct = el('span', { class: 'pct' });
    const detailsButton = el('button', { class: 'small details-toggle', 'aria-pressed': 'false' }, 'Details');
    const remove = el('button', { class: 'small danger remove', title: 'Stop this torrent in this tab' }, 'Remove');
    const actions = el('div', { class: 'actions-inner' }, detailsButton, remove);
    const down = el('span', { class: 'rate down', title: 'download rate' });
    const up = el('span', { class: 'rate up' });
    const nameCell = el('td', { class: 'name-cell', 'data-label': 'Name' }, name, el('div', { class: 'sub' }, status, notes));
    const tr = el(
      'tr',
      { 'data-infohash': handle.infoHash, class: 'torrent' },
      nameCell,
      el('td', { class: 'num', 'data-label': 'Size' }),
      el('td', { class: 'progress-cell', 'data-label': 'Progress' }, bar, pct),
      el('td', { class: 'num rates', 'data-label': 'Speed ↓ / ↑' }, el('div', {}, down, up)),
      el('td', { class: 'num', 'data-label': 'ETA' }),
      el('td', { class: 'num', 'data-label': 'Peers' }),
      el('td', { class: 'actions' }, actions),
    );
    const cells = tr.children;
    const row: Row = {
      infoHash: handle.infoHash,
      handle,
      tr,
      name,
      status,
      notes,
      size: cells[1] as HTMLElement,
      bar,
      fill,
      pct,
      down,
      up,
      rates: cells[3] as HTMLElement,
      eta: cells[4] as HTMLElement,
      peers: cells[5] as HTMLElement,
      actions,
      detailsButton,
      save: null,
      saveUrl: null,
      revokeTimer: undefined,
      offs: [],
      done: false,
      files: null,
    };
    detailsButton.addEventListener('click', () => select(selected === row.infoHash ? null : row.infoHash));
    name.addEventListener('click', () => select(row.infoHash));
    remove.addEventListener('click', () => {
      const label = isolatedName(row.handle.name());
      row.handle.remove();
      hooks.log(`removed torrent ${label}`);
      refresh(true);
    });
    row.offs.push(
      handle.on('progress', () => schedule()),
      handle.on('warning', ({ message }) => hooks.log(`${isolatedName(row.handle.name())}: ${message}`)),
      handle.on('error', ({ message }) => {
        hooks.log(`${isolatedName(row.handle.name())}: error: ${message}`);
        hooks.showError(`${isolatedName(row.handle.name())}: ${message}`);
      }),
    );
    void handle.done.then(() => {
      if (rows.get(row.infoHash) === row) {
        hooks.log(`${isolatedName(row.handle.name())} is complete`);
        schedule();
      }
    });
    return row;
  }

  /**
   * The Save link: the service worker's streamed file (`saveUrl()`: nothing is assembled in
   * memory) when it controls the page; otherwise (an insecure origin, no service worker yet) a
   * Blob of the pieces, made on the first click and dropped a minute later.
   */
  function addSave(row: Row): void {
    const a = el('a', { class: 'button save-link', title: 'Save the file to disk' }, 'Save');
    row.save = a;
    setSaveTarget(row);
    let preparing = false;
    a.addEventListener('click', (e) => {
      if (setSaveTarget(row)) return; // the service worker streams it from storage
      if (row.saveUrl) return; // the object URL is ready: let the browser download it
      e.preventDefault();
      if (preparing) return;
      preparing = true;
      a.textContent = 'Preparing…';
      row.handle
        .blob()
        .then((blob) => {
          row.saveUrl = URL.createObjectURL(blob);
          a.href = row.saveUrl;
          a.textContent = 'Save';
          a.click();
          // Keep the Blob only for a while; a later click prepares it again.
          clearTimeout(row.revokeTimer);
          row.revokeTimer = setTimeout(() => revokeSave(row), 60_000);
        })
        .catch((err: unknown) => {
          a.textContent = 'Save';
          hooks.showError(`Could not save ${isolatedName(row.handle.name())}: ${describeError(err)}`);
        })
        .finally(() => {
          preparing = false;
        });
    });
    row.actions.prepend(a);
  }

  /**
   * Point the Save link at the service worker's URL when it controls the page (true), else at
   * the Blob prepared by a click. A link to the service worker's URL has no `download`
   * attribute: the browser sends such downloads around the service worker; its
   * Content-Disposition names the file instead.
   */
  function setSaveTarget(row: Row): boolean {
    const a = row.save;
    if (!a) return false;
    if (navigator.serviceWorker?.controller) {
      a.href = row.handle.saveUrl();
      a.removeAttribute('download');
      return true;
    }
    a.download = displayName(row.handle.name()) || 'download.bin';
    if (!row.saveUrl) a.removeAttribute('href');
    return false;
  }

  function revokeSave(row: Row): void {
    clearTimeout(row.revokeTimer);
    if (row.saveUrl) URL.revokeObjectURL(row.saveUrl);
    row.saveUrl = null;
    row.save?.removeAttribute('href');
  }

  function updateRow(row: Row): { down: number; up: number } {
    const h = row.handle;
    const p = h.progress();
    const peerCount = h.peers().length;
    const hasMeta = p.pieces > 0;
    // Of the selected files (every file unless some were unticked).
    const remaining = hasMeta ? p.selectedLength - p.selectedHave : NaN;
    const fraction = p.done ? 1 : hasMeta && p.selectedLength > 0 ? p.selectedHave / p.selectedLength : 0;
    // Never show 100% before the last piece is verified.
    const percent = p.done ? 100 : Math.min(99.9, Math.floor(fraction * 1000) / 10);

    row.name.textContent = displayName(h.name());
    row.name.title = `${displayName(h.name())}\ninfo hash ${h.infoHash}`;
    const [statusText, statusKind] = p.complete
      ? ['seeding', 'ok']
      : p.done
        ? [`${p.selectedFiles} of ${p.files} files here`, 'ok']
      : !hasMeta
        ? ['fetching metadata', 'warn-pill']
        : peerCount === 0
          ? ['waiting for peers', 'muted-pill']
          : ['downloading', 'info'];
    if (p.multiFile && !row.files) {
      row.files = new FileList(h, hooks.showError);
      row.tr.after(row.files.element);
    }
    row.files?.update();
    row.status.textContent = statusText;
    row.status.className = `pill ${statusKind}`;
    const notes: string[] = [];
    if (p.corruptPieces) notes.push(plural(p.corruptPieces, 'corrupt piece'));
    if (p.banned) notes.push(`${plural(p.banned, 'peer')} banned`);
    row.notes.textContent = notes.join(' · ');
    row.notes.className = notes.length ? 'notes warn-text' : 'notes';

    row.size.textContent = hasMeta ? formatBytes(p.length) : '—';
    row.size.title = hasMeta
      ? `${p.length.toLocaleString()} bytes in ${plural(p.pieces, 'piece')}${p.multiFile ? `, ${plural(p.files, 'file')}` : ''}`
      : 'size unknown until the metadata arrives';
    setFill(row.fill, percent);
    row.fill.className = p.done ? 'fill done' : 'fill';
    row.bar.setAttribute('aria-valuenow', String(percent));
    row.pct.textContent = `${percent}%`;
    row.pct.title = hasMeta ? `${p.have} of ${plural(p.pieces, 'piece')}` : '';
    row.down.textContent = `↓ ${formatRate(p.downRate)}`;
    row.up.textContent = `↑ ${formatRate(p.upRate)}`;
    row.up.title = `${formatBytes(p.uploaded)} uploaded`;
    row.eta.textContent = p.done ? 'done' : p.downRate >= 1 && Number.isFinite(remaining) ? formatDuration(remaining / p.downRate) : '—';
    row.eta.title = p.done ? '' : Number.isFinite(remaining) ? `${formatBytes(remaining)} left` : '';
    row.peers.textContent = String(peerCount);

    if (p.done && !row.done) {
      row.done = true;
      // A multi-file torrent is saved file by file, from its file list.
      if (!p.multiFile) addSave(row);
    }
    setSaveTarget(row);
    return { down: p.downRate, up: p.upRate };
  }

  let lastFull = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;
  /**
   * Refresh the rows; when `full` (once a second, and after the UI started or removed one), first
   * sync them with p2p.torrents() and refresh the peers table too. (Progress events only update
   * the rows of the handles we hold: each p2p.torrents() call makes new handles.)
   */
  function refresh(full = false): void {
    clearTimeout(pending);
    pending = undefined;
    if (full) sync();
    if (rows.size === 0) rowsBody.replaceChildren(emptyRow);
    else emptyRow.remove();
    countBadge.textContent = String(rows.size);

    let down = 0;
    let up = 0;
    for (const row of rows.values()) {
      const r = updateRow(row);
      down += r.down;
      up += r.up;
    }
    totals.textContent = rows.size ? `↓ ${formatRate(down)} · ↑ ${formatRate(up)}` : '';
    if (full) connections.textContent = connectionSummary(p2p.stats().torrentConnections);
    const now = Date.now();
    if (selected && rows.has(selected)) {
      const isFull = full || now - lastFull >= 1000;
      if (isFull) lastFull = now;
      details.update(isFull);
    }
  }

  function sync(): void {
    const handles = p2p.torrents();
    const seen = new Set<string>();
    for (const h of handles) {
      seen.add(h.infoHash);
      let row = rows.get(h.infoHash);
      if (!row) {
        row = makeRow(h);
        rows.set(h.infoHash, row);
        rowsBody.append(row.tr);
      }
    }
    for (const [hash, row] of rows) {
      if (seen.has(hash)) continue;
      for (const off of row.offs) off();
      revokeSave(row);
      row.tr.remove();
      row.files?.element.remove();
      rows.delete(hash);
      if (selected === hash) select(null);
    }
  }

  /** Refresh soon (progress events come per piece: coalesce them). */
  function schedule(): void {
    pending ??= setTimeout(() => refresh(false), 200);
  }
  clock.subscribe(() => refresh(true));

  /** After the UI started a torrent: show it, and its details if nothing else is selected. */
  function focusTorrent(infoHash: string): void {
    refresh(true);
    if (!selected && rows.has(infoHash)) select(infoHash);
    rows.get(infoHash)?.tr.scrollIntoView({ block: 'nearest' });
  }

  // ---------------------------------------------------------------------------------------------
  // Share a file

  const fileInput = el('input', { type: 'file', id: 'share-input', multiple: '', class: 'visually-hidden', tabindex: '-1' });
  const pick = el('label', { for: 'share-input', class: 'button', id: 'share-pick' }, 'Choose files…');
  // A picked folder is one torrent of its files (webkitdirectory: every browser engine has it).
  const folderInput = el('input', { type: 'file', id: 'share-folder-input', webkitdirectory: '', class: 'visually-hidden', tabindex: '-1' });
  const pickFolder = el('label', { for: 'share-folder-input', class: 'button', id: 'share-pick-folder' }, 'Choose a folder…');
  const zone = el(
    'div',
    { class: 'dropzone', id: 'dropzone', tabindex: '0', role: 'button', 'aria-label': 'Drop files here to share them, or press Enter to choose files' },
    el('div', { class: 'drop-icon', 'aria-hidden': 'true' }, '⇪'),
    el('div', {}, el('strong', {}, 'Drop files or a folder here'), el('span', { class: 'muted' }, ' to share them, or')),
    pick,
    pickFolder,
  );
  const jobs = el('div', { class: 'jobs', id: 'share-jobs' });
  const share = el(
    'section',
    { class: 'card', id: 'share-card' },
    el('h2', {}, 'Share a file'),
    zone,
    fileInput,
    folderInput,
    el('p', { class: 'hint muted' }, 'The file is read and cut in 256 KiB pieces, each hashed and stored in this browser as it is read (any size the browser’s storage allows), then seeded from this tab. Several files, or a folder, make one torrent: its files can be fetched one by one.'),
    jobs,
  );

  zone.addEventListener('click', (e) => {
    if (!(e.target instanceof Node && (pick.contains(e.target) || pickFolder.contains(e.target)))) fileInput.click();
  });
  zone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      fileInput.click();
    }
  });
  fileInput.addEventListener('change', () => {
    const files = [...(fileInput.files ?? [])];
    fileInput.value = '';
    shareFiles(files.map((file) => ({ path: file.name, file })), false);
  });
  folderInput.addEventListener('change', () => {
    const files = [...(folderInput.files ?? [])];
    folderInput.value = '';
    if (files.length === 0) hooks.showError('That folder holds no files: there is nothing to share.');
    else shareFiles(files.map((file) => ({ path: file.webkitRelativePath || file.name, file })), true);
  });
  const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  // The whole window accepts dropped files (a file dropped elsewhere would make the browser open
  // it and leave the page, and with it this peer).
  addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  addEventListener('dragleave', (e) => {
    if (!e.relatedTarget) zone.classList.remove('dragging');
  });
  addEventListener('drop', (e) => {
    zone.classList.remove('dragging');
    if (!hasFiles(e)) return;
    e.preventDefault();
    const dt = e.dataTransfer;
    if (!dt) return;
    // The entries can be taken only while the event runs; folders are walked after.
    const entries = entriesOf(dt);
    if (!entries) {
      shareFiles([...dt.files].map((file) => ({ path: file.name, file })), false);
      return;
    }
    walk(entries)
      .then(({ files, folder }) => {
        if (files.length === 0) hooks.showError('Nothing to share: the drop held no files.');
        else shareFiles(files, folder);
      })
      .catch((err: unknown) => hooks.showError(`Could not read what was dropped: ${describeError(err)}`));
  });

  let queue: Promise<void> = Promise.resolve();
  /** One file: a torrent of it. Several, or a folder: one multi-file torrent of them all. */
  function shareFiles(files: { path: string; file: File }[], folder: boolean): void {
    if (files.length === 0) return;
    if (files.length === 1 && !folder) {
      const { file } = files[0]!;
      const job = makeJob(file.name, file.size);
      queue = queue.then(() => runJob(file, file.name, file.size, job));
      return;
    }
    const items: ShareItem[] = files.map(({ path, file }) => ({ path, blob: file }));
    const root = files[0]!.path.split('/')[0] ?? '';
    const label = folder && files.every((f) => f.path.startsWith(`${root}/`)) ? root : `${files.length} files`;
    const size = files.reduce((n, f) => n + f.file.size, 0);
    const job = makeJob(`${label} (${plural(files.length, 'file')})`, size);
    queue = queue.then(() => runJob(items, label, size, job));
  }

  interface Job {
    root: HTMLElement;
    status: HTMLElement;
    bar: HTMLProgressElement;
    result: HTMLElement;
    error: HTMLElement;
    cancel: HTMLButtonElement;
  }

  function makeJob(label: string, size: number): Job {
    const status = el('span', { class: 'job-status muted' }, 'queued');
    const bar = el('progress', { class: 'job-bar', max: '1' });
    const dismiss = el('button', { class: 'dismiss small', title: 'Dismiss' }, '×');
    const cancel = el('button', { class: 'small cancel-share', title: 'Stop hashing and storing this file', hidden: '' }, 'Cancel');
    const root = el(
      'div',
      { class: 'share-job', 'data-state': 'queued' },
      el('div', { class: 'job-head' }, el('strong', { class: 'job-name' }, nameElement(label)), el('span', { class: 'muted' }, formatBytes(size)), cancel, dismiss),
      status,
      bar,
    );
    const result = el('div', { class: 'field-row', hidden: '' });
    const error = el('p', { class: 'field-error', role: 'alert', hidden: '' });
    root.append(result, error);
    dismiss.addEventListener('click', () => root.remove());
    jobs.prepend(root);
    while (jobs.childElementCount > 5) jobs.lastElementChild?.remove();
    return { root, status, bar, result, error, cancel };
  }

  function setJob(job: Job, state: string, text: string, progress?: number | null): void {
    job.root.dataset.state = state;
    job.status.textContent = text;
    if (progress === undefined) job.bar.hidden = true;
    else {
      job.bar.hidden = false;
      if (progress === null) job.bar.removeAttribute('value');
      else job.bar.value = progress;
    }
  }

  /** Share a file, or a list of files as one torrent named after `label` (their folder, or "N files"). */
  async function runJob(source: File | ShareItem[], label: string, size: number, job: Job): Promise<void> {
    try {
      if (size === 0) throw new Error(`${isolatedName(label)} ${Array.isArray(source) ? 'hold no bytes' : 'is empty'}: there is nothing to share.`);
      const abort = new AbortController();
      job.cancel.hidden = false;
      job.cancel.onclick = () => {
        job.cancel.disabled = true;
        job.cancel.textContent = 'Cancelling…';
        abort.abort();
      };
      setJob(job, 'checking', 'Checking that storage can hold it…', null);
      const { infoHash, magnet, name, renamed } = await p2p
        .share(source, Array.isArray(source) ? (label.endsWith(' files') ? undefined : label) : source.name, {
          signal: abort.signal,
          onProgress: ({ bytes, total }) => {
            const f = total > 0 ? bytes / total : 1;
            setJob(job, 'hashing', `hashing ${Math.floor(f * 100)} % · ${formatBytes(bytes)} of ${formatBytes(total)} stored`, f);
          },
        })
        .finally(() => (job.cancel.hidden = true));
      setJob(job, 'done', `Seeding · info hash ${infoHash.slice(0, 12)}…`);
      if (renamed) {
        // Said in the page: the network knows the file by this name, not by the one dropped.
        job.result.before(el('p', { class: 'renamed warn-text', 'data-testid': 'share-renamed' }, 'Renamed to “', nameElement(name), `”: ${renamed}.`));
      }
      const field = el('input', { class: 'magnet', readonly: '', 'aria-label': `magnet link of ${isolatedName(name)}` });
      field.value = magnet;
      field.addEventListener('focus', () => field.select());
      const copy = el('button', { class: 'copy' }, 'Copy');
      copy.addEventListener('click', () => {
        void copyText(magnet, field).then((r) => flash(copy, r === 'copied' ? 'Copied' : 'Press Ctrl+C'));
      });
      job.result.replaceChildren(field, copy);
      job.result.hidden = false;
      hooks.log(`sharing ${isolatedName(name)} (${formatBytes(size)}), info hash ${shortId(infoHash)}${renamed ? ` (renamed: ${renamed})` : ''}`);
      focusTorrent(infoHash);
    } catch (err) {
      if ((err as Error).name === 'AbortError') {
        setJob(job, 'cancelled', 'Cancelled: nothing of the file was kept.');
        hooks.log(`cancelled the share of ${isolatedName(label)}`);
        return;
      }
      setJob(job, 'error', 'Not shared');
      job.error.textContent = safeText(describeError(err));
      job.error.hidden = false;
      hooks.log(`could not share ${isolatedName(label)}: ${describeError(err)}`);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Download

  const dlInput = el('input', {
    id: 'download-input',
    type: 'text',
    placeholder: 'magnet:?xt=urn:btih:… or info hash',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'download-error',
  });
  const dlButton = el('button', { type: 'submit', id: 'download-button' }, 'Download');
  const dlError = el('p', { class: 'field-error', id: 'download-error', role: 'alert', hidden: '' });
  const form = el(
    'form',
    { id: 'download-form', novalidate: '' },
    el('label', { for: 'download-input', class: 'muted label' }, 'Magnet link or info hash'),
    el('div', { class: 'field-row' }, dlInput, dlButton),
    dlError,
  );
  const download = el(
    'section',
    { class: 'card', id: 'download-card' },
    el('h2', {}, 'Download'),
    form,
    el('p', { class: 'hint muted' }, 'Pieces come from every peer of the swarm at once, rarest first; each is checked against its SHA-1 hash.'),
  );
  function dlProblem(message: string | null): void {
    dlError.textContent = message ?? '';
    dlError.hidden = !message;
    if (message) dlInput.setAttribute('aria-invalid', 'true');
    else dlInput.removeAttribute('aria-invalid');
  }
  dlInput.addEventListener('input', () => dlProblem(null));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = dlInput.value.trim();
    if (!text) {
      dlProblem('Paste a magnet link (magnet:?xt=urn:btih:…) or a 40-character hex info hash.');
      return;
    }
    dlButton.disabled = true;
    dlButton.textContent = 'Starting…';
    p2p
      .download(text)
      .then((h) => {
        dlInput.value = '';
        dlProblem(null);
        hooks.log(`downloading ${isolatedName(h.name())} (${shortId(h.infoHash)})`);
        focusTorrent(h.infoHash);
      })
      .catch((err: unknown) => dlProblem(`Cannot download this: ${describeError(err)}`))
      .finally(() => {
        dlButton.disabled = false;
        dlButton.textContent = 'Download';
      });
  });

  // ---------------------------------------------------------------------------------------------
  // Rate limits

  const limitInput = (id: string, label: string) =>
    el('input', { id, type: 'number', min: '0', step: 'any', inputmode: 'decimal', placeholder: 'unlimited', 'aria-label': label });
  const upInput = limitInput('limit-up', 'upload limit in KiB/s');
  const downInput = limitInput('limit-down', 'download limit in KiB/s');
  const limitsStatus = el('p', { class: 'muted', id: 'limits-status' });
  const limitsError = el('p', { class: 'field-error', id: 'limits-error', role: 'alert', hidden: '' });
  const limits = el(
    'section',
    { class: 'card', id: 'limits-card' },
    el('h2', {}, 'Rate limits'),
    el(
      'div',
      { class: 'limits' },
      el('label', { for: 'limit-up' }, '↑ Upload'),
      upInput,
      el('span', { class: 'muted' }, 'KiB/s'),
      el('label', { for: 'limit-down' }, '↓ Download'),
      downInput,
      el('span', { class: 'muted' }, 'KiB/s'),
    ),
    limitsStatus,
    limitsError,
  );

  /** KiB/s typed in a field: NaN when invalid, Infinity when empty (unlimited). */
  function kib(input: HTMLInputElement): number {
    const t = input.value.trim();
    if (t === '') return Infinity;
    const v = Number(t);
    return Number.isFinite(v) && v >= 0 ? v : NaN;
  }
  const describeLimit = (k: number) => (Number.isFinite(k) && k > 0 ? `${k} KiB/s` : 'unlimited');
  let applied = '';
  function applyLimits(): void {
    const up = kib(upInput);
    const down = kib(downInput);
    if (Number.isNaN(up) || Number.isNaN(down)) {
      limitsError.textContent = 'A limit is a number of KiB/s, 0 or more (empty or 0: unlimited).';
      limitsError.hidden = false;
      return;
    }
    limitsError.hidden = true;
    const key = `${up}/${down}`;
    if (key === applied) return;
    applied = key;
    const bytes = (k: number) => (Number.isFinite(k) && k > 0 ? Math.max(1, Math.round(k * 1024)) : Infinity);
    p2p.setRateLimits({ up: bytes(up), down: bytes(down) });
    limitsStatus.textContent = `Upload ${describeLimit(up)} · download ${describeLimit(down)}`;
    try {
      sessionStorage.setItem(SESSION_LIMITS, JSON.stringify({ up: upInput.value.trim(), down: downInput.value.trim() }));
    } catch {
      // Storage may be unavailable; the limits still apply to this tab.
    }
  }
  let limitTimer: ReturnType<typeof setTimeout> | undefined;
  for (const input of [upInput, downInput]) {
    input.addEventListener('change', () => {
      clearTimeout(limitTimer);
      applyLimits();
    });
    input.addEventListener('input', () => {
      clearTimeout(limitTimer);
      limitTimer = setTimeout(applyLimits, 600);
    });
  }
  // A reload of the tab keeps its limits (like its peer id).
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_LIMITS) ?? 'null') as { up?: unknown; down?: unknown } | null;
    if (saved && typeof saved.up === 'string') upInput.value = saved.up;
    if (saved && typeof saved.down === 'string') downInput.value = saved.down;
  } catch {
    // Ignore unreadable saved limits.
  }
  if (upInput.value || downInput.value) applyLimits();
  else limitsStatus.textContent = 'Upload unlimited · download unlimited';

  refresh(true);
  void p2p.ready.then(() => refresh(true));
  return { share, download, list, details: details.element, limits };
}
