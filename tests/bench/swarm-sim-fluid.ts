/**
 * What theory says a swarm's distribution time is, to set the simulation against:
 *
 *  - the textbook bounds (Kurose & Ross 2.5.1): a server alone needs
 *      D_cs  = max(N·F/u_s, F/d_min)
 *    and no peer-to-peer schedule can beat
 *      D_p2p = max(F/u_s, F/d_min, N·F/(u_s + Σu_i));
 *  - the fluid model of Qiu and Srikant, "Modeling and performance analysis of BitTorrent-like
 *    peer-to-peer networks" (SIGCOMM 2004): x(t) leechers and y(t) seeds, in files,
 *      dx/dt = λ − θ·x − min(c·x, μ·(η·x + y))
 *      dy/dt = min(c·x, μ·(η·x + y)) − γ·y
 *    with μ each peer's upload rate in files/s (u/F), c each peer's download rate in files/s
 *    (d/F; ∞ without a download cap), η ∈ [0, 1] how much of a leecher's upload is useful
 *    (Qiu–Srikant argue η ≈ 1 with many pieces), λ arrivals/s, θ abort rate, γ seed
 *    departure rate.
 *
 * Here the swarm is a flash crowd: N leechers at t = 0 and one seed (x(0) = N, y(0) = 1), no
 * arrivals or aborts (λ = θ = 0), and seeds stay (γ = 0), as in the simulation. The model is
 * integrated with RK4, and its distribution time is when x(t) falls to `xEnd` (1/2: the last
 * leecher is done when less than half of one is left; x only decays exponentially once the
 * download side binds, so it never reaches 0 then). With c = ∞ and η = 1, x falls at a constant
 * (N+1)·μ and the time is (N − 1/2)·F/((N+1)·u): the model has no F/u_s term (a fluid leecher
 * can take its file from the whole swarm at once), so at large N it sits below D_p2p.
 */

/** Kurose & Ross's client-server time (s). `downlink` d_min (bytes/s; ∞: no cap). */
export function dCs(n: number, fileBytes: number, serverUp: number, downlink = Infinity): number {
  return Math.max((n * fileBytes) / serverUp, fileBytes / downlink);
}

/** Kurose & Ross's lower bound of a P2P distribution (s); every leecher uploads `peerUp`. */
export function dP2p(n: number, fileBytes: number, serverUp: number, peerUp: number, downlink = Infinity): number {
  return Math.max(fileBytes / serverUp, fileBytes / downlink, (n * fileBytes) / (serverUp + n * peerUp));
}

export interface FluidParams {
  /** Leechers at t = 0. */
  n: number;
  /** Seeds at t = 0 (1: the original seeder). */
  seeds?: number;
  /** μ: upload rate of a peer, in files/s (u/F). */
  mu: number;
  /** c: download rate of a peer, in files/s (d/F); Infinity: no cap. */
  c?: number;
  /** η: effectiveness of a leecher's upload (1). */
  eta?: number;
  /** λ arrivals/s, θ aborts/s per leecher, γ seed departures/s per seed (all 0). */
  lambda?: number;
  theta?: number;
  gamma?: number;
  /** Leechers left that count as done (1/2). */
  xEnd?: number;
  /** RK4 step (s); default 1/5000 of the time scale of the answer (see fluidTime). */
  step?: number;
}

/** The fluid model's right-hand side: (dx/dt, dy/dt). */
export function fluidRates(x: number, y: number, p: FluidParams): [number, number] {
  const { mu, c = Infinity, eta = 1, lambda = 0, theta = 0, gamma = 0 } = p;
  const xs = Math.max(0, x);
  const served = Math.min(c * xs, mu * (eta * xs + y));
  return [lambda - theta * xs - served, served - gamma * y];
}

/**
 * Time (s) until x(t) ≤ xEnd, integrating with RK4 (the last step interpolated linearly);
 * Infinity if it does not get there within 10⁷ steps.
 */
export function fluidTime(p: FluidParams): number {
  const xEnd = p.xEnd ?? 0.5;
  let x = p.n;
  let y = p.seeds ?? 1;
  if (x <= xEnd) return 0;
  // Default step: 1/5000 of the longer of the upload-bound time at η = 1 and the download-bound one.
  const c = p.c ?? Infinity;
  const scale = Math.max(p.n / (p.mu * (p.n + y)), Number.isFinite(c) ? Math.log(Math.max(2, p.n / xEnd)) / c : 0);
  const h = p.step ?? scale / 5000;
  let t = 0;
  for (let i = 0; i < 10_000_000; i++) {
    const [k1x, k1y] = fluidRates(x, y, p);
    const [k2x, k2y] = fluidRates(x + (h / 2) * k1x, y + (h / 2) * k1y, p);
    const [k3x, k3y] = fluidRates(x + (h / 2) * k2x, y + (h / 2) * k2y, p);
    const [k4x, k4y] = fluidRates(x + h * k3x, y + h * k3y, p);
    const nx = x + (h / 6) * (k1x + 2 * k2x + 2 * k3x + k4x);
    const ny = y + (h / 6) * (k1y + 2 * k2y + 2 * k3y + k4y);
    if (nx <= xEnd) return t + (h * (x - xEnd)) / (x - nx);
    x = nx;
    y = ny;
    t += h;
  }
  return Infinity;
}
