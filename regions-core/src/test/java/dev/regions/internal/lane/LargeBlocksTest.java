package dev.regions.internal.lane;

import dev.regions.internal.block.SizeClasses;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LargeBlocks#bucket} directly: the buckets its free blocks wait in must grow with the
 * block size, four per doubling, so that the blocks that fit a piece are in the few buckets
 * between the piece's and twice the piece's.
 */
class LargeBlocksTest {

    @Test
    void bucketsGrowWithTheBlockSizeFourPerDoubling() {
        int previous = LargeBlocks.bucket(SizeClasses.BLOCK_ALIGNMENT);
        for (long bytes = 2 * SizeClasses.BLOCK_ALIGNMENT; bytes <= 256L << 20; bytes += SizeClasses.BLOCK_ALIGNMENT) {
            int bucket = LargeBlocks.bucket(bytes);
            assertThat(bucket).as("bucket of %d bytes", bytes).isGreaterThanOrEqualTo(previous);
            assertThat(LargeBlocks.bucket(2 * bytes)).as("bucket of twice %d bytes", bytes).isEqualTo(bucket + 4);
            previous = bucket;
        }
        assertThat(LargeBlocks.bucket(SizeClasses.MAX_LARGE)).isLessThan(64 * 4);
    }
}
