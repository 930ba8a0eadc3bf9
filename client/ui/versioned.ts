/**
 * A model of the page that components follow (hooks.ts useVersion): a version that changes with
 * every change, and listeners told of it. The page's stores (the log, the share jobs, the
 * torrents) extend it and call changed() when they change.
 */
export class Versioned {
  version = 0;
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
