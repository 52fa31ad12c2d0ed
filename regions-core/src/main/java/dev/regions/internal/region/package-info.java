/**
 * The regions themselves: {@link dev.regions.internal.region.BaseRegion} writes every whole-region
 * operation once (reset, close, merge, limits, stats), over two things that differ by kind: how a
 * call takes access ({@link dev.regions.internal.region.ConfinedRegion}: the owner thread;
 * {@link dev.regions.internal.region.SharedRegion}: the lane locks) and how the region's stats are
 * kept ({@link dev.regions.internal.region.StatsKeeper}). Also the reclaimer of regions nobody
 * closed, and the {@link dev.regions.internal.region.Validator}.
 */
package dev.regions.internal.region;
