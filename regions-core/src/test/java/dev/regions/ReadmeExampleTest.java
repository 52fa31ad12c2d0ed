package dev.regions;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The example of README.md, line for line, with what a reader would expect of it checked. */
class ReadmeExampleTest {

    @Test
    void readmeExampleRunsAndDoesWhatItSays() {
        MemorySegment name;
        MemorySegment node;
        RegionStats stats;
        try (Region program = Region.ofConfined();
             Region scratch = Region.ofConfined()) {
            name = program.allocateFrom("Ada");
            MemorySegment numbers = scratch.allocate(JAVA_LONG, 1_000);
            numbers.setAtIndex(JAVA_LONG, 999, 42);
            scratch.free(numbers);

            node = scratch.allocate(64);
            program.merge(scratch);
            scratch.allocate(128);
            scratch.reset();

            stats = program.stats();
            assertThat(name.getString(0)).isEqualTo("Ada");
            assertThat(node.get(JAVA_BYTE, 63)).isZero(); // the merged piece outlived scratch.reset()
            assertThat(scratch.stats().liveCount()).isZero();
        }
        assertThat(stats.liveCount()).isEqualTo(2);
        assertThat(stats.liveBytes()).isEqualTo(4 + 64);
        assertThatThrownBy(() -> name.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> node.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }
}
