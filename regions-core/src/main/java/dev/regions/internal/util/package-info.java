/**
 * The bottom of the engine: argument checks and the exceptions of refusals, cache-line padding, and zeroing a reused piece.
 */
package dev.regions.internal.util;
