package dev.regions.internal;

import dev.regions.Region;
import dev.regions.internal.block.AddressDirectory;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.region.BaseRegion;
import dev.regions.internal.region.SharedRegion;
import dev.regions.internal.region.ThreadLanes;
import dev.regions.internal.region.Validator;
import dev.regions.internal.stats.GlobalStats;
import dev.regions.internal.stats.SteppedCounter;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tests' door to the engine's checks: the {@link Validator}, lane locks, and the constants a
 * test needs to aim at a boundary. Test code only (it lives with the tests, in the engine's
 * package).
 */
public final class Invariants {
    private Invariants() {
    }

    /** Whether this run builds checked regions by default ({@code -Dregions.checked=true}): a few tests check the checked mode's own behaviour then. */
    public static final boolean CHECKED = Boolean.getBoolean("regions.checked");
    /** Larger than any piece: refused before the source is asked. */
    public static final long MAX_LARGE = SizeClasses.MAX_LARGE;
    /** How far a lane's live bytes move before the process's counter hears of it. */
    public static final long GLOBAL_STEP = SteppedCounter.STEP;
    /** The largest piece carved from a shared block (larger ones get a block of their own). */
    public static final long MEDIUM_MAX = SizeClasses.MEDIUM_MAX;
    /** Process-wide state, which Lincheck must leave out of its analysis. */
    public static final String[] PROCESS_WIDE = {GlobalStats.class.getName(), AddressDirectory.class.getName(),
            SteppedCounter.class.getName(), ThreadLanes.class.getName()};

    /**
     * The engine's classes that run only under a lane's lock (or every lane's): every class of the
     * layers below a region ({@code lane}, {@code block}, {@code checked}) that is not process-wide,
     * and the {@link Validator}. Lincheck may treat their methods as atomic, so that it explores how
     * threads interleave around the locks rather than every step inside a lane (which made an
     * invocation too slow to finish). Read from the packages, so a class added there is included.
     */
    public static final String[] UNDER_LANE_LOCK = underLaneLock();

    private static String[] underLaneLock() {
        List<String> names = new ArrayList<>(List.of(Validator.class.getName()));
        for (String layer : List.of("lane", "block", "checked")) {
            names.addAll(classesOf("dev.regions.internal." + layer));
        }
        names.removeAll(List.of(PROCESS_WIDE));
        return names.toArray(String[]::new);
    }

    /** The top-level classes of {@code pkg}, from the directory the test run loads them from. */
    private static List<String> classesOf(String pkg) {
        try {
            URL url = Validator.class.getResource("/" + pkg.replace('.', '/'));
            if (url == null || !"file".equals(url.getProtocol())) {
                throw new IllegalStateException("the classes of " + pkg + " are not in a directory: " + url);
            }
            try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                List<String> names = files.map(f -> f.getFileName().toString())
                        .filter(n -> n.endsWith(".class") && !n.contains("$") && !n.equals("package-info.class"))
                        .map(n -> pkg + "." + n.substring(0, n.length() - ".class".length()))
                        .sorted().toList();
                if (names.isEmpty()) {
                    throw new IllegalStateException("no classes found in " + pkg);
                }
                return names;
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first broken internal invariant of {@code region}, or null. */
    public static String check(Region region) {
        return Validator.validate((BaseRegion) region);
    }

    /** Whether some thread holds a lane lock of {@code region}, a shared region. */
    public static boolean anyLaneLocked(Region region) {
        return Validator.anyLaneLocked((SharedRegion) region);
    }
}
