package dev.regions.leakcheck;

import dev.regions.RegionStats;
import dev.regions.Regions;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * No native memory leaks out of the test suite: once every test of regions-core has run (in each
 * JVM the build forks), {@link Regions#globalStats()} must show 0 live and 0 gross bytes, that is
 * every region closed. It notes the stats around every test class, so a leak names the classes
 * that left regions open; the report goes to standard error and to the file named by the system
 * property {@code regions.leakReport}, whose existence fails the build at {@code verify}
 * (enforcer rule in regions-core's pom: a listener cannot fail a test run by itself).
 *
 * <p>Registered through {@code META-INF/services}. It lives outside the test classes (its own
 * source root, output directory and class path entry): the test classes are patched into the
 * module {@code dev.regions}, where {@link java.util.ServiceLoader} ignores providers that a
 * {@code META-INF/services} file names.
 */
public final class RegionLeakListener implements TestExecutionListener {
    private final Map<String, RegionStats> atClassStart = new HashMap<>();
    private final List<String> leakingClasses = new ArrayList<>();
    private int classes;

    private static Path report() {
        String path = System.getProperty("regions.leakReport");
        return path == null ? null : Path.of(path);
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        Path report = report();
        if (report != null) {
            try {
                Files.deleteIfExists(report);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (isClass(id)) {
            atClassStart.put(id.getUniqueId(), Regions.globalStats());
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        RegionStats before = atClassStart.remove(id.getUniqueId());
        if (before == null) {
            return;
        }
        classes++;
        RegionStats after = Regions.globalStats();
        if (after.grossBytes() != before.grossBytes() || after.liveBytes() != before.liveBytes()
                || after.liveCount() != before.liveCount()) {
            leakingClasses.add(String.format("%s: live bytes %+d, live pieces %+d, gross bytes %+d",
                    ((ClassSource) id.getSource().orElseThrow()).getClassName(),
                    after.liveBytes() - before.liveBytes(), after.liveCount() - before.liveCount(),
                    after.grossBytes() - before.grossBytes()));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        RegionStats end = Regions.globalStats();
        if (end.grossBytes() == 0 && end.liveBytes() == 0 && end.liveCount() == 0) {
            System.out.printf("Region leak check: every region closed after %d test classes (global live and gross"
                    + " bytes 0)%n", classes);
            return;
        }
        StringBuilder text = new StringBuilder("Region leak check FAILED: after " + classes + " test classes, "
                + end + " (regions left open).\n");
        if (leakingClasses.isEmpty()) {
            text.append("No single test class changed the stats: a region was left open outside a test class.\n");
        } else {
            text.append("Test classes that left regions open:\n");
            leakingClasses.forEach(line -> text.append("  ").append(line).append('\n'));
        }
        System.err.print(text);
        Path report = report();
        if (report != null) {
            try {
                Files.createDirectories(report.getParent());
                Files.writeString(report, text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static boolean isClass(TestIdentifier id) {
        return id.getSource().filter(ClassSource.class::isInstance).isPresent() && id.isContainer();
    }
}
