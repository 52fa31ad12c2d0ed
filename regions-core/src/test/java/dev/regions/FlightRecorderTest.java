package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.internal.event.RegionEvents;
import dev.regions.support.Collector;
import dev.regions.support.LogCapture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import jdk.jfr.Configuration;
import jdk.jfr.DataAmount;
import jdk.jfr.EventType;
import jdk.jfr.Recording;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

/**
 * What Regions tells JDK Flight Recorder, seen as someone who records a run with the shipped
 * settings file ({@code regions.jfc}) and opens the recording: every {@code dev.regions.*} event
 * type with its metadata (category, label, description, sizes shown as data amounts), and the
 * events real work makes, with the figures the regions themselves report (names, sizes, counts).
 *
 * <p>Regions are built with an explicit {@code checked(...)} wherever the figures depend on the
 * mode, so that the test means the same in the default run and in the run with
 * {@code -Dregions.checked=true}; the region left to the reclaimer takes the run's default. Every
 * region has a name of its own ({@code flight-...}): the recording sees the whole process, so
 * the events are picked by region name.
 */
@Timeout(60)
class FlightRecorderTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    /** Every event type Regions defines. */
    private static final List<String> EVENT_TYPES = List.of("dev.regions.RegionBuilt", "dev.regions.RegionReset",
            "dev.regions.RegionClosed", "dev.regions.RegionMerged", "dev.regions.RegionReclaimed",
            "dev.regions.LimitExceeded", "dev.regions.SourceCall", "dev.regions.LargePiece",
            "dev.regions.CheckedFinding", "dev.regions.PieceAllocated", "dev.regions.PieceFreed",
            "dev.regions.RegionStatistics", "dev.regions.NativeBadFree");

    /** Fields that hold a number of bytes: each must be shown as a data amount. */
    private static final Set<String> SIZE_FIELDS = Set.of("limit", "liveBytes", "grossBytes", "peakLiveBytes",
            "bytes", "requested");

    /** Fields that count things: no data amount on them. */
    private static final Set<String> COUNT_FIELDS = Set.of("pieces", "allocations", "frees", "id");

    @TempDir
    Path tmp;

    private LogCapture log;

    @BeforeEach
    void captureTheWarnings() throws ReflectiveOperationException {
        log = new LogCapture("dev.regions");
    }

    /** Regions and recordings a test opened: closed after it, should it fail half way. */
    private final List<Region> regions = new ArrayList<>();
    private final List<Recording> recordings = new ArrayList<>();

    private Region track(Region region) {
        regions.add(region);
        return region;
    }

    @AfterEach
    void closeWhatIsOpenAndRestoreTheLogger() throws ReflectiveOperationException {
        try {
            for (Region region : regions) {
                if (region.scope().isAlive()) {
                    try {
                        region.close();
                    } catch (RuntimeException e) {
                        // a test that failed half way may leave a leak or a damaged guard: all was given back
                    }
                }
            }
            recordings.forEach(Recording::close);
        } finally {
            log.close();
        }
    }

    // ------------------------------------------------------------------ the settings file

    /** The settings file as the jar ships it. */
    private static Configuration shippedSettings() throws Exception {
        InputStream in = FlightRecorderTest.class.getResourceAsStream("/dev/regions/regions.jfc");
        assertThat(in).as("dev/regions/regions.jfc in the jar").isNotNull();
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return Configuration.create(reader);
        }
    }

    @Test
    void theShippedSettingsFileParsesAndNamesEveryEventType() throws Exception {
        Configuration config = shippedSettings();

        assertThat(config.getLabel()).isEqualTo("Regions");
        assertThat(config.getProvider()).isEqualTo("Regions");
        assertThat(config.getDescription()).isNotBlank();
        Map<String, String> settings = config.getSettings();
        Set<String> named = settings.keySet().stream().map(k -> k.substring(0, k.indexOf('#')))
                .collect(Collectors.toSet());
        assertThat(named).as("the event types the settings file names").containsExactlyInAnyOrderElementsOf(
                EVENT_TYPES);
        for (String type : EVENT_TYPES) {
            boolean perPiece = type.endsWith("PieceAllocated") || type.endsWith("PieceFreed");
            assertThat(settings).as("%s#enabled", type).containsEntry(type + "#enabled", perPiece ? "false" : "true");
        }
        assertThat(settings).containsEntry("dev.regions.RegionStatistics#period", "1 s")
                .containsEntry("dev.regions.LimitExceeded#stackTrace", "true")
                .containsEntry("dev.regions.LargePiece#stackTrace", "true")
                .containsEntry("dev.regions.CheckedFinding#stackTrace", "true");
    }

    // ------------------------------------------------------------------ metadata

    @Test
    void everyEventTypeIsInTheRegionsCategoryWithALabelADescriptionAndSizesAsDataAmounts() throws Exception {
        // The recorder learns of an event type when its class is first used: load them all.
        for (String type : EVENT_TYPES) {
            Class.forName("dev.regions.internal.event.RegionEvents$" + type.substring("dev.regions.".length()), true,
                    Region.class.getClassLoader());
        }
        Map<String, EventType> types = new LinkedHashMap<>();
        jdk.jfr.FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .filter(t -> t.getName().startsWith("dev.regions.")).forEach(t -> types.put(t.getName(), t));

        assertThat(types.keySet()).as("the dev.regions event types the recorder knows")
                .containsExactlyInAnyOrderElementsOf(EVENT_TYPES);
        types.values().forEach(FlightRecorderTest::assertDescribesItself);
    }

    /**
     * What a reader of a recording sees of an event type: its name, category, label and description, a label
     * on every field, and every size shown as a data amount in bytes (and no count shown as one).
     */
    private static void assertDescribesItself(EventType type) {
        String name = type.getName();
        assertThat(name).startsWith("dev.regions.");
        assertThat(type.getCategoryNames()).as("%s: category", name).containsExactly("Regions");
        assertThat(type.getLabel()).as("%s: label", name).isNotBlank();
        assertThat(type.getDescription()).as("%s: description", name).isNotBlank();
        int sizes = 0;
        for (ValueDescriptor field : type.getFields()) {
            if (isCommonField(field.getName())) {
                continue;
            }
            assertThat(field.getLabel()).as("%s.%s: label", name, field.getName()).isNotBlank();
            if (SIZE_FIELDS.contains(field.getName())) {
                sizes++;
                assertThat(field.getContentType()).as("%s.%s: content type", name, field.getName())
                        .isEqualTo("jdk.jfr.DataAmount");
                DataAmount amount = field.getAnnotation(DataAmount.class);
                assertThat(amount).as("%s.%s: @DataAmount", name, field.getName()).isNotNull();
                assertThat(amount.value()).as("%s.%s: unit", name, field.getName()).isEqualTo(DataAmount.BYTES);
                assertThat(field.getTypeName()).as("%s.%s: type", name, field.getName()).isEqualTo("long");
            } else if (COUNT_FIELDS.contains(field.getName())) {
                assertThat(field.getContentType()).as("%s.%s: a count is no data amount", name, field.getName())
                        .isNull();
            } else if (field.getName().equals("address")) {
                assertThat(field.getContentType()).as("%s.%s: content type", name, field.getName())
                        .isEqualTo("jdk.jfr.MemoryAddress");
            } else {
                assertThat(field.getTypeName()).as("%s.%s: a field that is neither size nor count", name,
                        field.getName()).isIn("java.lang.String", "boolean");
            }
        }
        assertThat(sizes > 0).as("%s has size fields", name)
                .isEqualTo(!name.endsWith("CheckedFinding") && !name.endsWith("NativeBadFree"));
    }

    private static boolean isCommonField(String field) {
        return field.equals("startTime") || field.equals("duration") || field.equals("eventThread")
                || field.equals("stackTrace");
    }

    @Test
    void aBadFreeFromNativeCodeIsRecordedWithItsRegionAndAddress() throws Throwable {
        Recording recording = start(shippedSettings(), false);
        Region region = track(Region.builder().name("flight-native").build());
        MemorySegment free = region.nativeHeap().free();
        java.lang.invoke.MethodHandle call = java.lang.foreign.Linker.nativeLinker().downcallHandle(free,
                java.lang.foreign.FunctionDescriptor.ofVoid(java.lang.foreign.ValueLayout.ADDRESS));
        call.invokeExact(MemorySegment.ofAddress(0xBAD0));
        List<RecordedEvent> bad = of(read(stopAndDump(recording)), "NativeBadFree", "flight-native");
        assertThat(bad).hasSize(1);
        assertThat(bad.get(0).getLong("address")).isEqualTo(0xBAD0);
        assertThat(bad.get(0).getString("reason")).contains("no live piece", "0xbad0");
        assertThat(region.nativeHeap().badFrees()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ real work

    /** What a region nobody closed held when it was dropped. */
    record Dropped(String name, String kind, long live, long pieces, long gross) {
    }

    @Test
    void realWorkMakesTheEventsWithTheRegionsOwnFigures() throws Exception {
        String thread = Thread.currentThread().getName();
        String confinedKind = "confined to thread '" + thread + "'";
        long reclaimedBefore = Collector.settle();
        Recording recording = start(shippedSettings(), false);
        List<String> closedNames = new ArrayList<>();

        // A confined region with a limit: small pieces, a free, one large piece, a refused piece.
        Region confined = track(Region.builder().name("flight-confined").checked(false).limit(4 * MIB).build());
        confined.allocate(100);
        MemorySegment b = confined.allocate(200);
        confined.allocate(300);
        confined.allocate(2 * MIB);
        confined.free(b);
        long confinedLiveAtRefusal = 100 + 300 + 2 * MIB;
        assertThatThrownBy(() -> confined.allocate(3 * MIB)).isInstanceOf(LimitExceededException.class);
        // A merge the limit refuses: three pieces under 1 MiB each (no large-piece event), 2,100 KiB in all.
        Region tooMuch = track(Region.builder().name("flight-too-much").checked(false).build());
        for (int i = 0; i < 3; i++) {
            tooMuch.allocate(700 * KIB);
        }
        assertThatThrownBy(() -> confined.merge(tooMuch)).isInstanceOf(LimitExceededException.class);
        RegionStats tooMuchAtClose = tooMuch.stats();
        tooMuch.close();
        closedNames.add("flight-too-much");

        // Shared regions: large pieces on both sides of the 1 MiB event threshold, and a merge.
        Region shared = track(Region.builder().name("flight-shared").shared(true).checked(false).build());
        shared.allocate(MIB);
        shared.allocate(MIB - 16);
        shared.allocate(1000);
        Region scratch = track(Region.builder().name("flight-scratch").shared(true).checked(false).build());
        scratch.allocate(64);
        scratch.allocate(128);
        scratch.allocate(256);
        shared.merge(scratch);
        // A shared region refuses a piece over its limit too.
        long sharedLive = shared.stats().liveBytes();
        shared.setLimit(sharedLive + 500);
        assertThatThrownBy(() -> shared.allocate(1000)).isInstanceOf(LimitExceededException.class);
        shared.setLimit(0);
        RegionStats scratchAtClose = scratch.stats();
        scratch.close();
        closedNames.add("flight-scratch");
        Region empty = track(Region.builder().name("flight-empty").checked(false).build());
        // A bump region is never checked, whatever the builder was told.
        try (Region bump = Region.builder().name("flight-bump").bump(true).checked(true).build()) {
            bump.allocate(10);
        }
        closedNames.add("flight-bump");

        // A checked region: an overrun through a widened segment and an underrun, found by verify().
        Region overrun = track(Region.builder().name("flight-overrun").checked(true).build());
        MemorySegment victim = overrun.allocate(24);
        MemorySegment other = overrun.allocate(32);
        MemorySegment widened = widen(victim, 40);
        widened.set(JAVA_BYTE, 24, (byte) 'A'); // the first byte of the guard zone after the piece
        MemorySegment before = widen(MemorySegment.ofAddress(other.address() - 1), 1);
        before.set(JAVA_BYTE, 0, (byte) 'B'); // the last byte of the guard zone before the other piece
        MemoryCorruptionException found = catchThrowableOfType(MemoryCorruptionException.class, overrun::verify);
        assertThat(found).as("verify() of an overrun piece").isNotNull();
        assertThat(found.getMessage()).contains("flight-overrun", "an overrun", "24 bytes");
        assertThat(found.getSuppressed()).as("the other damage verify() found").hasSize(1);
        String underrunMessage = found.getSuppressed()[0].getMessage();
        assertThat(underrunMessage).contains("flight-overrun", "an underrun", "32 bytes", "byte -1 ");
        widened.set(JAVA_BYTE, 24, (byte) 0xFD); // mended: the region closes without another finding
        before.set(JAVA_BYTE, 0, (byte) 0xFD);
        overrun.verify();
        overrun.free(victim);
        overrun.free(other);
        overrun.close();
        closedNames.add("flight-overrun");

        // A strict checked region: a leak at close throws instead of logging, and is still a finding.
        Region strict = track(Region.builder().name("flight-strict").checked(true).strictClose(true).build());
        strict.allocate(8);
        String strictReport = strict.leakReport();
        assertThatThrownBy(strict::close).isInstanceOf(IllegalStateException.class).hasMessage(strictReport);
        closedNames.add("flight-strict");
        assertThat(log.text()).as("what was logged").doesNotContain("flight-strict");

        // A checked region closed with two pieces live: a leak, reported as a warning and an event.
        Region leaky = track(Region.builder().name("flight-leak").checked(true).build());
        leaky.allocate(40);
        leaky.allocate(60);
        String leakReport = leaky.leakReport();
        leaky.close();
        closedNames.add("flight-leak");
        assertThat(log.text()).as("what was logged")
                .contains(log.warning + ": closed with pieces still live: " + leakReport);

        // A region nobody closes, reclaimed once the collector finds it unreachable.
        Dropped dropped = dropARegion("flight-dropped", false, confinedKind);
        Dropped droppedShared = dropARegion("flight-dropped-shared", true, "shared");
        Collector.awaitReclaimed(reclaimedBefore + 2);
        assertThat(log.text()).as("what was logged").contains(log.warning + ": region 'flight-dropped' ("
                + confinedKind + ") was reclaimed without being closed: it held 3 live pieces (75100 bytes)",
                log.warning + ": region 'flight-dropped-shared' (shared) was reclaimed without being closed");

        // The periodic statistics: nothing changes in the open regions while at least two periods pass.
        RegionStats confinedNow = confined.stats();
        RegionStats sharedNow = shared.stats();
        RegionStats emptyNow = empty.stats();
        Instant steadyFrom = Instant.now();
        Thread.sleep(450);
        Instant steadyUntil = Instant.now();
        assertThat(confined.stats()).isEqualTo(confinedNow);
        assertThat(shared.stats()).isEqualTo(sharedNow);

        // Reset (live bytes released, gross bytes kept), then a piece, then close.
        RegionStats beforeReset = confined.stats();
        confined.reset();
        RegionStats afterReset = confined.stats();
        confined.allocate(500);
        RegionStats confinedAtClose = confined.stats();
        confined.close();
        closedNames.add("flight-confined");
        RegionStats sharedAtClose = shared.stats();
        shared.close();
        closedNames.add("flight-shared");
        empty.close();
        closedNames.add("flight-empty");

        List<RecordedEvent> events = read(stopAndDump(recording));

        // Every event type but the per-piece ones (off in the settings file) is there.
        Set<String> seen = new HashSet<>();
        events.forEach(e -> seen.add(e.getEventType().getName()));
        assertThat(seen).containsAll(EVENT_TYPES.stream()
                .filter(t -> !t.endsWith("PieceAllocated") && !t.endsWith("PieceFreed")
                        && !t.endsWith("NativeBadFree")).toList()); // that one: aBadFreeFromNativeCode...
        events.stream().map(RecordedEvent::getEventType).distinct().forEach(FlightRecorderTest::assertDescribesItself);
        assertThat(of(events, "PieceAllocated", "flight-")).as("per-piece events, off in regions.jfc").isEmpty();
        assertThat(of(events, "PieceFreed", "flight-")).as("per-piece events, off in regions.jfc").isEmpty();

        // RegionBuilt: one per region, with its kind, checked mode and limit.
        Map<String, RecordedEvent> built = new LinkedHashMap<>();
        for (RecordedEvent e : of(events, "RegionBuilt", "flight-")) {
            assertThat(built.put(e.getString("region"), e)).as("RegionBuilt of %s twice", e.getString("region"))
                    .isNull();
        }
        assertThat(built.keySet()).containsExactlyInAnyOrder("flight-confined", "flight-too-much", "flight-shared",
                "flight-scratch", "flight-empty", "flight-bump", "flight-overrun", "flight-strict", "flight-leak",
                "flight-dropped", "flight-dropped-shared");
        assertBuilt(built.get("flight-strict"), confinedKind, true, 0);
        assertBuilt(built.get("flight-bump"), confinedKind, false, 0);
        assertBuilt(built.get("flight-dropped-shared"), "shared", Invariants.CHECKED, 0);
        assertBuilt(built.get("flight-confined"), confinedKind, false, 4 * MIB);
        assertBuilt(built.get("flight-too-much"), confinedKind, false, 0);
        assertBuilt(built.get("flight-shared"), "shared", false, 0);
        assertBuilt(built.get("flight-scratch"), "shared", false, 0);
        assertBuilt(built.get("flight-empty"), confinedKind, false, 0);
        assertBuilt(built.get("flight-overrun"), confinedKind, true, 0);
        assertBuilt(built.get("flight-leak"), confinedKind, true, 0);
        assertBuilt(built.get("flight-dropped"), confinedKind, Invariants.CHECKED, 0);

        // LimitExceeded: the refused piece and the refused merge, each with the figures of the refusal
        // and a stack trace that leads to this test (the settings file asks for it); and the shared region's.
        List<RecordedEvent> refused = of(events, "LimitExceeded", "flight-confined");
        assertThat(refused).hasSize(2);
        for (RecordedEvent e : refused) {
            assertThat(e.getString("region")).isEqualTo("flight-confined");
            assertThat(e.getLong("liveBytes")).isEqualTo(confinedLiveAtRefusal);
            assertThat(e.getLong("limit")).isEqualTo(4 * MIB);
            assertThat(stackMethods(e)).contains("realWorkMakesTheEventsWithTheRegionsOwnFigures");
        }
        assertThat(refused).extracting(e -> e.getLong("requested")).containsExactlyInAnyOrder(3 * MIB, 2100 * KIB);
        List<RecordedEvent> refusedShared = of(events, "LimitExceeded", "flight-shared");
        assertThat(refusedShared).hasSize(1);
        assertThat(refusedShared.getFirst().getLong("requested")).isEqualTo(1000);
        assertThat(refusedShared.getFirst().getLong("liveBytes")).isEqualTo(sharedLive);
        assertThat(refusedShared.getFirst().getLong("limit")).isEqualTo(sharedLive + 500);
        assertThat(of(events, "LimitExceeded", "flight-")).hasSize(3);

        // LargePiece: the 2 MiB piece and the one of exactly 1 MiB; not the one just under.
        List<RecordedEvent> large = of(events, "LargePiece", "flight-");
        assertThat(large).extracting(e -> e.getString("region") + " " + e.getLong("bytes"))
                .containsExactlyInAnyOrder("flight-confined " + 2 * MIB, "flight-shared " + MIB);
        assertThat(large).allSatisfy(e -> assertThat(stackMethods(e))
                .contains("realWorkMakesTheEventsWithTheRegionsOwnFigures"));

        // RegionMerged: what moved from the scratch region (the refused merge moved nothing and made no event).
        List<RecordedEvent> merged = of(events, "RegionMerged", "");
        merged.removeIf(e -> !e.getString("destination").startsWith("flight-"));
        assertThat(merged).hasSize(1);
        RecordedEvent merge = merged.getFirst();
        assertThat(merge.getString("destination")).isEqualTo("flight-shared");
        assertThat(merge.getString("source")).isEqualTo("flight-scratch");
        assertThat(merge.getLong("liveBytes")).isEqualTo(64 + 128 + 256);
        assertThat(merge.getLong("pieces")).isEqualTo(3);

        // RegionReset: the live bytes and pieces it released, the gross bytes it kept.
        List<RecordedEvent> resets = of(events, "RegionReset", "flight-");
        assertThat(resets).hasSize(1);
        RecordedEvent reset = resets.getFirst();
        assertThat(reset.getString("region")).isEqualTo("flight-confined");
        assertThat(reset.getLong("liveBytes")).isEqualTo(100 + 300 + 2 * MIB).isEqualTo(beforeReset.liveBytes());
        assertThat(reset.getLong("pieces")).isEqualTo(3).isEqualTo(beforeReset.liveCount());
        assertThat(reset.getLong("grossBytes")).isEqualTo(afterReset.grossBytes()).isPositive();

        // RegionClosed: one per closed region, with its last figures.
        Map<String, RecordedEvent> closed = new LinkedHashMap<>();
        of(events, "RegionClosed", "flight-").forEach(e -> closed.put(e.getString("region"), e));
        assertThat(closed.keySet()).containsExactlyInAnyOrderElementsOf(closedNames);
        assertClosed(closed.get("flight-confined"), 500, 1, 100 + 200 + 300 + 2 * MIB, 5, 1);
        assertClosed(closed.get("flight-confined"), confinedAtClose);
        assertClosed(closed.get("flight-too-much"), 2100 * KIB, 3, 2100 * KIB, 3, 0);
        assertClosed(closed.get("flight-too-much"), tooMuchAtClose);
        assertClosed(closed.get("flight-scratch"), 0, 0, 64 + 128 + 256, 3, 0);
        assertClosed(closed.get("flight-scratch"), scratchAtClose);
        assertClosed(closed.get("flight-shared"), MIB + (MIB - 16) + 1000 + 448, 6, MIB + (MIB - 16) + 1000 + 448,
                3, 0);
        assertClosed(closed.get("flight-shared"), sharedAtClose);
        assertClosed(closed.get("flight-overrun"), 0, 0, 56, 2, 2);
        assertClosed(closed.get("flight-strict"), 8, 1, 8, 1, 0);
        assertClosed(closed.get("flight-leak"), 100, 2, 100, 2, 0);
        assertClosed(closed.get("flight-empty"), 0, 0, 0, 0, 0);
        assertClosed(closed.get("flight-bump"), 10, 1, 10, 1, 0);

        // CheckedFinding: the overrun verify() found, and the leak at close, with the messages the caller saw.
        List<RecordedEvent> findings = of(events, "CheckedFinding", "flight-");
        assertThat(findings).extracting(e -> e.getString("region") + ": " + e.getString("what"))
                .containsExactlyInAnyOrder("flight-overrun: overrun", "flight-overrun: underrun", "flight-leak: leak",
                        "flight-strict: leak");
        for (RecordedEvent e : findings) {
            String expected = switch (e.getString("region") + ": " + e.getString("what")) {
                case "flight-overrun: overrun" -> found.getMessage();
                case "flight-overrun: underrun" -> underrunMessage;
                case "flight-leak: leak" -> leakReport;
                default -> strictReport;
            };
            assertThat(e.getString("message")).as("message of %s", e).isEqualTo(expected);
        }
        assertThat(findings.stream().filter(e -> e.getString("what").equals("overrun")).findFirst().orElseThrow())
                .satisfies(e -> assertThat(stackMethods(e)).contains("verify",
                        "realWorkMakesTheEventsWithTheRegionsOwnFigures"));
        assertThat(leakReport).startsWith("region 'flight-leak': 2 live pieces, 100 bytes");

        // RegionReclaimed: each dropped region's name, kind and figures when it was dropped.
        List<RecordedEvent> reclaimed = of(events, "RegionReclaimed", "flight-");
        assertThat(reclaimed).extracting(e -> e.getString("region"))
                .containsExactlyInAnyOrder("flight-dropped", "flight-dropped-shared");
        for (Dropped d : List.of(dropped, droppedShared)) {
            RecordedEvent r = reclaimed.stream().filter(e -> e.getString("region").equals(d.name())).findFirst()
                    .orElseThrow();
            assertThat(r.getString("kind")).as("%s: kind", d.name()).isEqualTo(d.kind());
            assertThat(r.getLong("liveBytes")).as("%s: live bytes", d.name()).isEqualTo(d.live())
                    .isEqualTo(100 + 5000 + 70_000);
            assertThat(r.getLong("pieces")).as("%s: pieces", d.name()).isEqualTo(d.pieces()).isEqualTo(3);
            assertThat(r.getLong("grossBytes")).as("%s: gross bytes", d.name()).isEqualTo(d.gross()).isPositive();
        }

        // SourceCall: every block the closed regions took went back, the 2 MiB piece had a block
        // of its own, and the dropped region's takes add up to its gross bytes.
        List<RecordedEvent> calls = of(events, "SourceCall", "flight-");
        assertThat(calls).allSatisfy(e -> {
            assertThat(e.getString("action")).isIn("take", "give back");
            assertThat(e.getString("source")).isEqualTo(MemorySource.malloc().toString());
            assertThat(e.getLong("bytes")).isPositive();
        });
        Predicate<RecordedEvent> ofClosed = e -> closedNames.contains(e.getString("region"));
        long taken = sum(calls, ofClosed.and(e -> e.getString("action").equals("take")));
        long givenBack = sum(calls, ofClosed.and(e -> e.getString("action").equals("give back")));
        assertThat(taken).as("bytes the closed regions took").isPositive();
        assertThat(givenBack).as("bytes the closed regions gave back").isEqualTo(taken);
        assertThat(calls).anySatisfy(e -> {
            assertThat(e.getString("region")).isEqualTo("flight-confined");
            assertThat(e.getString("action")).isEqualTo("take");
            assertThat(e.getLong("bytes")).isGreaterThanOrEqualTo(2 * MIB);
        });
        for (Dropped d : List.of(dropped, droppedShared)) {
            assertThat(sum(calls, e -> e.getString("region").equals(d.name()) && e.getString("action").equals("take")))
                    .as("blocks %s took", d.name()).isEqualTo(d.gross());
        }

        // RegionStatistics: at least two per open region while nothing changed, each with its figures.
        assertStatistics(events, "flight-confined", confinedKind, confinedNow, 4 * MIB, steadyFrom, steadyUntil);
        assertStatistics(events, "flight-shared", "shared", sharedNow, 0, steadyFrom, steadyUntil);
        assertStatistics(events, "flight-empty", confinedKind, emptyNow, 0, steadyFrom, steadyUntil);
        assertThat(emptyNow.grossBytes()).isZero();
        assertThat(of(events, "RegionStatistics", "flight-")).as("statistics of a region not open")
                .allSatisfy(e -> assertThat(e.getString("region")).isIn("flight-confined", "flight-shared",
                        "flight-empty", "flight-too-much", "flight-scratch", "flight-overrun", "flight-leak",
                        "flight-dropped", "flight-dropped-shared", "flight-bump", "flight-strict"));
        assertThat(of(events, "RegionStatistics", "flight-").stream()
                .filter(e -> e.getStartTime().isAfter(steadyFrom.plusMillis(30)))
                .map(e -> e.getString("region")).distinct().toList())
                .as("regions with statistics after the others were closed or reclaimed")
                .containsExactlyInAnyOrder("flight-confined", "flight-shared", "flight-empty");
    }

    @Test
    void aCheckedRegionTellsEveryPieceWhenThePerPieceEventsAreOn() throws Exception {
        Recording recording = start(shippedSettings(), true);
        Region checked = track(Region.builder().name("flight-pieces").checked(true).build());
        MemorySegment a = checked.allocate(24);
        MemorySegment b = checked.allocate(40);
        MemorySegment c = checked.allocate(3000);
        List<PieceInfo> pieces = checked.livePieces();
        checked.free(b);
        checked.free(a);
        checked.free(c);
        checked.close();
        // An unchecked region makes no per-piece event: its allocate and free stay free of them.
        try (Region plain = Region.builder().name("flight-plain").checked(false).build()) {
            plain.free(plain.allocate(24));
            plain.allocate(40);
        }

        List<RecordedEvent> events = read(stopAndDump(recording));

        assertThat(pieces).extracting(PieceInfo::byteSize).containsExactly(24L, 40L, 3000L);
        events.stream().map(RecordedEvent::getEventType).distinct().forEach(FlightRecorderTest::assertDescribesItself);
        List<RecordedEvent> allocated = of(events, "PieceAllocated", "flight-");
        allocated.sort(Comparator.comparingLong(e -> e.getLong("id")));
        assertThat(allocated).extracting(e -> e.getString("region")).containsOnly("flight-pieces");
        assertThat(allocated).extracting(e -> e.getLong("id"))
                .containsExactlyElementsOf(pieces.stream().map(PieceInfo::id).toList());
        assertThat(allocated).extracting(e -> e.getLong("bytes")).containsExactly(24L, 40L, 3000L);
        assertThat(allocated).allSatisfy(e -> assertThat(stackMethods(e))
                .contains("aCheckedRegionTellsEveryPieceWhenThePerPieceEventsAreOn"));

        List<RecordedEvent> freed = of(events, "PieceFreed", "flight-");
        freed.sort(Comparator.comparing(RecordedEvent::getStartTime));
        assertThat(freed).extracting(e -> e.getString("region")).containsOnly("flight-pieces");
        assertThat(freed).extracting(e -> e.getLong("id")).containsExactly(pieces.get(1).id(), pieces.get(0).id(),
                pieces.get(2).id());
        assertThat(freed).extracting(e -> e.getLong("bytes")).containsExactly(40L, 24L, 3000L);
        assertThat(freed).allSatisfy(e -> assertThat(e.getStackTrace()).as("PieceFreed: no stack trace").isNull());
    }

    // ------------------------------------------------------------------ assertions

    private static void assertBuilt(RecordedEvent e, String kind, boolean checked, long limit) {
        String region = e.getString("region");
        assertThat(e.getString("kind")).as("%s: kind", region).isEqualTo(kind);
        assertThat(e.getBoolean("checked")).as("%s: checked", region).isEqualTo(checked);
        assertThat(e.getLong("limit")).as("%s: limit", region).isEqualTo(limit);
        assertThat(e.getStackTrace()).as("%s: RegionBuilt has no stack trace", region).isNull();
    }

    private static void assertClosed(RecordedEvent e, long live, long pieces, long peak, long allocations,
            long frees) {
        assertThat(e).as("RegionClosed").isNotNull();
        String region = e.getString("region");
        assertThat(e.getLong("liveBytes")).as("%s: live bytes released", region).isEqualTo(live);
        assertThat(e.getLong("pieces")).as("%s: pieces released", region).isEqualTo(pieces);
        assertThat(e.getLong("peakLiveBytes")).as("%s: peak live bytes", region).isEqualTo(peak);
        assertThat(e.getLong("allocations")).as("%s: allocations", region).isEqualTo(allocations);
        assertThat(e.getLong("frees")).as("%s: frees", region).isEqualTo(frees);
    }

    /** The event against the region's own figures just before its close. */
    private static void assertClosed(RecordedEvent e, RegionStats before) {
        assertClosed(e, before.liveBytes(), before.liveCount(), before.peakLiveBytes(), before.allocations(),
                before.frees());
    }

    private static void assertStatistics(List<RecordedEvent> events, String region, String kind, RegionStats stats,
            long limit, Instant from, Instant until) {
        // JFR's clock and Instant.now() may differ by a little: keep a margin inside the steady window.
        Instant start = from.plusMillis(30);
        Instant end = until.minusMillis(30);
        List<RecordedEvent> steady = of(events, "RegionStatistics", region).stream()
                .filter(e -> e.getString("region").equals(region))
                .filter(e -> e.getStartTime().isAfter(start) && e.getStartTime().isBefore(end)).toList();
        assertThat(steady).as("%s: RegionStatistics events in the %d ms it did not change", region,
                Duration.between(start, end).toMillis()).hasSizeGreaterThanOrEqualTo(2);
        for (RecordedEvent e : steady) {
            assertThat(e.getString("kind")).as("%s: kind", region).isEqualTo(kind);
            assertThat(e.getLong("liveBytes")).as("%s: live bytes", region).isEqualTo(stats.liveBytes());
            assertThat(e.getLong("pieces")).as("%s: pieces", region).isEqualTo(stats.liveCount());
            assertThat(e.getLong("grossBytes")).as("%s: gross bytes", region).isEqualTo(stats.grossBytes());
            assertThat(e.getLong("limit")).as("%s: limit", region).isEqualTo(limit);
        }
    }

    // ------------------------------------------------------------------ recording

    /** A recording of the settings file, with the statistics every 100 ms, and the per-piece events if asked. */
    private Recording start(Configuration settings, boolean perPiece) {
        Recording recording = new Recording(settings);
        recording.enable("dev.regions.RegionStatistics").withPeriod(Duration.ofMillis(100));
        if (perPiece) {
            recording.enable("dev.regions.PieceAllocated").withStackTrace();
            recording.enable("dev.regions.PieceFreed").withoutStackTrace();
        }
        recordings.add(recording);
        recording.start();
        return recording;
    }

    private Path stopAndDump(Recording recording) throws Exception {
        try (recording) {
            recording.stop();
            Path file = tmp.resolve("regions-" + System.nanoTime() + ".jfr");
            recording.dump(file);
            return file;
        }
    }

    private static List<RecordedEvent> read(Path file) throws Exception {
        List<RecordedEvent> all = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().startsWith("dev.regions.")) {
                all.add(e);
            }
        }
        all.sort(Comparator.comparing(RecordedEvent::getStartTime));
        return all;
    }

    /** The events of one type whose region (or destination) starts with {@code prefix}. */
    private static List<RecordedEvent> of(List<RecordedEvent> events, String type, String prefix) {
        List<RecordedEvent> out = new ArrayList<>();
        for (RecordedEvent e : events) {
            if (!e.getEventType().getName().equals("dev.regions." + type)) {
                continue;
            }
            String region = e.hasField("region") ? e.getString("region") : e.getString("destination");
            if (region != null && region.startsWith(prefix)) {
                out.add(e);
            }
        }
        return out;
    }

    private static long sum(List<RecordedEvent> events, Predicate<RecordedEvent> which) {
        return events.stream().filter(which).mapToLong(e -> e.getLong("bytes")).sum();
    }

    private static List<String> stackMethods(RecordedEvent e) {
        assertThat(e.getStackTrace()).as("%s: stack trace", e.getEventType().getName()).isNotNull();
        return e.getStackTrace().getFrames().stream().map(RecordedFrame::getMethod).map(m -> m.getName()).toList();
    }

    // ------------------------------------------------------------------ regions nobody closes

    @SuppressWarnings("restricted") // the test's overrun: a piece widened past its end
    private static MemorySegment widen(MemorySegment piece, long size) {
        return piece.reinterpret(size);
    }

    /** Builds a region, allocates in it and drops it, pieces and all, in a frame of its own. */
    private static Dropped dropARegion(String name, boolean shared, String kind) {
        Region region = Region.builder().name(name).shared(shared).build();
        region.allocate(100);
        region.allocate(5000);
        region.allocate(70_000);
        RegionStats s = region.stats();
        return new Dropped(name, kind, s.liveBytes(), s.liveCount(), s.grossBytes());
    }
}
