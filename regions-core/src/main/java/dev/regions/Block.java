package dev.regions;

/**
 * A run of memory that pieces live in and that {@link BlockDirectory} can find from a piece's
 * address: a {@link Page} of small slots or the block of one {@link LargeBlock large piece}.
 *
 * <p>Every block is bound to one {@link Generation}: its pieces are slices of a segment in that
 * generation's scope, and the generation's owner is the heap that may free them. A merge changes
 * the owner of whole generations, never anything per block.
 */
abstract sealed class Block permits Page, LargeBlock {
    /** Guarded by the owning heap (its lock for a shared region, its thread for a confined one). */
    final Generation generation;

    Block(Generation generation) {
        this.generation = generation;
    }
}
