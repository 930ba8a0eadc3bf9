/** ICE servers for the peers, from configuration. */
export interface IceConfig {
  STUN_URLS?: string;
  TURN_URLS?: string;
  TURN_USERNAME?: string;
  TURN_CREDENTIAL?: string;
}

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * STUN_URLS (comma separated) and TURN_URLS + TURN_USERNAME + TURN_CREDENTIAL.
 * None by default: on a LAN host candidates suffice, and an unreachable STUN server stalls gathering.
 */
export function iceServers(cfg: IceConfig): IceServer[] {
  const out: IceServer[] = [];
  const stun = list(cfg.STUN_URLS);
  if (stun.length) out.push({ urls: stun });
  const turn = list(cfg.TURN_URLS);
  if (turn.length && cfg.TURN_USERNAME && cfg.TURN_CREDENTIAL) {
    out.push({ urls: turn, username: cfg.TURN_USERNAME, credential: cfg.TURN_CREDENTIAL });
  }
  return out;
}
