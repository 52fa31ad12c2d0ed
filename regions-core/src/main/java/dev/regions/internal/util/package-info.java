/**
 * The bottom of the engine: argument checks and the exceptions of refusals, and cache-line padding.
 */
package dev.regions.internal.util;
