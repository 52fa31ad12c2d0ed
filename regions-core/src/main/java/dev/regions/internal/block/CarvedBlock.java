package dev.regions.internal.block;

import dev.regions.internal.stats.Lease;
import dev.regions.internal.stats.Ledger;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A block that small and medium pieces of every size are carved from, back to back, with a
 * pointer ({@link #top}); and the table of codes that tells {@code free}, in O(1) and without
 * reading native memory, which piece starts where (PostgreSQL's {@code aset.c} block crossed with
 * a carving pointer; the metadata on the Java heap, never in bytes a caller can write).
 *
 * <pre>
 *   base                                          mark        top     prepared              units
 *   | piece | piece |  piece  | pad | piece | ... | piece | .. |  zeroed, codes 0  |  untouched  |
 *   codes[u] (one byte per 16-byte unit u):
 *     0          no live piece starts at u (free, the inside of a piece, padding, never carved)
 *     1..254     a live piece of exactly that many bytes starts at u
 *     255        a live piece starts at u; its exact size is in its bucket (255 bytes and up) or
 *                in the escapes map (a zero-length piece)
 * </pre>
 *
 * A medium piece (255 bytes and up) spans at least 16 units, so no two of them start in the same
 * 16 units: its exact size and where it starts in them go in that span's <em>bucket</em>, one
 * {@code int} per 16 units (0.4% of the block on the Java heap), written with plain stores (each
 * bucket belongs to one piece at a time) and read without a lock. Zero-length pieces, two units
 * each, keep a small map under the block's monitor (see {@link UnitSizes}); they are rare.
 *
 * A code records the exact size, so {@code free} refuses a slice of a piece (or a piece of
 * another size at the same address) and keeps live bytes exact; the inside of a live piece
 * always reads 0, so a slice that starts there is refused too. Freed units go to their lane's
 * {@code FreeLists} and serve a later piece of the same class; the block never splits or joins
 * them.
 *
 * <p><b>Carving lazily.</b> Nothing is done to a unit until the pointer is about to reach it:
 * {@link #prepare} zeroes the memory (only below {@link #memDirty}: the rest was never handed
 * out since the block was clean) and clears stale codes (only below {@link #codeDirty}) a span
 * ahead of the pointer, one {@code fill} per span. So a reset rewinds a block in O(1), and a
 * recycled block is zeroed only as far as it is used again, up to the highest byte it ever handed
 * out.
 *
 * <p><b>Shared by a merge.</b> A merge gives the destination every piece of the source but lets
 * the source go on carving its current block ({@link #carver}): the units below {@link #mark}
 * belong to the holders it was merged into, the ones above to the carver, and a reset of the
 * carver rewinds the pointer to the mark only. Once it holds the block alone, a reset rewinds it
 * to 0.
 */
public final class CarvedBlock extends Block {
    public static final int ESCAPE = 255;
    private static final int BUCKET_SHIFT = 4;
    private static final int BUCKET_UNITS = 1 << BUCKET_SHIFT;
    /** How far ahead of the pointer a block is prepared at a time: 2 KiB, so one fill serves many pieces. */
    private static final int PREPARE_UNITS = 128;

    public final int units;
    private final byte[] codes;
    /** Per 16 units: the medium piece that starts there, as {@code (unit & 15) << 16 | size}, or 0 (stale after a rewind). */
    private final int[] buckets;
    /**
     * The exact sizes behind code 255. Two lanes may use it at once (a block shared by a merge of
     * two shared regions: one frees below the mark, the other carves above it), so it is used
     * under this block's monitor; codes are bytes of their own and need none.
     */
    private UnitSizes escapes;
    /**
     * Set by a rewind to the start: every entry of {@link #escapes} is stale, and it is cleared
     * the next time it is used, not by the reset (a map of its own a reset need not touch).
     */
    private boolean escapesStale;

    /** The next unit to carve. */
    public int top;
    /** Units below it were merged into other holders: the carver's rewinds stop here. */
    public int mark;
    /**
     * The lane (by its ledger) whose pieces are above the mark: the one carving this block, or the
     * last one that did, until its next reset or close; or null.
     */
    public Ledger carver;
    /** The generation that last carved it (its {@code Generation.id}): a reset keeps the blocks its generation carved. */
    public long carvedIn;
    /** Whether a lane in bump mode carved it: a code 0 may then be a bump piece, not a freed one. */
    public boolean bumpCarved;
    /** The generation (its id) of each live piece, for {@code pieceAt}: see {@link PieceGenerations}. */
    public final PieceGenerations generations = new PieceGenerations();
    /**
     * Whether a merge ever gave its lease a second holder ({@code BlockSupply.takeAll}, the one
     * place a lease gains one; set under the access of the lanes that then hold it, never
     * cleared). Until then the block has one holder, and a reset need not ask its lease.
     */
    public boolean everShared;
    /** {@code [top, prepared)} is zeroed (when the carver zeroes) and has no codes. */
    private int prepared;
    /** Units at and above it hold zeros: never handed out since the block was clean. */
    private int memDirty;
    /** Units at and above it have code 0. */
    private int codeDirty;

    public CarvedBlock(Lease lease, int laneIndex, boolean zeroed) {
        super(lease, laneIndex);
        this.units = (int) (byteSize >>> SizeClasses.UNIT_SHIFT);
        this.codes = new byte[units];
        this.buckets = new int[(units + BUCKET_UNITS - 1) >>> BUCKET_SHIFT];
        this.memDirty = zeroed ? 0 : units;
    }

    // ---------------------------------------------------------------- carving

    /** Whether {@code count} units can be carved now without preparing. */
    public boolean hasPrepared(int count) {
        return top + count <= prepared;
    }

    /**
     * Carves {@code count} units such that the unit {@code offset} units in is on a multiple of
     * {@code alignUnits} (a power of two); returns the first unit, or -1 if the block has no room.
     * The units come zeroed if {@code zeroing}, through {@code view} (the carver's view).
     */
    public int carve(int count, int alignUnits, int offset, boolean zeroing, MemorySegment view) {
        int start = ((top + offset + alignUnits - 1) & -alignUnits) - offset;
        int end = start + count;
        if (end > units || end < start) {
            return -1;
        }
        if (end > prepared) {
            prepare(end, zeroing, view);
        }
        top = end;
        return start;
    }

    /** Prepares from {@link #prepared} to at least {@code end}, and a span beyond. */
    private void prepare(int end, boolean zeroing, MemorySegment view) {
        int from = prepared;
        int to = Math.min(units, Math.max(end, from + PREPARE_UNITS));
        if (from < codeDirty) {
            Arrays.fill(codes, from, Math.min(to, codeDirty), (byte) 0);
        }
        if (zeroing && from < memDirty) {
            long offset = (long) from << SizeClasses.UNIT_SHIFT;
            view.asSlice(offset, ((long) Math.min(to, memDirty) << SizeClasses.UNIT_SHIFT) - offset).fill((byte) 0);
        }
        prepared = to;
        codeDirty = Math.max(codeDirty, to);
        memDirty = Math.max(memDirty, to);
    }

    /**
     * The lane with {@code ledger} lets go of this block (a close, or a reclaim). If it was the
     * carver, its pieces above the mark are dead: the pointer goes back to the mark, so that the
     * holders left find only their own pieces below it.
     */
    @Override
    public void leftBy(Ledger ledger) {
        if (carver == ledger) {
            rewind(mark);

            carver = null;
        }
    }

    /** Rewinds the pointer to {@code to}: every piece above it is dead (its generation ended). */
    public void rewind(int to) {
        top = to;
        if (to == 0) {
            prepared = 0; // stores only: a rewind to the start reads nothing of the block
            escapesStale = true;
        } else {
            prepared = Math.min(prepared, to);
        }
        generations.rewind(to);
    }

    /** Units left to carve. */
    public int room() {
        return units - top;
    }

    // ---------------------------------------------------------------- codes

    /** Records a live piece of {@code byteSize} bytes at {@code unit}. */
    public void markLive(int unit, long byteSize) {
        assert codes[unit] == 0 : "unit " + unit + " of the block at " + base + " is live already";
        if (byteSize > 0 && byteSize < ESCAPE) {
            codes[unit] = (byte) byteSize;
            return;
        }
        if (byteSize >= ESCAPE) {
            assert byteSize <= SizeClasses.MEDIUM_MAX;
            buckets[unit >>> BUCKET_SHIFT] = (unit & (BUCKET_UNITS - 1)) << 16 | (int) byteSize;
        } else {
            clearStaleBucket(unit);
            putEscape(unit, byteSize);
        }
        codes[unit] = (byte) ESCAPE;
    }

    /** A bucket entry left by a piece a rewind ended that started at {@code unit} would read as this piece's size. */
    private void clearStaleBucket(int unit) {
        if (mediumSizeAt(unit) != 0) {
            buckets[unit >>> BUCKET_SHIFT] = 0;
        }
    }

    // The map's uses are methods of their own, so that markLive and markFree stay small enough
    // to be inlined whole into the hot paths.
    private synchronized void putEscape(int unit, long byteSize) {
        escapes().put(unit, (int) byteSize);
    }

    private synchronized long escapeAt(int unit) {
        return escapes().get(unit);
    }

    private synchronized void removeEscape(int unit) {
        escapes().remove(unit);
    }

    /** The size of the live piece that starts at {@code unit}, or -1 if none does. */
    public long liveSizeAt(int unit) {
        int code = codes[unit] & 0xFF;
        return code == 0 ? -1 : code < ESCAPE ? code : escapedSize(unit);
    }

    private long escapedSize(int unit) {
        int medium = mediumSizeAt(unit);
        return medium != 0 ? medium : escapeAt(unit);
    }

    /** The size of the medium piece its bucket records at {@code unit}, or 0 if it records none there. */
    private int mediumSizeAt(int unit) {
        int bucket = buckets[unit >>> BUCKET_SHIFT];
        return bucket >>> 16 == (unit & (BUCKET_UNITS - 1)) ? bucket & 0xFFFF : 0;
    }

    /** The piece at {@code unit} is no longer live. */
    public void markFree(int unit) {
        assert codes[unit] != 0 : "unit " + unit + " of the block at " + base + " is not live";
        if ((codes[unit] & 0xFF) == ESCAPE) {
            if (mediumSizeAt(unit) != 0) {
                buckets[unit >>> BUCKET_SHIFT] = 0;
            } else {
                removeEscape(unit);
            }
        }
        codes[unit] = 0;
    }

    /** The map of exact sizes, cleared first if a rewind left it stale. Under this block's monitor. */
    private UnitSizes escapes() {
        UnitSizes e = escapes;
        if (e == null) {
            escapes = e = new UnitSizes();
        } else if (escapesStale) {
            e.clear();
        }
        escapesStale = false;
        return e;
    }

    /** For the validator: the code at {@code unit}. */
    public int codeAt(int unit) {
        return codes[unit] & 0xFF;
    }

    /** For the validator: how far codes may be set, and how far the pointer has prepared. */
    int codeDirty() {
        return codeDirty;
    }

    public int prepared() {
        return prepared;
    }
}
