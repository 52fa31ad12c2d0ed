/**
 * One lane's allocator: the whole of a confined region, or one lane of a shared region. A lane is
 * not thread-safe; the region layer above calls it from one thread at a time. Start with
 * {@link dev.regions.internal.lane.Lane}.
 *
 * <h2>Zeroing</h2>
 * Carved units come zeroed from the block, a span at a time
 * ({@link dev.regions.internal.block.CarvedBlock}); a reused freed piece is zeroed with one
 * {@code fill} when handed out again, where the caller is about to touch it anyway. Zeroing at
 * free instead would let a caller who writes through a freed piece break the promise of zeroed
 * pieces. A large block is zeroed as far as earlier pieces reached.
 *
 * <h2>Bump mode</h2>
 * Pieces are carved to their exact size and nothing is recorded: the code of a bump piece stays
 * 0, so {@code free} refuses it here and in any region a merge moves it to.
 *
 * <h2>What a lane does not do</h2>
 * It does not give a class's free units to another class, nor split or join them (PostgreSQL's
 * {@code aset.c} makes the same trade), nor give a block back to the source before a reset or
 * close: a freed piece's segment stays bound to a live generation, so its memory must stay
 * mapped.
 */
package dev.regions.internal.lane;
