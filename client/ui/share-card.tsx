/**
 * The share card: a drop zone (the whole window takes dropped files), a file picker and a folder
 * picker. One file makes a torrent of it; several files, or a folder, one multi-file torrent.
 * The shares run one after another, each shown as a job (share-jobs.ts).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { P2P } from '../api';
import { CopyButton } from './copy-button';
import { describeError, displayName, formatBytes, isolatedName } from './dom';
import { entriesOf, walk } from './dropped-files';
import { useVersion } from './hooks';
import { island } from './island';
import { planShare } from './share-plan';
import { ShareJobs, type ShareJob, type ShareJobHooks } from './share-jobs';

export interface ShareHooks extends ShareJobHooks {
  showError(message: string): void;
}

const HINT =
  'The file is read and cut in 256 KiB pieces, each hashed and stored in this browser as it is read (any size the browser’s storage allows), then seeded from this tab. Several files, or a folder, make one torrent: its files can be fetched one by one.';

function JobView({ job, jobs }: { job: ShareJob; jobs: ShareJobs }) {
  const field = useRef<HTMLInputElement>(null);
  const done = job.state === 'done' && job.magnet !== undefined && job.name !== undefined;
  return (
    <div class="share-job" data-state={job.state}>
      <div class="job-head">
        <strong class="job-name">
          <bdi>{displayName(job.label)}</bdi>
        </strong>
        <span class="muted">{formatBytes(job.size)}</span>
        <button class="small cancel-share" title="Stop hashing and storing this file" hidden={!job.cancellable} disabled={job.cancelling} onClick={() => jobs.cancel(job.id)}>
          {job.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
        <button class="dismiss small" title="Dismiss" onClick={() => jobs.dismiss(job.id)}>
          ×
        </button>
      </div>
      <span class="job-status muted">{job.status}</span>
      <progress class="job-bar" max={1} hidden={job.progress === undefined} {...(typeof job.progress === 'number' ? { value: job.progress } : {})} />
      {done && job.renamed && (
        // Said in the page: the network knows the file by this name, not by the one dropped.
        <p class="renamed warn-text" data-testid="share-renamed">
          Renamed to “<bdi>{displayName(job.name!)}</bdi>”: {job.renamed}.
        </p>
      )}
      <div class="field-row" hidden={!done}>
        {done && (
          <>
            <input ref={field} class="magnet" readOnly aria-label={`magnet link of ${isolatedName(job.name!)}`} value={job.magnet} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={job.magnet!} field={() => field.current} />
          </>
        )}
      </div>
      <p class="field-error" role="alert" hidden={job.error === undefined}>
        {job.error ?? ''}
      </p>
    </div>
  );
}

function ShareCard({ p2p, hooks }: { p2p: P2P; hooks: ShareHooks }) {
  const jobs = useMemo(() => new ShareJobs(p2p, hooks), [p2p, hooks]);
  useVersion(jobs);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const pickers = useRef<HTMLElement[]>([]);

  const shareFiles = (files: { path: string; file: File }[], folder: boolean) => {
    const plan = planShare(files, folder);
    if (plan) jobs.add(plan);
  };

  // The whole window accepts dropped files (a file dropped elsewhere would make the browser open
  // it and leave the page, and with it this peer).
  useEffect(() => {
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!e.relatedTarget) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      setDragging(false);
      if (!hasFiles(e)) return;
      e.preventDefault();
      const dt = e.dataTransfer;
      if (!dt) return;
      // The entries can be taken only while the event runs; folders are walked after.
      const entries = entriesOf(dt);
      if (!entries) return shareFiles([...dt.files].map((file) => ({ path: file.name, file })), false);
      walk(entries)
        .then(({ files, folder }) => {
          if (files.length === 0) hooks.showError('Nothing to share: the drop held no files.');
          else shareFiles(files, folder);
        })
        .catch((err: unknown) => hooks.showError(`Could not read what was dropped: ${describeError(err)}`));
    };
    addEventListener('dragover', over);
    addEventListener('dragleave', leave);
    addEventListener('drop', drop);
    return () => {
      removeEventListener('dragover', over);
      removeEventListener('dragleave', leave);
      removeEventListener('drop', drop);
    };
  }, [jobs, hooks]);

  const picked = (e: Event, folder: boolean) => {
    const input = e.currentTarget as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    if (!folder) return shareFiles(files.map((file) => ({ path: file.name, file })), false);
    if (files.length === 0) hooks.showError('That folder holds no files: there is nothing to share.');
    else shareFiles(files.map((file) => ({ path: file.webkitRelativePath || file.name, file })), true);
  };
  const onZoneClick = (e: MouseEvent) => {
    if (!(e.target instanceof Node && pickers.current.some((p) => p.contains(e.target as Node)))) fileInput.current?.click();
  };
  const onZoneKey = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    fileInput.current?.click();
  };
  const picker = (i: number) => (node: HTMLElement | null) => {
    if (node) pickers.current[i] = node;
  };

  return (
    <section class="card" id="share-card">
      <h2>Share a file</h2>
      <div
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        id="dropzone"
        tabIndex={0}
        role="button"
        aria-label="Drop files here to share them, or press Enter to choose files"
        onClick={onZoneClick}
        onKeyDown={onZoneKey}
      >
        <div class="drop-icon" aria-hidden="true">
          ⇪
        </div>
        <div>
          <strong>Drop files or a folder here</strong>
          <span class="muted"> to share them, or</span>
        </div>
        <label ref={picker(0)} for="share-input" class="button" id="share-pick">
          Choose files…
        </label>
        {/* A picked folder is one torrent of its files (webkitdirectory: every browser engine has it). */}
        <label ref={picker(1)} for="share-folder-input" class="button" id="share-pick-folder">
          Choose a folder…
        </label>
      </div>
      <input ref={fileInput} type="file" id="share-input" multiple class="visually-hidden" tabIndex={-1} onChange={(e) => picked(e, false)} />
      <input type="file" id="share-folder-input" {...{ webkitdirectory: true }} class="visually-hidden" tabIndex={-1} onChange={(e) => picked(e, true)} />
      <p class="hint muted">{HINT}</p>
      <div class="jobs" id="share-jobs">
        {jobs.jobs.map((j) => (
          <JobView key={j.id} job={j} jobs={jobs} />
        ))}
      </div>
    </section>
  );
}

export function createShareCard(p2p: P2P, hooks: ShareHooks): HTMLElement {
  return island(<ShareCard p2p={p2p} hooks={hooks} />);
}
