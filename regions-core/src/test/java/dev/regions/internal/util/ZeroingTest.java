package dev.regions.internal.util;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** Both ways of zeroing, once the memset handle is made, (memset up to {@link Zeroing#MEMSET_MAX} bytes, fill above) zero exactly the piece. */
class ZeroingTest {

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {1, 15, 16, 17, 255, 256, 4095, 4096, 4097, 70_000})
    void zeroesEveryByteOfThePieceAndNothingAround(long size) throws InterruptedException {
        assertThat(Zeroing.awaitMemset()).as("memset made (the tests run with native access)").isTrue();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment around = arena.allocate(size + 32);
            around.fill((byte) 0x5A);
            Zeroing.zero(around.asSlice(16, size));
            assertThat(around.asSlice(16, size).mismatch(MemorySegment.ofArray(new byte[(int) size]))).isEqualTo(-1L);
            assertThat(around.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 15)).isEqualTo((byte) 0x5A);
            assertThat(around.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 16 + size)).isEqualTo((byte) 0x5A);
        }
    }
}
