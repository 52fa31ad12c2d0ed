/**
 * The checked mode, a layer over a lane: each checked piece is a raw piece of the lane with guard
 * zones around it and a scope of its own. A lane sees it only through
 * {@link dev.regions.internal.lane.CheckedMode}, so that an unchecked lane pays one field test.
 */
package dev.regions.internal.checked;
