package dev.regions.internal.lane;

import dev.regions.MemorySource;
import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.stats.Lease;
import dev.regions.internal.stats.Ledger;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FreeLists}, a lane's per-class stacks of freed pieces: LIFO within a class, classes
 * independent, -1 from an empty class, a merge ({@code takeAll}) moves every entry (also those the
 * source got by an earlier merge) and empties the source, {@code clear} empties everything, and
 * {@code forEach} visits every entry exactly once; and a property test: random push, pop, merge
 * and clear sequences over three lists keep exactly the entries a multiset model keeps.
 */
class FreeListsTest {

    /** One freed piece: its class, block and first unit. */
    record Entry(int sizeClass, CarvedBlock block, int unit) {
    }

    private Arena arena;
    private CarvedBlock a;
    private CarvedBlock b;

    @BeforeEach
    void makeBlocks() {
        arena = Arena.ofConfined();
        a = block();
        b = block();
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    /** A carved block of 4 KiB, as {@link BlockSupply} makes one (but not registered anywhere). */
    private CarvedBlock block() {
        Lease lease = new Lease(MemorySource.jdk(), arena.allocate(4096, 4096), 4096, new Ledger());
        return new CarvedBlock(lease, 0, true);
    }

    private static Entry pop(FreeLists lists, int sizeClass) {
        int unit = lists.pop(sizeClass);
        return unit < 0 ? null : new Entry(sizeClass, lists.popped, unit);
    }

    /** Pops class {@code sizeClass} until it is empty. */
    private static List<Entry> drain(FreeLists lists, int sizeClass) {
        List<Entry> popped = new ArrayList<>();
        for (Entry e; (e = pop(lists, sizeClass)) != null; ) {
            popped.add(e);
        }
        return popped;
    }

    private static List<Entry> all(FreeLists lists) {
        List<Entry> seen = new ArrayList<>();
        lists.forEach((c, block, unit) -> seen.add(new Entry(c, block, unit)));
        return seen;
    }

    private static void push(FreeLists lists, Entry e) {
        lists.push(e.sizeClass(), e.block(), e.unit());
    }

    @Test
    void popOnAnEmptyClassIsMinusOne() {
        FreeLists lists = new FreeLists();
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            assertThat(lists.pop(c)).as("class %d", c).isEqualTo(-1);
        }
        lists.push(3, a, 7);
        assertThat(lists.pop(4)).isEqualTo(-1);
        assertThat(lists.pop(3)).isEqualTo(7);
        assertThat(lists.pop(3)).isEqualTo(-1);
    }

