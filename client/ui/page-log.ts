/**
 * The page's error banners and its event log: what every card reports goes here (showError,
 * log), the newest first, a few errors and the last sixty events kept. No DOM: page.tsx draws it.
 */
import { safeText } from './dom';

const MAX_ERRORS = 4;
const MAX_EVENTS = 60;

export interface Entry {
  id: number;
  text: string;
  /** When it happened (the log's time column). */
  at: number;
}

export class PageLog {
  errors: Entry[] = [];
  events: Entry[] = [];
  version = 0;
  private readonly listeners = new Set<() => void>();
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  showError(message: string): void {
    this.errors = [this.entry(message), ...this.errors].slice(0, MAX_ERRORS);
    this.changed();
  }

  dismiss(id: number): void {
    this.errors = this.errors.filter((e) => e.id !== id);
    this.changed();
  }

  log(text: string): void {
    this.events = [this.entry(text), ...this.events].slice(0, MAX_EVENTS);
    this.changed();
  }

  private entry(text: string): Entry {
    return { id: this.nextId++, text: safeText(text), at: this.now() };
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
