/**
 * Memory a lane took from its source, as blocks: where pieces are carved
 * ({@link dev.regions.internal.block.CarvedBlock}, with a code per 16-byte unit saying where each
 * live piece starts and its size), large pieces alone ({@link dev.regions.internal.block.LargeBlock}),
 * the size classes, and the process-wide map from an address to its block. Blocks reference no
 * lane, arena or region, so that the process-wide directory keeps nothing reachable.
 */
package dev.regions.internal.block;