    @Test
    void pushAndPopAreLastInFirstOutPerClass() {
        FreeLists lists = new FreeLists();
        List<Entry> pushed = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // past the first capacity of a stack (16), twice over
            Entry e = new Entry(5, i % 3 == 0 ? b : a, i * 7);
            push(lists, e);
            pushed.add(e);
        }
        List<Entry> popped = drain(lists, 5);
        assertThat(popped).containsExactlyElementsOf(pushed.reversed());
    }

    @Test
    void popReportsTheBlockOfTheEntry() {
        FreeLists lists = new FreeLists();
        lists.push(0, a, 1);
        lists.push(0, b, 2);
        assertThat(lists.pop(0)).isEqualTo(2);
        assertThat(lists.popped).isSameAs(b);
        assertThat(lists.pop(0)).isEqualTo(1);
        assertThat(lists.popped).isSameAs(a);
    }

    @Test
    void classesAreIndependent() {
        FreeLists lists = new FreeLists();
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            lists.push(c, a, 100 + c);
            lists.push(c, b, 200 + c);
        }
        // Emptying one class leaves every other as it was.
        assertThat(drain(lists, 17)).containsExactly(new Entry(17, b, 217), new Entry(17, a, 117));
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            if (c != 17) {
                assertThat(drain(lists, c)).as("class %d", c)
                        .containsExactly(new Entry(c, b, 200 + c), new Entry(c, a, 100 + c));
            }
        }
    }

    @Test
    void takeAllMovesEveryEntryAndEmptiesTheSource() {
        FreeLists source = new FreeLists();
        FreeLists destination = new FreeLists();
        List<Entry> sourceEntries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Entry e = new Entry(i % 4, i % 2 == 0 ? a : b, i);
            push(source, e);
            sourceEntries.add(e);
        }
        List<Entry> destinationEntries = List.of(new Entry(0, a, 1000), new Entry(2, b, 1001),
                new Entry(35, a, 1002));
        destinationEntries.forEach(e -> push(destination, e));

        destination.takeAll(source);

        assertThat(all(source)).isEmpty();
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            assertThat(source.pop(c)).as("source class %d", c).isEqualTo(-1);
        }
        List<Entry> expected = new ArrayList<>(sourceEntries);
        expected.addAll(destinationEntries);
        assertThat(all(destination)).containsExactlyInAnyOrderElementsOf(expected);
        List<Entry> popped = new ArrayList<>();
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            popped.addAll(drain(destination, c));
        }
        assertThat(popped).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(all(destination)).isEmpty();
    }

    @Test
    void takeAllAlsoMovesWhatTheSourceGotByAnEarlierTakeAll() {
        FreeLists first = new FreeLists();
        FreeLists second = new FreeLists();
        FreeLists third = new FreeLists();
        List<Entry> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Entry e = new Entry(9, a, i);
            push(first, e);
            expected.add(e);
        }
        Entry own = new Entry(9, b, 500);
        push(second, own);
        expected.add(own);
        second.takeAll(first); // second: its own entry, then first's stack, handed over
        Entry later = new Entry(9, b, 501);
        push(second, later); // pushed after the merge, onto second's own stack
        expected.add(later);
        Entry thirds = new Entry(9, a, 900);
        push(third, thirds);
        expected.add(thirds);

        third.takeAll(second);

        assertThat(all(second)).isEmpty();
        assertThat(second.pop(9)).isEqualTo(-1);
        assertThat(all(third)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(drain(third, 9)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(third.pop(9)).isEqualTo(-1);
    }

    @Test
    void takeAllOfAPartlyPoppedHandedStackMovesOnlyWhatIsLeft() {
        FreeLists first = new FreeLists();
        FreeLists second = new FreeLists();
        FreeLists third = new FreeLists();
        for (int i = 0; i < 10; i++) {
            first.push(2, a, i);
        }
        second.takeAll(first);
        List<Entry> poppedBefore = List.of(pop(second, 2), pop(second, 2), pop(second, 2));
        second.push(2, b, 77); // onto the handed stack, which is second's own now

        third.takeAll(second);

        List<Entry> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(new Entry(2, a, i));
        }
        expected.removeAll(poppedBefore);
        expected.add(new Entry(2, b, 77));
        assertThat(drain(third, 2)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(drain(second, 2)).isEmpty();
    }

    @Test
    void theSourceWorksOnAfterATakeAll() {
        FreeLists source = new FreeLists();
        FreeLists destination = new FreeLists();
        source.push(1, a, 3);
        destination.takeAll(source);
        source.push(1, b, 4);
        assertThat(drain(source, 1)).containsExactly(new Entry(1, b, 4));
        assertThat(drain(destination, 1)).containsExactly(new Entry(1, a, 3));
    }

    @Test
    void clearEmptiesEveryClassAndEveryHandedStack() {
        FreeLists source = new FreeLists();
        FreeLists lists = new FreeLists();
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            source.push(c, a, c);
            lists.push(c, b, c);
        }
        lists.takeAll(source);
        assertThat(all(lists)).hasSize(2 * SizeClasses.COUNT);

        lists.clear();

        assertThat(all(lists)).isEmpty();
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            assertThat(lists.pop(c)).as("class %d", c).isEqualTo(-1);
        }
        lists.push(4, a, 9); // usable after a clear
        assertThat(drain(lists, 4)).containsExactly(new Entry(4, a, 9));
    }

    @Test
    void forEachVisitsEveryEntryExactlyOnce() {
        FreeLists lists = new FreeLists();
        FreeLists handed = new FreeLists();
        List<Entry> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Entry e = new Entry(i % SizeClasses.COUNT, i % 5 == 0 ? b : a, i);
            push(i % 2 == 0 ? lists : handed, e);
            expected.add(e);
        }
        lists.takeAll(handed);
        Entry after = new Entry(0, a, 10_000);
        push(lists, after);
        expected.add(after);
        assertThat(all(lists)).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);

        // After some pops, exactly the entries not popped.
        for (int c = 0; c < SizeClasses.COUNT; c += 3) {
            Entry e = pop(lists, c);
            assertThat(expected.remove(e)).as("popped %s was pushed", e).isTrue();
        }
        assertThat(all(lists)).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * A region merged into after every statement (see {@code MergeCostTest}) collects one handed
     * stack per merge; merging that region on must hand them all over, however many there are,
     * and must not need stack depth for each one.
     */
    @Test
    void takeAllOfASourceThatReceivedManyMergesMovesThemAll() {
        int merges = 50_000; // the recursion in append overflowed a default 1 MiB thread stack at about 20,000
        FreeLists source = new FreeLists();
        for (int i = 0; i < merges; i++) {
            FreeLists scratch = new FreeLists();
            scratch.push(1, i % 2 == 0 ? a : b, i);
            source.takeAll(scratch);
        }
        FreeLists destination = new FreeLists();
        destination.push(1, a, 5); // one of its own

        destination.takeAll(source);

        assertThat(all(source)).isEmpty();
        int[] seen = new int[1];
        destination.forEach((c, block, unit) -> seen[0]++);
        assertThat(seen[0]).isEqualTo(merges + 1);
        assertThat(drain(destination, 1)).hasSize(merges + 1);
    }

    // ------------------------------------------------------------------ the property

    enum Kind { PUSH, POP, TAKE_ALL, CLEAR }

    /** One step: {@code list} and {@code other} are 0..2, {@code sizeClass} a few classes only. */
    record Op(Kind kind, int list, int other, int sizeClass) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(
                Tuple.of(45, Arbitraries.just(Kind.PUSH)),
                Tuple.of(35, Arbitraries.just(Kind.POP)),
                Tuple.of(18, Arbitraries.just(Kind.TAKE_ALL)),
                Tuple.of(2, Arbitraries.just(Kind.CLEAR)));
        Arbitrary<Integer> list = Arbitraries.integers().between(0, 2);
        Arbitrary<Integer> sizeClass = Arbitraries.of(0, 1, 35);
        return Combinators.combine(kind, list, list, sizeClass).as(Op::new).list().ofMinSize(1).ofMaxSize(100);
    }

    @Property(tries = 200)
    void keepsExactlyTheEntriesAMultisetModelKeeps(@ForAll("ops") List<Op> ops) {
        try (Arena blocks = Arena.ofConfined()) {
            CarvedBlock[] pool = new CarvedBlock[2];
            for (int i = 0; i < pool.length; i++) {
                Lease lease = new Lease(MemorySource.jdk(), blocks.allocate(4096, 4096), 4096, new Ledger());
                pool[i] = new CarvedBlock(lease, 0, true);
            }
            FreeLists[] lists = {new FreeLists(), new FreeLists(), new FreeLists()};
            List<List<Entry>> model = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            int next = 0;
            for (Op op : ops) {
                FreeLists l = lists[op.list()];
                List<Entry> m = model.get(op.list());
                switch (op.kind()) {
                    case PUSH -> {
                        Entry e = new Entry(op.sizeClass(), pool[next % 2], next++);
                        push(l, e);
                        m.add(e);
                    }
                    case POP -> {
                        Entry e = pop(l, op.sizeClass());
                        if (m.stream().noneMatch(x -> x.sizeClass() == op.sizeClass())) {
                            assertThat(e).as("pop of class %d from list %d", op.sizeClass(), op.list()).isNull();
                        } else {
                            assertThat(e).as("pop of class %d from list %d", op.sizeClass(), op.list()).isNotNull();
                            assertThat(m.remove(e)).as("%s was in list %d", e, op.list()).isTrue();
                        }
                    }
                    case TAKE_ALL -> {
                        if (op.other() != op.list()) {
                            l.takeAll(lists[op.other()]);
                            m.addAll(model.get(op.other()));
                            model.get(op.other()).clear();
                        }
                    }
                    case CLEAR -> {
                        l.clear();
                        m.clear();
                    }
                }
                for (int i = 0; i < lists.length; i++) {
                    assertThat(all(lists[i])).as("list %d after %s", i, op)
                            .containsExactlyInAnyOrderElementsOf(model.get(i));
                }
            }
            for (int i = 0; i < lists.length; i++) {
                List<Entry> popped = new ArrayList<>();
                for (int c : new int[] {0, 1, 35}) {
                    popped.addAll(drain(lists[i], c));
                }
                assertThat(popped).as("list %d drained", i).containsExactlyInAnyOrderElementsOf(model.get(i));
            }
        }
    }
}
