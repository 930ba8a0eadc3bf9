/** How a BitTorrent peer is named in the details: its client (from an Azureus-style peer id prefix) and a short form of its id. */
/** Known BitTorrent client prefixes (Azureus-style "-XX1234-" peer ids). */
const CLIENTS: Record<string, string> = {
  EP: 'edge-p2p',
  WW: 'WebTorrent',
  WD: 'WebTorrent Desktop',
  qB: 'qBittorrent',
  TR: 'Transmission',
  UT: 'µTorrent',
  ut: 'µTorrent',
  LT: 'libtorrent',
  lt: 'libTorrent',
  DE: 'Deluge',
  AZ: 'Vuze',
  BI: 'BiglyBT',
};

export function clientName(raw: string): string {
  const m = /^-([A-Za-z~]{2})([0-9A-Za-z]{4})-$/.exec(raw);
  if (!m) return raw.replace(/[^\x20-\x7e]/g, '?') || 'unknown';
  const [, code, version] = m;
  const name = CLIENTS[code!] ?? code!;
  return `${name} ${version!.replace(/^0+(?=.)/, '')}`;
}

/** A BitTorrent peer id (40 hex digits) shortened: its random printable tail, else its last hex digits. */
export function shortPeerId(hex: string): string {
  if (/^[0-9a-f]{40}$/i.test(hex)) {
    const bytes = hex.match(/../g)!.map((h) => parseInt(h, 16));
    const tail = bytes.slice(8);
    if (tail.every((b) => b >= 0x21 && b <= 0x7e)) return `${String.fromCharCode(...tail.slice(0, 8))}…`;
  }
  return hex.length > 10 ? `…${hex.slice(-8)}` : hex;
}
