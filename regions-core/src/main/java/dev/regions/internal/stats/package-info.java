/**
 * What each lane owes and has done, readable without holding its region: the
 * {@link dev.regions.internal.stats.Ledger} (live bytes, counts, watermarks, leases), the
 * {@link dev.regions.internal.stats.Lease} of each block's memory, the stepped counters behind the
 * watermarks, the process's stats and the record of each open region. Nothing here references a
 * region, lane, block or arena: the reclaimer reaches everything it gives back through these.
 */
package dev.regions.internal.stats;
