/**
 * The engine behind the contract of {@link dev.regions}: not exported. Its layers are packages, and
 * dependencies run one way (held by {@code LayersTest}):
 *
 * <pre>
 *   Engine (the contract's one door)
 *     monitor   JMX beans and the report of open regions
 *     region    confined and shared regions, their lanes and locks, region-wide stats, the reclaimer
 *     checked   the checked mode: guard zones, a scope per piece, leak reports
 *     lane      one lane's allocator: free lists, block supply, large blocks, generations, views
 *     block     blocks, piece codes, size classes, the address directory   | source  memory sources
 *     event     JFR events
 *     stats     ledgers, leases, stepped counters, the process's stats
 *     util      argument checks and refusals, padding, zeroing
 * </pre>
 *
 * <h2>Reading order</h2>
 * {@code allocate}: {@link dev.regions.internal.region.ConfinedRegion#allocate} (or
 * {@link dev.regions.internal.region.SharedRegion#allocate}: the thread's lane, under its lock),
 * then {@link dev.regions.internal.lane.Lane#allocate}: a free piece of the size class
 * ({@link dev.regions.internal.lane.FreeLists}), else carved from the current
 * {@link dev.regions.internal.block.CarvedBlock}, else a new block from
 * {@link dev.regions.internal.lane.BlockSupply}; large pieces in
 * {@link dev.regions.internal.lane.LargeBlocks}. The piece's size goes into the block's codes
 * ({@link dev.regions.internal.block.UnitSizes}) and its bytes into the lane's
 * {@link dev.regions.internal.stats.Ledger}.
 *
 * <p>{@code free}: {@link dev.regions.internal.lane.Lane#free}: the block at the address (one
 * lookup in {@link dev.regions.internal.block.AddressDirectory}, cached per leaf), then the code at
 * the piece's unit; anything unusual goes to {@link dev.regions.internal.lane.PieceFinder}, which
 * finds the piece or says why the segment is not one.
 */
package dev.regions.internal;
