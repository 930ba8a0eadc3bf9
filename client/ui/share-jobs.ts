/**
 * The share card's jobs: each share of dropped or picked files, run one after another, with its
 * state (queued, checking, hashing with progress, done with its magnet, cancelled, error). The
 * newest first, MAX_JOBS kept. No DOM: the share card (share-card.tsx) draws them.
 */
import type { P2P, ShareItem } from '../api';
import { describeError, formatBytes, isolatedName, safeText, shortId } from './dom';
import { hashingText, type SharePlan } from './share-plan';
import { Versioned } from './versioned';

export interface ShareJobHooks {
  log(text: string): void;
  /** The torrent is seeding: show it in the list. */
  started(infoHash: string): void;
}

/** Jobs kept in the card; older ones are dropped. */
const MAX_JOBS = 5;

export type JobState = 'queued' | 'checking' | 'hashing' | 'done' | 'cancelled' | 'error';

export interface ShareJob {
  readonly id: number;
  readonly label: string;
  readonly size: number;
  state: JobState;
  status: string;
  /** The bar: a fraction, null while its length is unknown, undefined when there is none. */
  progress?: number | null;
  /** Cancel is offered (while checking and hashing). */
  cancellable: boolean;
  cancelling: boolean;
  /** Once done: the name shared under, its magnet, and why it was renamed ('' if not). */
  name?: string;
  magnet?: string;
  renamed?: string;
  error?: string;
}

export class ShareJobs extends Versioned {
  jobs: ShareJob[] = [];
  private readonly aborts = new Map<number, AbortController>();
  private queue: Promise<void> = Promise.resolve();
  private nextId = 1;

  constructor(
    private readonly p2p: Pick<P2P, 'share'>,
    private readonly hooks: ShareJobHooks,
  ) {
    super();
  }

  /** Queue the share of `plan`: it runs after the ones before it. */
  add(plan: SharePlan<File>): void {
    const job: ShareJob = { id: this.nextId++, label: plan.jobLabel, size: plan.size, state: 'queued', status: 'queued', cancellable: false, cancelling: false };
    this.jobs = [job, ...this.jobs].slice(0, MAX_JOBS);
    this.changed();
    const source = plan.kind === 'file' ? plan.file : plan.items;
    this.queue = this.queue.then(() => this.run(job, source, plan.label, plan.size));
  }

  dismiss(id: number): void {
    this.jobs = this.jobs.filter((j) => j.id !== id);
    this.changed();
  }

  cancel(id: number): void {
    const job = this.jobs.find((j) => j.id === id);
    if (job) job.cancelling = true;
    this.aborts.get(id)?.abort();
    this.changed();
  }

  private set(job: ShareJob, state: JobState, status: string, progress?: number | null): void {
    job.state = state;
    job.status = status;
    job.progress = progress;
    this.changed();
  }

  /** Share a file, or a list of files as one torrent named after `label` (their folder, or "N files"). */
  private async run(job: ShareJob, source: File | ShareItem[], label: string, size: number): Promise<void> {
    try {
      if (size === 0) throw new Error(`${isolatedName(label)} ${Array.isArray(source) ? 'hold no bytes' : 'is empty'}: there is nothing to share.`);
      const abort = new AbortController();
      this.aborts.set(job.id, abort);
      job.cancellable = true;
      this.set(job, 'checking', 'Checking that storage can hold it…', null);
      const { infoHash, magnet, name, renamed } = await this.p2p
        .share(source, Array.isArray(source) ? (label.endsWith(' files') ? undefined : label) : source.name, {
          signal: abort.signal,
          onProgress: ({ bytes, total }) => {
            const h = hashingText(bytes, total, formatBytes);
            this.set(job, 'hashing', h.text, h.fraction);
          },
        })
        .finally(() => {
          job.cancellable = false;
          this.aborts.delete(job.id);
        });
      Object.assign(job, { name, magnet, renamed: renamed ?? '' });
      this.set(job, 'done', `Seeding · info hash ${infoHash.slice(0, 12)}…`);
      this.hooks.log(`sharing ${isolatedName(name)} (${formatBytes(size)}), info hash ${shortId(infoHash)}${renamed ? ` (renamed: ${renamed})` : ''}`);
      this.hooks.started(infoHash);
    } catch (err) {
      if ((err as Error).name === 'AbortError') {
        this.set(job, 'cancelled', 'Cancelled: nothing of the file was kept.');
        this.hooks.log(`cancelled the share of ${isolatedName(label)}`);
        return;
      }
      job.error = safeText(describeError(err));
      this.set(job, 'error', 'Not shared');
      this.hooks.log(`could not share ${isolatedName(label)}: ${describeError(err)}`);
    }
  }
}
