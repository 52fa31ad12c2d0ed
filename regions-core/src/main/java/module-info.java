/**
 * Regions: off-heap region allocation on the Foreign Function and Memory API.
 *
 * <p>The module exports one package, {@link dev.regions}, holding only the public contract
 * ({@link dev.regions.Region}, {@link dev.regions.RegionStats}, {@link dev.regions.MemorySource},
 * {@link dev.regions.Regions} and the two exceptions). The engine lives in
 * {@code dev.regions.internal}, which it does not export.
 *
 * <p>Regions makes restricted FFM calls ({@code MemorySegment.reinterpret} and, for
 * {@link dev.regions.MemorySource#malloc()}, {@code Linker} downcalls): run with
 * {@code --enable-native-access=dev.regions} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.regions {
    requires jdk.jfr;
    requires transitive java.management; // the beans of dev.regions.management speak MemoryUsage

    exports dev.regions;
    exports dev.regions.management;
}
