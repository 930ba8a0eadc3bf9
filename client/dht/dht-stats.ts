/** The counters of one DHT node (p2p.dht.stats() shows them); each module counts its own. */
export function newDhtStats() {
  return {
    lookups: 0,
    lookupHops: 0,
    maintenanceLookups: 0,
    routed: 0,
    replicasSent: 0,
    handedOver: 0,
    received: 0,
    dropped: 0,
    badMessages: 0,
    failures: 0,
    /** Records (a set: members) of `store` messages refused, by reason. */
    refusedBudget: 0,
    refusedRange: 0,
    refusedSignature: 0,
    refusedRule: 0,
    /** Writes (put, add) refused because their signature does not verify. */
    refusedWrites: 0,
  };
}

export type DhtNodeStats = ReturnType<typeof newDhtStats>;
