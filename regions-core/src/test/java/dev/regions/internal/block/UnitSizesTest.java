package dev.regions.internal.block;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link UnitSizes}, the open-addressed map from a unit to an escaped piece size: random
 * put/get/remove/clear sequences behave like a {@link HashMap} (a property test), and a removal in
 * the middle of a collision run (also one that wraps round the end of the table) shifts the later
 * keys back so that they are still found.
 */
class UnitSizesTest {

    // ------------------------------------------------------------------ the property

    enum Kind { PUT, GET, REMOVE, CLEAR }

    record Op(Kind kind, int unit, int size) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        // Few distinct units (many collisions, re-puts and removals of present keys), or many
        // (growth); sizes as CarvedBlock escapes them: 0, or 255 up to a medium maximum.
        Arbitrary<Integer> unit = Arbitraries.frequencyOf(
                Tuple.of(60, Arbitraries.integers().between(0, 40)),
                Tuple.of(40, Arbitraries.integers().between(0, 65_535)));
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(4, Arbitraries.integers().between(255, SizeClasses.MEDIUM_MAX)));
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(
                Tuple.of(45, Arbitraries.just(Kind.PUT)),
                Tuple.of(25, Arbitraries.just(Kind.GET)),
                Tuple.of(29, Arbitraries.just(Kind.REMOVE)),
                Tuple.of(1, Arbitraries.just(Kind.CLEAR)));
        return Combinators.combine(kind, unit, size).as(Op::new).list().ofMinSize(1).ofMaxSize(300);
    }

    @Property(tries = 200)
    void behavesLikeAHashMap(@ForAll("ops") List<Op> ops) {
        UnitSizes map = new UnitSizes();
        Map<Integer, Integer> model = new HashMap<>();
        for (Op op : ops) {
            switch (op.kind()) {
                case PUT -> {
                    map.put(op.unit(), op.size());
                    model.put(op.unit(), op.size());
                }
                case GET -> assertThat(map.get(op.unit())).isEqualTo(model.getOrDefault(op.unit(), -1));
                case REMOVE -> {
                    map.remove(op.unit());
                    model.remove(op.unit());
                }
                case CLEAR -> {
                    map.clear();
                    model.clear();
                }
            }
            assertThat(map.size()).isEqualTo(model.size());
        }
        for (Map.Entry<Integer, Integer> e : model.entrySet()) {
            assertThat(map.get(e.getKey())).as("unit %d", e.getKey()).isEqualTo(e.getValue());
        }
        // Every unit the sequence touched and removed reads absent.
        for (Op op : ops) {
            if (!model.containsKey(op.unit())) {
                assertThat(map.get(op.unit())).as("unit %d", op.unit()).isEqualTo(-1);
            }
        }
    }

    // ------------------------------------------------------------------ collision runs

    /** UnitSizes's hash, to pick units that collide in a table of 8 (its first capacity). */
    private static int home(int unit, int capacity) {
        return (unit * 0x9E3779B9 >>> 16) & (capacity - 1);
    }

    /** The first {@code n} units of 1.. whose home slot in a table of 8 is {@code slot}. */
    private static List<Integer> unitsAt(int slot, int n) {
        List<Integer> units = new ArrayList<>();
        for (int u = 1; units.size() < n; u++) {
            if (home(u, 8) == slot) {
                units.add(u);
            }
        }
        return units;
    }

    /** The slot of the table that holds {@code unit}, read from the map's private keys. */
    private static int slotOf(UnitSizes map, int unit) throws ReflectiveOperationException {
        Field f = UnitSizes.class.getDeclaredField("keys");
        f.setAccessible(true);
        int[] keys = (int[]) f.get(map);
        assertThat(keys).as("the table is still at its first capacity").hasSize(8);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == unit) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void removingTheMiddleOfACollisionRunKeepsTheLaterKeysFindable() throws ReflectiveOperationException {
        for (int slot = 0; slot < 8; slot++) { // slot 6 and 7: the run wraps round to slot 0
            List<Integer> run = unitsAt(slot, 3);
            UnitSizes map = new UnitSizes();
            for (int i = 0; i < 3; i++) {
                map.put(run.get(i), 1000 + i);
            }
            // The premise: the three units fill three consecutive slots from their common home.
            for (int i = 0; i < 3; i++) {
                assertThat(slotOf(map, run.get(i))).as("slot of the %d-th unit homed at %d", i, slot)
                        .isEqualTo((slot + i) & 7);
            }

            map.remove(run.get(1));

            assertThat(map.get(run.get(1))).isEqualTo(-1);
            assertThat(map.get(run.get(0))).isEqualTo(1000);
            assertThat(map.get(run.get(2))).as("the unit after the hole, homed at %d", slot).isEqualTo(1002);
            assertThat(map.size()).isEqualTo(2);

            // The hole is reusable and the run stays consistent.
            map.remove(run.get(0));
            assertThat(map.get(run.get(2))).isEqualTo(1002);
            map.put(run.get(1), 7);
            assertThat(map.get(run.get(1))).isEqualTo(7);
            assertThat(map.get(run.get(2))).isEqualTo(1002);
            assertThat(map.size()).isEqualTo(2);
        }
    }

    @Test
    void removalShiftsBackAKeyOfAnotherHomeThatProbedIntoTheRun() throws ReflectiveOperationException {
        // a and b are homed at slot s, c at slot s + 1: c lands at s + 2, behind b. Removing a must
        // move b to s and c to s + 1 (its home), or c would be cut off by a hole.
        for (int s = 0; s < 8; s++) {
            int a = unitsAt(s, 2).get(0);
            int b = unitsAt(s, 2).get(1);
            int c = unitsAt((s + 1) & 7, 1).get(0);
            UnitSizes map = new UnitSizes();
            map.put(a, 1);
            map.put(b, 2);
            map.put(c, 3);
            assertThat(slotOf(map, c)).isEqualTo((s + 2) & 7);

            map.remove(a);

            assertThat(map.get(a)).isEqualTo(-1);
            assertThat(map.get(b)).isEqualTo(2);
            assertThat(map.get(c)).isEqualTo(3);
            assertThat(slotOf(map, b)).isEqualTo(s);
            assertThat(slotOf(map, c)).isEqualTo((s + 1) & 7);
        }
    }

    @Test
    void removingAnAbsentUnitChangesNothing() {
        UnitSizes map = new UnitSizes();
        map.put(5, 300);
        map.remove(6);
        map.remove(5);
        map.remove(5);
        assertThat(map.size()).isZero();
        assertThat(map.get(5)).isEqualTo(-1);
    }

    @Test
    void keepsEveryUnitOfAFullMegabyteBlockAcrossGrowth() {
        // A 1 MiB block has 65,536 units; zero-length pieces could escape every second one.
        UnitSizes map = new UnitSizes();
        for (int u = 0; u < 65_536; u += 2) {
            map.put(u, u % 8192);
        }
        assertThat(map.size()).isEqualTo(32_768);
        for (int u = 0; u < 65_536; u++) {
            assertThat(map.get(u)).isEqualTo(u % 2 == 0 ? u % 8192 : -1);
        }
        for (int u = 0; u < 65_536; u += 4) {
            map.remove(u);
        }
        for (int u = 0; u < 65_536; u += 2) {
            assertThat(map.get(u)).isEqualTo(u % 4 == 0 ? -1 : u % 8192);
        }
        map.clear();
        assertThat(map.size()).isZero();
        assertThat(map.get(2)).isEqualTo(-1);
    }
}
