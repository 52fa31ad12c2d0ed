package dev.regions.internal.block;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SizeClasses} directly: every piece size of 1..8192 bytes maps to the smallest class that
 * holds it (small sizes to exactly their units), classes and unit counts map back and forth, block
 * sizes grow 4K, 8K, 12K, 16K, 24K, ... to 1 MiB, and rounding to whole 4 KiB blocks refuses an
 * overflow.
 */
class SizeClassesTest {

    private static final int MAX_UNITS = SizeClasses.MEDIUM_MAX / SizeClasses.UNIT;

    @Test
    void everySizeGetsTheSmallestClassThatHoldsIt() {
        for (int size = 1; size <= SizeClasses.MEDIUM_MAX; size++) {
            int c = SizeClasses.classOf(size);
            assertThat(c).as("class of %d bytes", size).isBetween(0, SizeClasses.COUNT - 1);
            assertThat((long) SizeClasses.units(c) * SizeClasses.UNIT)
                    .as("bytes of class %d, the class of %d bytes", c, size).isGreaterThanOrEqualTo(size);
            for (int smaller = 0; smaller < c; smaller++) {
                assertThat((long) SizeClasses.units(smaller) * SizeClasses.UNIT)
                        .as("class %d, smaller than %d, the class of %d bytes", smaller, c, size).isLessThan(size);
            }
        }
    }

    @Test
    void classesGrowStrictlyAndEndAtTheMediumMaximum() {
        assertThat(SizeClasses.units(0)).isEqualTo(1);
        for (int c = 1; c < SizeClasses.COUNT; c++) {
            assertThat(SizeClasses.units(c)).as("units of class %d", c).isGreaterThan(SizeClasses.units(c - 1));
        }
        assertThat(SizeClasses.units(SizeClasses.COUNT - 1) * SizeClasses.UNIT).isEqualTo(SizeClasses.MEDIUM_MAX);
    }

    @Test
    void mediumClassesWasteUnderAQuarter() {
        for (int size = SizeClasses.SMALL_MAX + 1; size <= SizeClasses.MEDIUM_MAX; size++) {
            long bytes = (long) SizeClasses.units(SizeClasses.classOf(size)) * SizeClasses.UNIT;
            assertThat(bytes - size).as("waste for %d bytes", size).isLessThan(size / 4 + 1);
        }
    }

    @Test
    void smallSizesTakeExactlyTheirUnits() {
        for (int size = 1; size <= SizeClasses.SMALL_MAX; size++) {
            int expectedUnits = (size + 15) / 16;
            assertThat(SizeClasses.units(SizeClasses.classOf(size))).as("units of %d bytes", size)
                    .isEqualTo(expectedUnits);
            assertThat(SizeClasses.unitsOf(size)).as("unitsOf(%d)", size).isEqualTo(expectedUnits);
            assertThat(SizeClasses.classOf(size)).as("class of %d bytes", size).isEqualTo(expectedUnits - 1);
        }
        assertThat(SizeClasses.unitsOf(0)).isZero();
    }

    @Test
    void classOfUnitsInvertsUnits() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            assertThat(SizeClasses.classOfUnits(SizeClasses.units(c))).as("classOfUnits(units(%d))", c).isEqualTo(c);
        }
    }

    @Test
    void classOfUnitsIsMinusOneForUnitCountsThatAreNoClass() {
        List<Integer> classUnits = new ArrayList<>();
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            classUnits.add(SizeClasses.units(c));
        }
        int noClass = 0;
        for (int units = -3; units <= MAX_UNITS + 100; units++) {
            if (!classUnits.contains(units)) {
                assertThat(SizeClasses.classOfUnits(units)).as("classOfUnits(%d)", units).isEqualTo(-1);
                noClass++;
            }
        }
        // 17..19 units (272..304 bytes) lie between class 15 (256 bytes) and class 16 (320 bytes)
        assertThat(SizeClasses.classOfUnits(17)).isEqualTo(-1);
        assertThat(SizeClasses.classOfUnits(Integer.MAX_VALUE)).isEqualTo(-1);
        assertThat(SizeClasses.classOfUnits(Integer.MIN_VALUE)).isEqualTo(-1);
        assertThat(noClass).isEqualTo(MAX_UNITS + 104 - SizeClasses.COUNT);
    }

    @Test
    void blockSizesGrowFrom4KiBTo1MiB() {
        List<Long> sizes = new ArrayList<>();
        long size = 0;
        for (int i = 0; i < 40; i++) {
            size = SizeClasses.nextBlockSize(size);
            sizes.add(size);
        }
        assertThat(sizes.subList(0, 8)).containsExactly(4096L, 8192L, 12288L, 16384L, 24576L, 32768L, 49152L, 65536L);
        assertThat(sizes).allSatisfy(s -> {
            assertThat(s % 4096).isZero();
            assertThat(s).isBetween(4096L, 1L << 20);
        });
        int capped = sizes.indexOf(1L << 20);
        assertThat(capped).as("the sequence reaches 1 MiB").isPositive();
        for (int i = 1; i <= capped; i++) {
            double growth = (double) sizes.get(i) / sizes.get(i - 1);
            assertThat(growth).as("growth from %d to %d", sizes.get(i - 1), sizes.get(i)).isBetween(1.33, 2.0);
        }
        assertThat(sizes.subList(capped, sizes.size())).containsOnly(1L << 20);
        assertThat(SizeClasses.nextBlockSize(1L << 20)).isEqualTo(1L << 20);
    }

    @Test
    void roundToBlockRoundsUpToWhole4KiBAndRefusesOverflow() {
        assertThat(SizeClasses.roundToBlock(0)).isZero();
        assertThat(SizeClasses.roundToBlock(1)).isEqualTo(4096);
        assertThat(SizeClasses.roundToBlock(4095)).isEqualTo(4096);
        assertThat(SizeClasses.roundToBlock(4096)).isEqualTo(4096);
        assertThat(SizeClasses.roundToBlock(4097)).isEqualTo(8192);
        assertThat(SizeClasses.roundToBlock(12_272)).isEqualTo(12_288);
        assertThat(SizeClasses.roundToBlock(1L << 40)).isEqualTo(1L << 40);
        assertThat(SizeClasses.roundToBlock((1L << 40) + 1)).isEqualTo((1L << 40) + 4096);

        long largestMultiple = Long.MAX_VALUE & -4096L;
        assertThat(SizeClasses.roundToBlock(largestMultiple)).isEqualTo(largestMultiple);
        assertThat(SizeClasses.roundToBlock(largestMultiple + 1)).isEqualTo(-1);
        assertThat(SizeClasses.roundToBlock(Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(SizeClasses.roundToBlock(SizeClasses.MAX_LARGE)).isEqualTo(SizeClasses.MAX_LARGE);
    }
}
