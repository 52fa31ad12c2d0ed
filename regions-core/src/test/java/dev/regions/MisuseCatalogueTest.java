package dev.regions;

import dev.regions.support.TrackingSource;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The misuse catalogue: every misuse a user can commit, with the exception class and the message
 * the user sees, taken from the real exceptions and written to {@code target/misuse-catalogue.md}
 * as a Markdown table ({@code | # | misuse | exception | message |}) for the docs to quote.
 *
 * <p>The rows are {@link MisuseTest}'s cases (where each is also checked to change nothing), run
 * on a confined region unless the case is about shared ones, followed by the cases below that do
 * not fit its fixture: sizes and alignments no source can give, null arguments elsewhere than
 * {@code free}, regions not built by Regions, touching pieces after a reset or a close (on this
 * thread or another), and code the region calls (a source, a cleanup action) calling back into it.
 * Each row is a test: its exception must be of the expected class and its message must contain
 * the expected fragment. Addresses and identity hash codes in messages are shown as {@code …}, so
 * that the file is the same from run to run.
 */
class MisuseCatalogueTest {

    private static final Path CATALOGUE = Path.of("target", "misuse-catalogue.md");

    /** A catalogue row: what was done, and the exception it got. */
    private record Row(String misuse, Throwable thrown) {
    }

    private static final Map<Integer, Row> ROWS = new TreeMap<>();

    // ------------------------------------------------------------------ MisuseTest's cases

    static Stream<Arguments> misuseTestCases() {
        List<MisuseTest.Case> cases = MisuseTest.allCases();
        return IntStream.range(0, cases.size()).mapToObj(i -> {
            MisuseTest.Case c = cases.get(i);
            MisuseTest.Kind kind = c.kinds().contains(MisuseTest.Kind.CONFINED) ? MisuseTest.Kind.CONFINED
                    : MisuseTest.Kind.SHARED;
            return argumentSet(c.name() + " (" + kind + ")", i, kind, c);
        });
    }

    @ParameterizedTest
    @MethodSource("misuseTestCases")
    void misuseTestCase(int index, MisuseTest.Kind kind, MisuseTest.Case c) throws Throwable {
        Throwable thrown;
        try (MisuseTest.Fixture f = new MisuseTest.Fixture(kind)) {
            MisuseTest.Action misuse = c.misuse().prepare(f);
            thrown = catchThrowable(misuse::run);
        }
        assertThat(thrown).as(c.name()).isInstanceOf(c.expected());
        for (String word : c.mentions()) {
            assertThat(thrown.getMessage()).as("message of %s", thrown).containsIgnoringCase(word);
        }
        record(index, c.name() + (c.kinds().size() == 1 ? " (" + kind + " region)" : ""), thrown);
    }

    // ------------------------------------------------------------------ more cases

    /** Commits one misuse on regions of its own (closing them after) and returns what it threw. */
    @FunctionalInterface
    interface Provoke {
        Throwable run() throws Exception;
    }

    record Extra(String name, Class<? extends Throwable> expected, String fragment, Provoke provoke) {
    }

    static List<Extra> extras() {
        List<Extra> extras = new ArrayList<>();
        extras.add(new Extra("allocate(Long.MAX_VALUE): more than any source can give", OutOfMemoryError.class,
                "larger than any a source can give", () -> onRegion(r -> r.allocate(Long.MAX_VALUE))));
        extras.add(new Extra("allocate(16, 2^62): an alignment no source can give", OutOfMemoryError.class,
                "aligned to 4611686018427387904", () -> onRegion(r -> r.allocate(16, 1L << 62))));
        extras.add(new Extra("allocate(0, 2^62): a zero-length piece with an alignment no source can give",
                OutOfMemoryError.class, "larger than any a source can give",
                () -> onRegion(r -> r.allocate(0, 1L << 62))));
        extras.add(new Extra("allocate(-1, 3) on a closed region: bad arguments are reported first",
                IllegalArgumentException.class, "invalid allocation size", () -> {
                    Region r = named(false);
                    r.close();
                    return catchThrowable(() -> r.allocate(-1, 3));
                }));
        extras.add(new Extra("merge(null)", NullPointerException.class, "source",
                () -> onRegion(r -> r.merge(null))));
        extras.add(new Extra("mergeAndClose(null)", NullPointerException.class, "source",
                () -> onRegion(r -> r.mergeAndClose(null))));
        extras.add(new Extra("Region.builder(null)", NullPointerException.class, "template",
                () -> catchThrowable(() -> Region.builder(null))));
        extras.add(new Extra("Region.builder().source(null)", NullPointerException.class, "source",
                () -> catchThrowable(() -> Region.builder().source(null))));
        extras.add(new Extra("Region.builder().name(null)", NullPointerException.class, "name",
                () -> catchThrowable(() -> Region.builder().name(null))));
        extras.add(new Extra("Region.builder().limit(-1)", IllegalArgumentException.class, "invalid limit",
                () -> catchThrowable(() -> Region.builder().limit(-1))));
        extras.add(new Extra("read a piece after its region was reset", IllegalStateException.class, "closed", () -> {
            try (Region r = named(false)) {
                MemorySegment piece = r.allocate(64);
                r.reset();
                return catchThrowable(() -> piece.get(JAVA_BYTE, 0));
            }
        }));
        extras.add(new Extra("write a piece after its region was closed", IllegalStateException.class, "closed",
                () -> {
                    Region r = named(true);
                    MemorySegment piece = r.allocate(20_000);
                    r.close();
                    return catchThrowable(() -> piece.set(JAVA_BYTE, 0, (byte) 1));
                }));
        extras.add(new Extra("read a piece of a shared region after another thread closed the region",
                IllegalStateException.class, "closed", () -> {
                    Region r = named(true);
                    MemorySegment piece = r.allocate(64);
                    Thread closer = new Thread(r::close, "closer");
                    closer.start();
                    closer.join();
                    return catchThrowable(() -> piece.get(JAVA_BYTE, 0));
                }));
        extras.add(new Extra("read a piece moved by merge after the destination was reset", IllegalStateException.class,
                "closed", () -> {
                    try (Region dst = named(false); Region src = named(false)) {
                        MemorySegment piece = src.allocate(64);
                        dst.merge(src);
                        dst.reset();
                        return catchThrowable(() -> piece.get(JAVA_BYTE, 0));
                    }
                }));
        extras.add(new Extra("a memory source that calls the region it serves (from allocate)",
                IllegalStateException.class, "is calling its memory source", () -> {
                    CallingSource source = new CallingSource();
                    try (Region r = Region.builder().name("mine").source(source).build()) {
                        source.call = () -> r.allocate(16);
                        r.allocate(16);
                        return source.thrown.get();
                    } finally {
                        assertThat(source.tracking.outstanding()).isZero();
                    }
                }));
        extras.add(new Extra("a memory source that resets the region it serves (from release, during close)",
                IllegalStateException.class, "is calling its memory source", () -> {
                    CallingSource source = new CallingSource();
                    Region r = Region.builder().name("mine").source(source).build();
                    r.allocate(16);
                    source.callOnRelease = r::reset;
                    r.close();
                    assertThat(source.tracking.outstanding()).isZero();
                    return source.thrown.get();
                }));
        extras.add(new Extra("a cleanup action that allocates in the region being reset", IllegalStateException.class,
                "is being reset or closed", () -> {
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    try (Region r = named(false)) {
                        bindCleanup(r, () -> thrown.set(catchThrowable(() -> r.allocate(16))));
                        r.reset();
                    }
                    return thrown.get();
                }));
        extras.add(new Extra("a cleanup action that closes the region being closed", IllegalStateException.class,
                "is being reset or closed", () -> {
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    Region r = named(true);
                    bindCleanup(r, () -> thrown.set(catchThrowable(r::close)));
                    r.close();
                    return thrown.get();
                }));
        return extras;
    }

    static Stream<Arguments> extraCases() {
        int base = MisuseTest.allCases().size();
        List<Extra> extras = extras();
        return IntStream.range(0, extras.size()).mapToObj(i -> argumentSet(extras.get(i).name(), base + i,
                extras.get(i)));
    }

    @ParameterizedTest
    @MethodSource("extraCases")
    void extraCase(int index, Extra extra) throws Exception {
        RegionStats global0 = Regions.globalStats();
        Throwable thrown = extra.provoke().run();
        assertThat(thrown).as(extra.name()).isInstanceOf(extra.expected());
        assertThat(thrown.getMessage()).as("message of %s", thrown).contains(extra.fragment());
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.liveBytes()).as("every region of the case closed").isEqualTo(global0.liveBytes());
        assertThat(global1.grossBytes()).as("every region of the case closed").isEqualTo(global0.grossBytes());
        record(index, extra.name(), thrown);
    }

    // ------------------------------------------------------------------ the catalogue

    private static void record(int index, String misuse, Throwable thrown) {
        synchronized (ROWS) {
            ROWS.put(index, new Row(misuse, thrown));
        }
    }

    @AfterAll
    static void writeCatalogue() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Misuse catalogue\n\n")
                .append("What a user sees for each misuse, from the exceptions Regions really throws")
                .append(" (generated by MisuseCatalogueTest; addresses and identity hash codes shown as `…`).\n\n")
                .append("| # | misuse | exception | message |\n|---|---|---|---|\n");
        int n = 0;
        synchronized (ROWS) {
            for (Row row : ROWS.values()) {
                md.append("| ").append(++n).append(" | ").append(row.misuse().replace("|", "\\|")).append(" | `")
                        .append(row.thrown().getClass().getName()).append("` | ")
                        .append(cell(String.valueOf(row.thrown().getMessage()))).append(" |\n");
            }
        }
        Files.createDirectories(CATALOGUE.getParent());
        Files.writeString(CATALOGUE, md);
        if (n > 0) {
            System.out.println("Misuse catalogue: " + n + " rows in " + CATALOGUE.toAbsolutePath());
        }
    }

    private static String cell(String text) {
        return text.replaceAll("0x[0-9a-fA-F]{5,}", "0x…").replaceAll("(\\[[A-Z])@[0-9a-f]+", "$1@…")
                .replace("|", "\\|").replace("\n", " ");
    }

    // ------------------------------------------------------------------ helpers

    @FunctionalInterface
    interface RegionCall {
        void run(Region r) throws Throwable;
    }

    /** A region named "mine", so that the catalogue's messages are the same whatever ran before. */
    private static Region named(boolean shared) {
        return Region.builder().name("mine").shared(shared).build();
    }

    /** Runs the misuse on a fresh confined region, closes it, returns what the misuse threw. */
    private static Throwable onRegion(RegionCall call) {
        try (Region r = named(false)) {
            return catchThrowable(() -> call.run(r));
        }
    }

    @SuppressWarnings("restricted")
    private static void bindCleanup(Region region, Runnable action) {
        MemorySegment.ofAddress(region.allocate(8).address()).reinterpret(8, region, s -> action.run());
    }

    /** A tracking source that, once told, calls back into a region from allocate or release. */
    private static final class CallingSource implements MemorySource {
        final TrackingSource tracking = new TrackingSource();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        volatile Runnable call;
        volatile Runnable callOnRelease;

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            Runnable c = call;
            if (c != null) {
                call = null;
                thrown.compareAndSet(null, catchThrowable(c::run));
            }
            return tracking.allocate(byteSize, byteAlignment);
        }

        @Override
        public void release(MemorySegment block) {
            tracking.release(block);
            Runnable c = callOnRelease;
            if (c != null) {
                callOnRelease = null;
                thrown.compareAndSet(null, catchThrowable(c::run));
            }
        }
    }
}
