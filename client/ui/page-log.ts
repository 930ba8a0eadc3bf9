/**
 * The page's error banners and its event log: what every card reports goes here (showError,
 * log), the newest first, a few errors and the last sixty events kept. No DOM: page.tsx draws it.
 */
import { safeText } from './dom';
import { Versioned } from './versioned';

const MAX_ERRORS = 4;
const MAX_EVENTS = 60;

export interface Entry {
  id: number;
  text: string;
  /** When it happened (the log's time column). */
  at: number;
}

export class PageLog extends Versioned {
  errors: Entry[] = [];
  events: Entry[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {
    super();
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
}
