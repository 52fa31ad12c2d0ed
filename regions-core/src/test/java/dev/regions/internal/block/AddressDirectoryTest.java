package dev.regions.internal.block;

import dev.regions.MemorySource;
import dev.regions.internal.stats.Lease;
import dev.regions.internal.stats.Ledger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AddressDirectory}, the process-wide map from an address to its block: every byte of a
 * registered block finds it, the bytes just outside do not, unregistering clears it; and
 * shadowing, as composed regions use it: a block registered over part of another finds itself in
 * its own range, records the other as {@link Block#shadowed}, and gives its units back to it
 * when unregistered.
 *
 * <p>The directory is global: each test registers blocks only over memory it allocated itself
 * (or, for the leaf boundary, over addresses no memory is mapped at), and unregisters every block
 * before its memory goes back. "Cleared" means back to what the directory held there before the
 * test registered anything: null, unless an earlier test left a stale entry at a reused address
 * (which the design allows: lanes validate what they find).
 */
class AddressDirectoryTest {

    private static final int PAGE = 4096;

    private Arena arena;
    private final List<Block> registered = new ArrayList<>();

    @BeforeEach
    void openArena() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void unregisterAndClose() {
        for (int i = registered.size() - 1; i >= 0; i--) {
            AddressDirectory.unregister(registered.get(i));
        }
        arena.close();
    }

    /** A carved block over {@code memory} (4 KiB-aligned, a multiple of 4 KiB), not yet registered. */
    private static CarvedBlock blockOver(MemorySegment memory) {
        assertThat(memory.address() % PAGE).isZero();
        assertThat(memory.byteSize() % PAGE).isZero();
        return new CarvedBlock(new Lease(MemorySource.jdk(), memory, memory.byteSize(), new Ledger()), 0, true);
    }

    private Block register(Block block) {
        AddressDirectory.register(block);
        registered.add(block);
        return block;
    }

    private void unregister(Block block) {
        AddressDirectory.unregister(block);
        registered.remove(block);
    }

    @Test
    void everyByteOfARegisteredBlockFindsIt() {
        // Three blocks' worth of memory, the block in the middle: the bytes around it are ours too.
        MemorySegment memory = arena.allocate(5 * PAGE, PAGE);
        Block block = register(blockOver(memory.asSlice(PAGE, 3 * PAGE)));
        long first = block.base;
        long last = block.base + block.byteSize - 1;

        assertThat(AddressDirectory.lookup(first)).isSameAs(block);
        assertThat(AddressDirectory.lookup(first + 1)).isSameAs(block);
        assertThat(AddressDirectory.lookup(first + block.byteSize / 2)).isSameAs(block);
        assertThat(AddressDirectory.lookup(first + PAGE - 1)).isSameAs(block);
        assertThat(AddressDirectory.lookup(first + PAGE)).isSameAs(block);
        assertThat(AddressDirectory.lookup(last)).isSameAs(block);
        for (long a = first; a <= last; a += 997) {
            assertThat(AddressDirectory.lookup(a)).as("offset %d", a - first).isSameAs(block);
        }

        assertThat(AddressDirectory.lookup(first - 1)).as("the byte before the block").isNotSameAs(block);
        assertThat(AddressDirectory.lookup(last + 1)).as("the byte after the block").isNotSameAs(block);
        assertThat(AddressDirectory.lookup(memory.address())).isNotSameAs(block);
        assertThat(AddressDirectory.lookup(memory.address() + memory.byteSize() - 1)).isNotSameAs(block);
    }

    @Test
    void theLookupsPathsAgree() {
        MemorySegment memory = arena.allocate(2 * PAGE, PAGE);
        Block block = register(blockOver(memory));
        for (long a : new long[] {block.base, block.base + PAGE + 17, block.base + block.byteSize - 1}) {
            Block[] leaf = AddressDirectory.leaf(AddressDirectory.leafKey(a));
            assertThat(leaf).isNotNull();
            assertThat(AddressDirectory.entry(leaf, a)).isSameAs(block);
        }
    }

    @Test
    void neighbouringBlocksFindThemselves() {
        MemorySegment memory = arena.allocate(4 * PAGE, PAGE);
        Block before = AddressDirectory.lookup(memory.address());
        Block left = register(blockOver(memory.asSlice(0, PAGE)));
        Block right = register(blockOver(memory.asSlice(PAGE, 3 * PAGE)));
        assertThat(AddressDirectory.lookup(left.base + PAGE - 1)).isSameAs(left);
        assertThat(AddressDirectory.lookup(right.base)).isSameAs(right);
        assertThat(right.shadowed).as("a block next to another does not shadow it").isNotSameAs(left);

        unregister(left);

        assertThat(AddressDirectory.lookup(left.base)).isNotSameAs(left).isSameAs(before);
        assertThat(AddressDirectory.lookup(right.base)).isSameAs(right);
    }

    @Test
    void unregisterClearsEveryUnit() {
        MemorySegment memory = arena.allocate(3 * PAGE, PAGE);
        Block before = AddressDirectory.lookup(memory.address());
        Block block = register(blockOver(memory));
        assertThat(block.shadowed).isSameAs(before);

        unregister(block);

        for (long a = block.base; a < block.base + block.byteSize; a += PAGE / 2) {
            assertThat(AddressDirectory.lookup(a)).as("offset %d", a - block.base).isNotSameAs(block);
        }
        assertThat(AddressDirectory.lookup(block.base)).isSameAs(before);
        assertThat(AddressDirectory.lookup(block.base + block.byteSize - 1)).isNotSameAs(block);
    }

    @Test
    void anOuterBlockShadowsTheInnerBlockItLiesIn() {
        MemorySegment memory = arena.allocate(6 * PAGE, PAGE);
        Block before = AddressDirectory.lookup(memory.address());
        Block inner = register(blockOver(memory));
        // The outer region's block is a piece of the inner block: pages 2..4 of 0..5.
        Block outer = register(blockOver(memory.asSlice(2 * PAGE, 3 * PAGE)));

        assertThat(outer.shadowed).isSameAs(inner);
        assertThat(AddressDirectory.lookup(outer.base)).isSameAs(outer);
        assertThat(AddressDirectory.lookup(outer.base + PAGE + 5)).isSameAs(outer);
        assertThat(AddressDirectory.lookup(outer.base + outer.byteSize - 1)).isSameAs(outer);
        assertThat(AddressDirectory.lookup(inner.base)).isSameAs(inner);
        assertThat(AddressDirectory.lookup(outer.base - 1)).isSameAs(inner);
        assertThat(AddressDirectory.lookup(outer.base + outer.byteSize)).isSameAs(inner);
        assertThat(AddressDirectory.lookup(inner.base + inner.byteSize - 1)).isSameAs(inner);

        unregister(outer);

        for (long a = inner.base; a < inner.base + inner.byteSize; a += PAGE / 2) {
            assertThat(AddressDirectory.lookup(a)).as("offset %d of the inner block", a - inner.base)
                    .isSameAs(inner);
        }

        unregister(inner);
        assertThat(AddressDirectory.lookup(outer.base)).isNotSameAs(inner).isSameAs(before);
    }

    @Test
    void unregisteringTheInnerBlockFirstLeavesTheOuterBlocksUnits() {
        MemorySegment memory = arena.allocate(4 * PAGE, PAGE);
        Block before = AddressDirectory.lookup(memory.address());
        Block inner = register(blockOver(memory));
        Block outer = register(blockOver(memory.asSlice(PAGE, PAGE)));

        AddressDirectory.unregister(inner); // still in the list: see the cleanup below

        assertThat(AddressDirectory.lookup(outer.base)).isSameAs(outer);
        assertThat(AddressDirectory.lookup(inner.base)).isSameAs(before);
        assertThat(AddressDirectory.lookup(outer.base + PAGE)).isSameAs(before);
        // Cleanup (after each): unregistering the outer block gives its units back to the inner
        // one, so the inner block is unregistered once more after it.
    }

    @Test
    void shadowingNestsThreeDeep() {
        MemorySegment memory = arena.allocate(8 * PAGE, PAGE);
        Block before = AddressDirectory.lookup(memory.address());
        Block a = register(blockOver(memory));
        Block b = register(blockOver(memory.asSlice(2 * PAGE, 4 * PAGE)));
        Block c = register(blockOver(memory.asSlice(3 * PAGE, PAGE)));
        assertThat(b.shadowed).isSameAs(a);
        assertThat(c.shadowed).isSameAs(b);
        assertThat(AddressDirectory.lookup(c.base)).isSameAs(c);
        assertThat(AddressDirectory.lookup(c.base - 1)).isSameAs(b);
        assertThat(AddressDirectory.lookup(b.base - 1)).isSameAs(a);

        unregister(c);
        assertThat(AddressDirectory.lookup(c.base)).isSameAs(b);
        unregister(b);
        assertThat(AddressDirectory.lookup(c.base)).isSameAs(a);
        assertThat(AddressDirectory.lookup(b.base)).isSameAs(a);
        unregister(a);
        assertThat(AddressDirectory.lookup(c.base)).isSameAs(before);
    }

    @Test
    void aBlockAcrossALeafBoundaryIsFoundInBothLeaves() {
        // A leaf covers 64 MiB (2^26 bytes). No memory is needed: the directory never reads the
        // block's bytes, only its address range. 0x3f00_0000_0000 is far from where the JDK or
        // malloc map memory on the platforms this runs on.
        long boundary = 0x3f00_0000_0000L + (5L << 26);
        MemorySegment fake = MemorySegment.ofAddress(boundary - 2 * PAGE);
        Block block = register(new CarvedBlock(new Lease(MemorySource.jdk(), fake, 4 * PAGE, new Ledger()), 0, true));
        assertThat(AddressDirectory.leafKey(block.base)).isNotEqualTo(AddressDirectory.leafKey(boundary));

        assertThat(AddressDirectory.lookup(boundary - 1)).isSameAs(block);
        assertThat(AddressDirectory.lookup(boundary)).isSameAs(block);
        assertThat(AddressDirectory.lookup(block.base)).isSameAs(block);
        assertThat(AddressDirectory.lookup(block.base + block.byteSize - 1)).isSameAs(block);
        assertThat(AddressDirectory.lookup(block.base + block.byteSize)).isNotSameAs(block);

        unregister(block);
        assertThat(AddressDirectory.lookup(boundary - 1)).isSameAs(block.shadowed);
        assertThat(AddressDirectory.lookup(boundary)).isNotSameAs(block);
    }
}
