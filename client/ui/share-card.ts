/**
 * The share card: a drop zone (the whole window takes dropped files), a file picker and a folder
 * picker. One file makes a torrent of it; several files, or a folder, one multi-file torrent.
 * The shares run one after another, each shown as a job (share-job.ts).
 */
import type { P2P } from '../api';
import { makeCard, describeError, el } from './dom';
import { entriesOf, walk } from './dropped-files';
import { ShareJob } from './share-job';
import { planShare } from './share-plan';

export interface ShareHooks {
  showError(message: string): void;
  log(text: string): void;
  /** The torrent is seeding: show it in the list. */
  started(infoHash: string): void;
}

export function createShareCard(p2p: P2P, hooks: ShareHooks): HTMLElement {
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
  const card = makeCard(
    { id: 'share-card' },
    'Share a file',
    zone,
    fileInput,
    folderInput,
    el('p', { class: 'hint muted' }, 'The file is read and cut in 256 KiB pieces, each hashed and stored in this browser as it is read (any size the browser’s storage allows), then seeded from this tab. Several files, or a folder, make one torrent: its files can be fetched one by one.'),
    jobs,
  );

  let queue: Promise<void> = Promise.resolve();
  function shareFiles(files: { path: string; file: File }[], folder: boolean): void {
    const plan = planShare(files, folder);
    if (!plan) return;
    const job = new ShareJob(jobs, plan.jobLabel, plan.size);
    const source = plan.kind === 'file' ? plan.file : plan.items;
    queue = queue.then(() => job.run(p2p, source, plan.label, plan.size, hooks));
  }

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
  return card;
}
