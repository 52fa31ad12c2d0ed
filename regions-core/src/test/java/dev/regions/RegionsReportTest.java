package dev.regions;

import dev.regions.support.Collector;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reports a person reads when memory looks wrong: {@link Regions#report()} (every open region,
 * one line each, and a total) and a checked region's {@link Region#leakReport()} and
 * {@link Region#livePieces()} (its live pieces by allocation site); an unchecked region says how to
 * get them.
 */
@Timeout(60)
class RegionsReportTest {

    /** One line of {@link Regions#report()}. */
    record Row(String name, String kind, long live, long gross, long peak, long pieces, String limit) {
    }

    /** The report, read back: its rows and its total line. */
    record Report(List<Row> rows, long regions, long live, long gross, long pieces) {
        Row row(String name) {
            List<Row> found = rows.stream().filter(r -> r.name().equals(name)).toList();
            assertThat(found).as("rows of region %s in the report", name).hasSize(1);
            return found.getFirst();
        }

        boolean lists(String name) {
            return rows.stream().anyMatch(r -> r.name().equals(name));
        }
    }

    private static final Pattern TOTAL = Pattern.compile(
            "total: (\\d+) regions\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)");

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    /** Reads the report: a header, a line per region (name, kind, five figures), a total. */
    private static Report parse(String text) {
        List<String> lines = text.lines().toList();
        assertThat(lines).as("the report").hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.getFirst().trim().split("\\s{2,}"))
                .as("the header").containsExactly("region", "kind", "live B", "gross B", "peak B", "pieces",
                        "limit B");
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size() - 1)) {
            String[] t = line.trim().split("\\s+");
            assertThat(t.length).as("fields of %s", line).isGreaterThanOrEqualTo(7);
            int n = t.length;
            rows.add(new Row(t[0], String.join(" ", Arrays.copyOfRange(t, 1, n - 5)), number(t[n - 5]),
                    number(t[n - 4]), number(t[n - 3]), number(t[n - 2]), t[n - 1]));
        }
        Matcher total = TOTAL.matcher(lines.getLast().trim());
        assertThat(total.matches()).as("the total line: %s", lines.getLast()).isTrue();
        return new Report(rows, Long.parseLong(total.group(1)), number(total.group(2)), number(total.group(3)),
                number(total.group(4)));
    }

    private static void assertRow(Report report, Region region, String kind, long live, long pieces,
            String limit) {
        Row row = report.row(region.name());
        RegionStats s = region.stats();
        assertThat(row.kind()).as("%s: kind", region.name()).isEqualTo(kind);
        assertThat(row.live()).as("%s: live bytes", region.name()).isEqualTo(live).isEqualTo(s.liveBytes());
        assertThat(row.gross()).as("%s: gross bytes", region.name()).isEqualTo(s.grossBytes());
        assertThat(row.peak()).as("%s: peak bytes", region.name()).isEqualTo(s.peakLiveBytes());
        assertThat(row.pieces()).as("%s: pieces", region.name()).isEqualTo(pieces).isEqualTo(s.liveCount());
        assertThat(row.limit()).as("%s: limit", region.name()).isEqualTo(limit);
    }

    private static void assertTotals(Report report) {
        assertThat(report.regions()).as("regions in the total line").isEqualTo(report.rows().size());
        assertThat(report.live()).as("total live bytes: the sum of the lines")
                .isEqualTo(report.rows().stream().mapToLong(Row::live).sum());
        assertThat(report.gross()).as("total gross bytes: the sum of the lines")
                .isEqualTo(report.rows().stream().mapToLong(Row::gross).sum());
        assertThat(report.pieces()).as("total pieces: the sum of the lines")
                .isEqualTo(report.rows().stream().mapToLong(Row::pieces).sum());
        List<Long> live = report.rows().stream().map(Row::live).toList();
        assertThat(live).as("largest live bytes first").isSortedAccordingTo((a, b) -> Long.compare(b, a));
    }

    // ------------------------------------------------------------------ Regions.report()

    @Test
    void theReportListsEveryOpenRegionAndATotalOfTheirFigures() throws InterruptedException {
        Collector.settle();
        String kind = "confined to thread '" + Thread.currentThread().getName() + "'";
        Region big = Region.builder().name("report-big").limit(1 << 20).build();
        Region shared = Region.builder().name("report-shared").shared(true).build();
        Region empty = Region.builder().name("report-empty").build();
        Region merged = Region.builder().name("report-merged").build();
        Region source = Region.builder().name("report-source").build();
        try {
            big.allocate(4096);
            big.allocate(10_000);
            big.free(big.allocate(300));
            shared.allocate(100);
            shared.allocate(200);
            merged.allocate(1000);
            source.allocate(2000);
            source.allocate(3000);
            merged.merge(source); // the source's pieces now count in report-merged, once

            String text = Regions.report();
            Report report = parse(text);
            assertRow(report, big, kind, 14_096, 2, String.format(Locale.ROOT, "%,d", 1 << 20));
            assertThat(report.row("report-big").peak()).isEqualTo(14_396);
            assertRow(report, shared, "shared", 300, 2, "none");
            assertRow(report, empty, kind, 0, 0, "none");
            assertThat(report.row("report-empty").gross()).isZero();
            assertRow(report, merged, kind, 6000, 3, "none");
            assertRow(report, source, kind, 0, 0, "none");
            assertTotals(report);
            RegionStats global = Regions.globalStats();
            assertThat(report.live()).as("total live bytes: the process's").isEqualTo(global.liveBytes());
            assertThat(report.gross()).as("total gross bytes: the process's").isEqualTo(global.grossBytes());
            assertThat(report.pieces()).as("total pieces: the process's").isEqualTo(global.liveCount());
            assertThat(text).as("the report ends with a line break").endsWith(System.lineSeparator());

            // A closed region leaves the report, and the total.
            shared.close();
            source.close();
            Report after = parse(Regions.report());
            assertThat(after.lists("report-shared")).as("report-shared listed after its close").isFalse();
            assertThat(after.lists("report-source")).as("report-source listed after its close").isFalse();
            assertThat(after.regions()).isEqualTo(report.regions() - 2);
            assertThat(after.live()).isEqualTo(report.live() - 300);
            assertThat(after.pieces()).isEqualTo(report.pieces() - 2);
            assertTotals(after);
            assertRow(after, merged, kind, 6000, 3, "none");

            // A new limit and a reset show.
            big.setLimit(0);
            merged.setLimit(50_000);
            big.reset();
            Report later = parse(Regions.report());
            assertRow(later, big, kind, 0, 0, "none");
            assertThat(later.row("report-big").peak()).isEqualTo(14_396);
            assertRow(later, merged, kind, 6000, 3, "50,000");
            assertTotals(later);
        } finally {
            for (Region r : List.of(big, shared, empty, merged, source)) {
                if (r.scope().isAlive()) {
                    r.close();
                }
            }
        }
        String end = Regions.report();
        assertThat(end).doesNotContain("report-");
        assertTotals(parse(end));
    }

    /** Runs {@code work} on a thread of its own (a shared region gives it a lane of its own) and waits. */
    private static void onAnotherThread(Runnable work) throws InterruptedException {
        Thread other = new Thread(work, "report-other-thread");
        other.start();
        other.join();
    }

    @Test
    void aLimitedSharedRegionUsedByTwoThreadsShowsItsExactFigures() throws Exception {
        try (Region region = Region.builder().name("report-two-threads").shared(true).limit(1 << 20).build()) {
            List<MemorySegment> pieces = new java.util.concurrent.CopyOnWriteArrayList<>();
            pieces.add(region.allocate(1000));
            onAnotherThread(() -> pieces.add(region.allocate(1000)));

            Row row = parse(Regions.report()).row("report-two-threads");
            RegionStats stats = region.stats();
            assertThat(row.live()).isEqualTo(2000).isEqualTo(stats.liveBytes());
            assertThat(row.pieces()).isEqualTo(2).isEqualTo(stats.liveCount());
            assertThat(row.gross()).isEqualTo(stats.grossBytes());
            assertThat(row.peak()).as("peak of a limited shared region (exact)").isEqualTo(2000)
                    .isEqualTo(stats.peakLiveBytes());
            pieces.forEach(region::free);
            Row after = parse(Regions.report()).row("report-two-threads");
            assertThat(after.live()).isZero();
            assertThat(after.peak()).isEqualTo(2000);
        }
    }

    /**
     * A shared region without a limit keeps its watermarks in steps of 64 KiB per thread once a second
     * thread uses it ({@link Region#stats()}): it may miss a swing smaller than that, never one of larger
     * pieces, and its peak is never below its live bytes.
     */
    @Test
    void anUnlimitedSharedRegionUsedByTwoThreadsShowsAPeakAtLeastItsLiveBytes() throws Exception {
        long step = dev.regions.internal.Invariants.GLOBAL_STEP;
        SoftAssertions softly = new SoftAssertions();
        try (Region region = Region.builder().name("report-2-threads").shared(true).build()) {
            // Two pieces of 100,000 bytes (more than a step), one from each thread.
            List<MemorySegment> pieces = new java.util.concurrent.CopyOnWriteArrayList<>();
            pieces.add(region.allocate(100_000));
            onAnotherThread(() -> pieces.add(region.allocate(100_000)));
            Row row = parse(Regions.report()).row("report-2-threads");
            softly.assertThat(row.live()).as("report: live bytes").isEqualTo(200_000);
            softly.assertThat(row.peak()).as("report: peak bytes, on the line whose live bytes are %d", row.live())
                    .isGreaterThanOrEqualTo(row.live()).isEqualTo(200_000);
            softly.assertThat(region.stats().peakLiveBytes()).as("stats(): peak").isEqualTo(200_000);
            pieces.forEach(region::free);
        }
        try (Region region = Region.builder().name("report-2-threads-swing").shared(true).build()) {
            // One thread holds 1 MiB; another allocates 512 KiB and frees it: the peak was 1.5 MiB.
            MemorySegment held = region.allocate(1 << 20);
            onAnotherThread(() -> region.free(region.allocate(512 << 10)));
            long expected = (1 << 20) + (512 << 10);
            Row row = parse(Regions.report()).row("report-2-threads-swing");
            softly.assertThat(row.live()).as("report: live bytes").isEqualTo(1 << 20);
            softly.assertThat(row.peak()).as("report: peak bytes after a 512 KiB swing on top of 1 MiB (may miss"
                    + " up to %d bytes per thread)", step).isGreaterThanOrEqualTo(expected - 2 * step);
            softly.assertThat(region.stats().peakLiveBytes()).as("stats(): peak after a 512 KiB swing on top of 1 MiB"
                    + " (may miss up to %d bytes per thread)", step).isGreaterThanOrEqualTo(expected - 2 * step);
            region.free(held);
        }
        softly.assertAll();
    }

    @Test
    void aLongNameIsClippedToItsColumn() {
        String name = "report-with-a-name-much-longer-than-its-column";
        try (Region region = Region.builder().name(name).build()) {
            region.allocate(123);
            List<String> lines = Regions.report().lines().filter(l -> l.startsWith("report-with-a-name")).toList();
            assertThat(lines).hasSize(1);
            String line = lines.getFirst();
            assertThat(line).startsWith(name.substring(0, 23) + "~ ");
            assertThat(line.substring(24).trim().split("\\s+")).contains("123");
        }
    }

    // ------------------------------------------------------------------ a checked region's pieces

    /** Three pieces of 1,000 bytes, from one place. */
    private static List<MemorySegment> allocateBuffers(Region region) {
        List<MemorySegment> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(region.allocate(1000));
        }
        return out;
    }

    /** Twenty pieces of 16 bytes, from another: more pieces, fewer bytes. */
    private static List<MemorySegment> allocateHeaders(Region region) {
        List<MemorySegment> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            out.add(region.allocate(16));
        }
        return out;
    }

    private static final Pattern GROUP = Pattern.compile(
            "  (\\d+) pieces?, (\\d+) bytes at (?:[^ /]+/)?dev\\.regions\\.RegionsReportTest\\.(\\w+)\\(RegionsReportTest\\.java:\\d+\\)");

    @Test
    void aCheckedRegionsLeakReportGroupsItsPiecesByAllocationSite() {
        try (Region region = Region.builder().name("report-leaks").checked(true).recordSites(1).build()) {
            List<MemorySegment> headers = allocateHeaders(region);
            List<MemorySegment> buffers = allocateBuffers(region);

            List<PieceInfo> pieces = region.livePieces();
            assertThat(pieces).hasSize(23);
            assertThat(pieces).extracting(PieceInfo::id).isSorted().doesNotHaveDuplicates();
            assertThat(pieces.subList(0, 20)).allSatisfy(p -> {
                assertThat(p.byteSize()).isEqualTo(16);
                assertThat(p.site().getClassName()).isEqualTo(RegionsReportTest.class.getName());
                assertThat(p.site().getMethodName()).isEqualTo("allocateHeaders");
                assertThat(p.site().getFileName()).isEqualTo("RegionsReportTest.java");
                assertThat(p.site().getLineNumber()).isPositive();
            });
            assertThat(pieces.subList(20, 23)).allSatisfy(p -> {
                assertThat(p.byteSize()).isEqualTo(1000);
                assertThat(p.site().getMethodName()).isEqualTo("allocateBuffers");
            });
            assertThat(pieces).extracting(PieceInfo::address).containsExactlyElementsOf(
                    concat(headers, buffers).stream().map(MemorySegment::address).toList());
            assertThat(pieces).allSatisfy(p -> assertThat(p.age().isNegative()).as("age of piece #%d", p.id()).isFalse());

            String report = region.leakReport();
            List<String> lines = report.lines().toList();
            assertThat(lines.getFirst()).isEqualTo("region 'report-leaks': 23 live pieces, 3320 bytes");
            assertThat(lines).hasSize(5);
            Matcher first = GROUP.matcher(lines.get(1));
            Matcher second = GROUP.matcher(lines.get(3));
            assertThat(first.matches()).as("the first group: %s", lines.get(1)).isTrue();
            assertThat(second.matches()).as("the second group: %s", lines.get(3)).isTrue();
            // Biggest group (in bytes) first, though it has fewer pieces.
            assertThat(List.of(first.group(3), first.group(1), first.group(2)))
                    .containsExactly("allocateBuffers", "3", "3000");
            assertThat(List.of(second.group(3), second.group(1), second.group(2)))
                    .containsExactly("allocateHeaders", "20", "320");
            assertThat(lines.get(2)).isEqualTo("    ids " + ids(pieces.subList(20, 23)));
            assertThat(lines.get(4)).isEqualTo("    ids " + ids(pieces.subList(0, 10)) + ", ... (10 more)");

            // Freed pieces leave the report.
            region.free(buffers.get(1));
            for (MemorySegment h : headers.subList(0, 19)) {
                region.free(h);
            }
            List<String> after = region.leakReport().lines().toList();
            assertThat(after.getFirst()).isEqualTo("region 'report-leaks': 3 live pieces, 2016 bytes");
            assertThat(after.get(1)).startsWith("  2 pieces, 2000 bytes at ").contains(".allocateBuffers(");
            assertThat(after.get(2)).isEqualTo("    ids #" + pieces.get(20).id() + ", #" + pieces.get(22).id());
            assertThat(after.get(3)).startsWith("  1 piece, 16 bytes at ").contains(".allocateHeaders(");
            assertThat(after.get(4)).isEqualTo("    ids #" + pieces.get(19).id());
            assertThat(region.livePieces()).extracting(PieceInfo::id)
                    .containsExactly(pieces.get(19).id(), pieces.get(20).id(), pieces.get(22).id());

            region.free(buffers.get(0));
            region.free(buffers.get(2));
            region.free(headers.get(19));
            assertThat(region.livePieces()).isEmpty();
            assertThat(region.leakReport()).isEqualTo("region 'report-leaks': 0 live pieces, 0 bytes");
        }
    }

    @Test
    void piecesWhoseSiteWasNotSampledAreGroupedAsSuch() {
        try (Region region = Region.builder().name("report-sampled").checked(true).build()) { // one site in 64
            List<MemorySegment> pieces = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pieces.add(region.allocate(8));
            }
            List<PieceInfo> live = region.livePieces();
            assertThat(live).hasSize(3);
            long recorded = live.stream().filter(p -> p.site() != null).count();
            assertThat(recorded).isLessThanOrEqualTo(1);
            if (recorded == 0) {
                assertThat(region.leakReport()).isEqualTo("region 'report-sampled': 3 live pieces, 24 bytes\n"
                        + "  3 pieces, 24 bytes (site not recorded)\n    ids " + ids(live));
            }
            pieces.forEach(region::free);
        }
    }

    @Test
    void anUncheckedRegionSaysHowToTurnTheCheckedModeOn() {
        try (Region region = Region.builder().name("report-unchecked").checked(false).build()) {
            region.allocate(100);
            assertThatThrownBy(region::livePieces).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("report-unchecked").hasMessageContaining("livePieces()")
                    .hasMessageContaining("checked(true)").hasMessageContaining("-Dregions.checked=true");
            assertThatThrownBy(region::leakReport).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("report-unchecked").hasMessageContaining("leakReport()")
                    .hasMessageContaining("checked(true)").hasMessageContaining("-Dregions.checked=true");
        }
    }

    @Test
    void aRegionOfTheRunsDefaultModeKeepsRecordsOnlyInTheCheckedRun() {
        try (Region region = Region.builder().name("report-default").build()) {
            MemorySegment piece = region.allocate(100);
            if (dev.regions.internal.Invariants.CHECKED) {
                assertThat(region.livePieces()).extracting(PieceInfo::byteSize).containsExactly(100L);
                assertThat(region.leakReport()).startsWith("region 'report-default': 1 live pieces, 100 bytes");
            } else {
                assertThatThrownBy(region::livePieces).isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(region::leakReport).isInstanceOf(UnsupportedOperationException.class);
            }
            region.free(piece);
        }
    }

    private static String ids(List<PieceInfo> pieces) {
        return String.join(", ", pieces.stream().map(p -> "#" + p.id()).toList());
    }

    private static List<MemorySegment> concat(List<MemorySegment> a, List<MemorySegment> b) {
        List<MemorySegment> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
