package dev.regions.internal;

import dev.regions.MemorySource;
import dev.regions.Region;
import dev.regions.RegionStats;
import dev.regions.internal.event.RegionEvents;
import dev.regions.internal.lane.Settings;
import dev.regions.internal.monitor.Monitoring;
import dev.regions.internal.region.BaseRegion;
import dev.regions.internal.region.ConfinedRegion;
import dev.regions.internal.region.Reclaimer;
import dev.regions.internal.region.SharedRegion;
import dev.regions.internal.source.JdkSource;
import dev.regions.internal.source.MallocSource;
import dev.regions.internal.source.RawSource;
import dev.regions.internal.source.SerializedSource;
import dev.regions.internal.stats.GlobalStats;
import dev.regions.internal.util.Refusals;

/**
 * The internal package's one public door: what the exported types ({@code Region.Builder},
 * {@code MemorySource}, {@code Regions}) call. The module does not export this package, so
 * nothing here is part of the API.
 */
public final class Engine {
    private Engine() {
    }

    /** Builds a region; takes no memory from the source yet. */
    public static Region build(Settings settings) {
        RegionEvents.init();
        Monitoring.init();
        BaseRegion region = settings.shared() ? new SharedRegion(settings) : new ConfinedRegion(settings);
        if (settings.monitored()) {
            Monitoring.monitor(region.record);
        }
        if (RegionEvents.recorder()) {
            RegionEvents.RegionBuilt e = new RegionEvents.RegionBuilt();
            if (e.isEnabled()) {
                e.region = region.name;
                e.kind = region.record.kind;
                e.checked = settings.checked();
                e.limit = settings.limit();
                e.commit();
            }
        }
        return region;
    }

    /** The settings {@code region} was built with. */
    public static Settings settingsOf(Region region) {
        return ((BaseRegion) region).settings(); // Region permits only BaseRegion
    }

    public static MemorySource malloc() {
        return MallocSource.INSTANCE;
    }

    public static MemorySource jdk() {
        return JdkSource.INSTANCE;
    }

    public static MemorySource serialized(MemorySource source) {
        return new SerializedSource(source);
    }

    public static RegionStats globalStats(boolean resetWatermarks) {
        return GlobalStats.snapshot(resetWatermarks);
    }

    public static long reclaimed() {
        return Reclaimer.reclaimed();
    }

    public static String report() {
        return Monitoring.report();
    }

    /** Throws {@link IllegalArgumentException} for a site sampling below 1. */
    public static int checkSiteSampling(int everyNth) {
        if (everyNth < 1) {
            throw new IllegalArgumentException("invalid site sampling: " + everyNth
                    + " (must be >= 1: record one allocation site in that many)");
        }
        return everyNth;
    }

    /** Throws {@link IllegalArgumentException} for a negative limit. */
    public static long checkLimit(long bytes) {
        return Refusals.limit(bytes);
    }

    /** Throws {@link IllegalCallerException} if the source may not be trusted with raw memory. */
    public static void checkSource(MemorySource source) {
        RawSource.checkAllowed(source);
    }

    /** A region's {@code NativeHeap} ignored a free of {@code address}: the Flight Recorder event. */
    public static void nativeBadFree(String region, long address, String reason) {
        RegionEvents.nativeBadFree(region, address, reason);
    }
}
