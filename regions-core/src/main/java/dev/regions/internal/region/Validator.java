package dev.regions.internal.region;

import dev.regions.internal.block.AddressDirectory;
import dev.regions.internal.block.Block;
import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.LargeBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.checked.CheckedPieces;
import dev.regions.internal.lane.Generation;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.stats.Lease;
import dev.regions.internal.stats.Ledger;

import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks a lane and returns the first broken invariant, or null (mimalloc's
 * {@code _mi_page_is_valid}, Caffeine's validation listener): the check the property tests, the
 * fuzzer and the stress tests run after their steps. O(lane); never on the hot path.
 *
 * <ul>
 * <li>every generation is alive and owned by the lane; their stats add up to the ledger's;
 * <li>in every carved block, no live piece starts inside another, nothing is recorded above the
 *     pointer, and every free-list entry is a free place below it, listed once;
 * <li>every large block is either live or on the free list, once;
 * <li>the live pieces add up to the ledger's stats (unless a merge shared a block), the leases
 *     it counts to its gross bytes, and the watermarks bracket the live bytes;
 * <li>the directory maps every block's first unit to it.
 * </ul>
 */
public final class Validator {
    private Validator() {
    }

    /** The first broken invariant of any lane of {@code region}, or null (with the region's access taken to read). */
    public static String validate(BaseRegion region) {
        return region.withAccess(BaseRegion.Access.READ, () -> {
            List<String> broken = new java.util.ArrayList<>();
            for (Lane h : region.lanes()) {
                String b = validate(h);
                if (b != null) {
                    broken.add("lane " + h.laneIndex + ": " + b);
                }
            }
            return broken.isEmpty() ? null : String.join("; ", broken);
        });
    }

    /**
     * With assertions on (the tests run with {@code -ea}), after a reset or merge: every invariant
     * holds in every lane of {@code region}, whose access the caller holds.
     */
    static boolean valid(BaseRegion region) {
        for (Lane h : region.lanes()) {
            String broken = validate(h);
            if (broken != null) {
                throw new AssertionError("region '" + region.name() + "', lane " + h.laneIndex + ": " + broken);
            }
        }
        return true;
    }

    /** With assertions on, after a close: {@code region} holds no lease and no live byte. */
    static boolean gaveEverythingBack(BaseRegion region) {
        for (Lane h : region.lanes()) {
            if (!h.ledger.leases.isEmpty() || h.ledger.liveBytes != 0) {
                throw new AssertionError("region '" + region.name() + "' closed holding " + h.ledger.leases.size()
                        + " leases and " + h.ledger.liveBytes + " live bytes in lane " + h.laneIndex);
            }
        }
        return true;
    }

    /** Whether some thread holds a lane's lock of {@code region}. */
    public static boolean anyLaneLocked(SharedRegion region) {
        for (RegionLock lock : region.laneSet().locks) {
            if (lock.isLocked()) {
                return true;
            }
        }
        return false;
    }

    static String validate(Lane lane) {
        Ledger ledger = lane.ledger;
        if (lane.isClosed()) {
            return lane.supply.blocks.isEmpty() && lane.large.blocks.isEmpty() && ledger.grossBytes() == 0
                    && ledger.liveBytes == 0 && ledger.liveCount == 0 ? null : "a closed lane still holds memory";
        }
        long genBytes = 0;
        long genCount = 0;
        for (Generation g : lane.generations.all()) {
            if (g.owner != lane) {
                return "generation owned by another lane";
            }
            if (!g.isAlive()) {
                return "an ended generation is still held";
            }
            genBytes += g.liveBytes;
            genCount += g.liveCount;
        }
        if (genBytes != ledger.liveBytes || genCount != ledger.liveCount) {
            return "generations hold " + genBytes + " bytes in " + genCount + " pieces, ledger says "
                    + ledger.liveBytes + " in " + ledger.liveCount;
        }
        long[] live = new long[2];
        boolean shares = false;
        for (CarvedBlock b : lane.supply.blocks) {
            String broken = checkCarved(b, live);
            if (broken != null) {
                return "block at 0x" + Long.toHexString(b.base) + ": " + broken;
            }
            // A block a merge shared mixes the pieces of several lanes, some of them dead: its
            // codes cannot be summed for one lane.
            shares |= b.mark > 0 || b.lease.holderCount() > 1;
        }
        String broken = checkFreeLists(lane);
        if (broken != null) {
            return broken;
        }
        Set<LargeBlock> free = new HashSet<>(lane.large.freeBlocks());
        if (free.size() != lane.large.freeBlocks().size()) {
            return "a large block is twice on the free list";
        }
        for (LargeBlock b : lane.large.blocks) {
            if ((b.liveSize < 0) != free.contains(b)) {
                return "large block at 0x" + Long.toHexString(b.base) + (b.liveSize < 0 ? " free but not listed"
                        : " live but listed free");
            }
            if (b.liveSize >= 0) {
                live[0] += b.liveSize;
                live[1]++;
            }
        }
        boolean checkedOnly = lane.checked != null && lane.checksItsPieces();
        if (checkedOnly) {
            // a checked lane's codes record raw pieces (guards included); its records hold the sizes
            live[0] = CheckedPieces.of(lane).live.values().stream().mapToLong(r -> r.byteSize).sum();
            live[1] = CheckedPieces.of(lane).live.size();
        }
        // pieces merged in from a bump region, or checked pieces among unchecked ones, are not summed here
        boolean comparable = !lane.holdsBumpPieces
                && (checkedOnly ? !lane.holdsUncheckedPieces : lane.checked == null && !shares);
        if (comparable && (live[0] != ledger.liveBytes || live[1] != ledger.liveCount)) {
            return "pieces hold " + live[0] + " bytes in " + live[1] + " pieces, ledger says " + ledger.liveBytes
                    + " in " + ledger.liveCount;
        }
        return checkLedger(lane);
    }

    /** No live piece starts inside another below the pointer, and nothing is recorded above it. */
    private static String checkCarved(CarvedBlock b, long[] live) {
        if (b.top > b.units || b.mark > b.top) {
            return "pointer " + b.top + " or mark " + b.mark + " out of " + b.units + " units";
        }
        int end = 0;
        for (int u = 0; u < b.top; u++) {
            long size = b.liveSizeAt(u);
            if (size < 0) {
                continue;
            }
            if (u < end) {
                return "a piece starts at unit " + u + ", inside the piece before it";
            }
            end = u + Math.max(1, size <= SizeClasses.SMALL_MAX ? SizeClasses.unitsOf(size)
                    : SizeClasses.units(SizeClasses.classOf(size)));
            live[0] += size;
            live[1]++;
        }
        for (int u = b.top; u < b.prepared(); u++) {
            if (b.codeAt(u) != 0) {
                return "a piece is recorded at unit " + u + ", above the pointer";
            }
        }
        boolean found = false;
        for (Block e = AddressDirectory.lookup(b.base); e != null && !found; e = e.shadowed) {
            found = e == b;
        }
        return found ? null : "the directory does not map it";
    }

    private static String checkFreeLists(Lane lane) {
        String[] broken = new String[1];
        Map<CarvedBlock, Set<Integer>> seen = new IdentityHashMap<>();
        List<CarvedBlock> held = lane.supply.blocks;
        lane.free.forEach((sizeClass, block, unit) -> {
            if (broken[0] != null) {
                return;
            }
            if (!held.contains(block)) {
                broken[0] = "a free-list entry is in a block the lane does not hold";
            } else if (unit < 0 || unit + SizeClasses.units(sizeClass) > block.top) {
                broken[0] = "a free-list entry of class " + sizeClass + " at unit " + unit + " is not below the pointer";
            } else if (block.liveSizeAt(unit) >= 0) {
                broken[0] = "a free-list entry at unit " + unit + " is a live piece";
            } else if (!seen.computeIfAbsent(block, k -> new HashSet<>()).add(unit)) {
                broken[0] = "unit " + unit + " is twice on the free lists";
            }
        });
        return broken[0];
    }

    private static String checkLedger(Lane lane) {
        Ledger ledger = lane.ledger;
        Set<Lease> leases = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (CarvedBlock b : lane.supply.blocks) {
            leases.add(b.lease);
        }
        for (LargeBlock b : lane.large.blocks) {
            leases.add(b.lease);
        }
        if (leases.size() != ledger.leases.size() || !leases.containsAll(ledger.leases)) {
            return "the ledger lists other leases than the lane's blocks";
        }
        long counted = 0;
        for (Lease l : leases) {
            if (!l.isHeldBy(ledger)) {
                return "a lease of a held block does not list the lane";
            }
            if (l.isCountedBy(ledger)) {
                counted += l.byteSize;
            }
        }
        if (counted != ledger.grossBytes()) {
            return "leases add up to " + counted + " gross bytes, ledger says " + ledger.grossBytes();
        }
        if (ledger.peakLiveBytes < ledger.liveBytes || ledger.lowLiveBytes > ledger.liveBytes) {
            return "watermarks " + ledger.lowLiveBytes + ".." + ledger.peakLiveBytes + " do not bracket "
                    + ledger.liveBytes;
        }
        return null;
    }
}
