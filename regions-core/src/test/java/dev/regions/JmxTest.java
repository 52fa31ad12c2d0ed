package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.management.RegionMXBean;
import dev.regions.management.RegionsMXBean;
import dev.regions.support.Collector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Regions as a JMX console shows them, read through the platform MBean server: the process's bean
 * {@code dev.regions:type=Regions} (usage, peak, counts, the report) against
 * {@link Regions#globalStats()} and what the test allocated, and the bean of a region built with
 * {@code monitored(true)}, {@code dev.regions:type=Region,name=...,id=...}, against the region's own
 * figures; both as raw attributes and through proxies of the public interfaces.
 *
 * <p>The global figures are the whole process's: each test compares them with a baseline taken at
 * its start (other test classes may have run before in this JVM, never at the same time).
 */
@Timeout(60)
class JmxTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static ObjectName name(String name) throws Exception {
        return new ObjectName(name);
    }

    private static final ObjectName GLOBAL;
    private static final ObjectName REGION_BEANS;

    static {
        try {
            GLOBAL = name("dev.regions:type=Regions");
            REGION_BEANS = name("dev.regions:type=Region,*");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static MemoryUsage usage(ObjectName bean, String attribute) throws Exception {
        Object value = SERVER.getAttribute(bean, attribute);
        assertThat(value).as("%s of %s", attribute, bean).isInstanceOf(CompositeData.class);
        return MemoryUsage.from((CompositeData) value);
    }

    private static long longAttribute(ObjectName bean, String attribute) throws Exception {
        return ((Number) SERVER.getAttribute(bean, attribute)).longValue();
    }

    /** The beans of regions named {@code regionName}. */
    private static List<ObjectName> beansOf(String regionName) throws Exception {
        Set<ObjectName> all = SERVER.queryNames(REGION_BEANS, null);
        return all.stream().filter(n -> ObjectName.unquote(n.getKeyProperty("name")).equals(regionName)).toList();
    }

    // ------------------------------------------------------------------ the process's bean

    @Test
    void theProcessBeanShowsTheGlobalFigures() throws Exception {
        Collector.settle();
        List<Region> built = new ArrayList<>();
        try {
            theProcessBeanShowsTheGlobalFigures(built);
        } finally {
            built.forEach(JmxTest::closeIfOpen);
        }
    }

    /** The test, with the regions it builds added to {@code built} (closed after it, should it fail). */
    private static void theProcessBeanShowsTheGlobalFigures(List<Region> built) throws Exception {
        Region confined = Region.builder().name("jmx-global-confined").build();
        built.add(confined);
        assertThat(SERVER.isRegistered(GLOBAL)).as("%s once a region was built", GLOBAL).isTrue();
        assertThat(SERVER.getMBeanInfo(GLOBAL).getClassName()).isNotBlank();

        RegionStats base = Regions.globalStats();
        MemoryUsage baseUsage = usage(GLOBAL, "Usage");
        long baseOpen = longAttribute(GLOBAL, "OpenRegions");
        long basePieces = longAttribute(GLOBAL, "LivePieces");
        long baseAllocations = longAttribute(GLOBAL, "Allocations");
        long baseFrees = longAttribute(GLOBAL, "Frees");
        assertThat(baseUsage.getUsed()).as("Usage.used: the global live bytes").isEqualTo(base.liveBytes());
        assertThat(baseUsage.getCommitted()).as("Usage.committed: the global gross bytes").isEqualTo(base.grossBytes());
        assertThat(baseUsage.getInit()).isZero();
        assertThat(baseUsage.getMax()).as("Usage.max: undefined").isEqualTo(-1);
        assertThat(basePieces).isEqualTo(base.liveCount());
        assertThat(baseAllocations).isEqualTo(base.allocations());
        assertThat(baseFrees).isEqualTo(base.frees());

        // 1,000 + 3,000 + 64 KiB in a confined region (3,000 freed), 100 + 200 in a shared one.
        confined.allocate(1000);
        MemorySegment freed = confined.allocate(3000);
        confined.allocate(64 * KIB);
        confined.free(freed);
        Region shared = Region.builder().name("jmx-global-shared").shared(true).build();
        built.add(shared);
        shared.allocate(100);
        shared.allocate(200);
        long live = 1000 + 64 * KIB + 300;

        MemoryUsage now = usage(GLOBAL, "Usage");
        RegionStats stats = Regions.globalStats();
        assertThat(now.getUsed() - baseUsage.getUsed()).as("Usage.used: up by the live bytes allocated")
                .isEqualTo(live);
        assertThat(now.getUsed()).isEqualTo(stats.liveBytes());
        assertThat(now.getCommitted()).as("Usage.committed: the global gross bytes").isEqualTo(stats.grossBytes());
        assertThat(now.getCommitted() - baseUsage.getCommitted()).as("Usage.committed: up by the regions' gross bytes")
                .isEqualTo(confined.stats().grossBytes() + shared.stats().grossBytes());
        assertThat(longAttribute(GLOBAL, "OpenRegions") - baseOpen).as("OpenRegions").isEqualTo(1);
        // (the confined region was open at the baseline already)
        assertThat(longAttribute(GLOBAL, "LivePieces") - basePieces).as("LivePieces").isEqualTo(4);
        assertThat(longAttribute(GLOBAL, "Allocations") - baseAllocations).as("Allocations").isEqualTo(5);
        assertThat(longAttribute(GLOBAL, "Frees") - baseFrees).as("Frees").isEqualTo(1);
        assertThat(longAttribute(GLOBAL, "ReclaimedRegions")).as("ReclaimedRegions")
                .isEqualTo(Regions.reclaimedRegions());
        String report = (String) SERVER.getAttribute(GLOBAL, "Report");
        assertThat(report).as("Report").isEqualTo(Regions.report())
                .contains("jmx-global-confined", "jmx-global-shared");

        // The peak: reset it, then a 2 MiB piece comes and goes.
        SERVER.invoke(GLOBAL, "resetPeakUsage", null, null);
        assertThat(usage(GLOBAL, "PeakUsage").getUsed()).as("PeakUsage.used right after resetPeakUsage")
                .isEqualTo(usage(GLOBAL, "Usage").getUsed());
        long beforeSpike = usage(GLOBAL, "Usage").getUsed();
        confined.free(confined.allocate(2 * MIB));
        MemoryUsage peak = usage(GLOBAL, "PeakUsage");
        long openRegions = longAttribute(GLOBAL, "OpenRegions");
        assertThat(peak.getUsed()).as("PeakUsage.used after a 2 MiB piece came and went (kept in steps of %d"
                + " bytes per open region)", Invariants.GLOBAL_STEP)
                .isGreaterThanOrEqualTo(beforeSpike + 2 * MIB - Invariants.GLOBAL_STEP * openRegions)
                .isGreaterThan(usage(GLOBAL, "Usage").getUsed())
                .isEqualTo(Regions.globalStats().peakLiveBytes());
        assertThat(peak.getCommitted()).isGreaterThanOrEqualTo(Regions.globalStats().grossBytes());
        assertThat(peak.getMax()).isEqualTo(-1);
        SERVER.invoke(GLOBAL, "resetPeakUsage", null, null);
        assertThat(usage(GLOBAL, "PeakUsage").getUsed()).as("PeakUsage.used after resetPeakUsage: the live bytes")
                .isEqualTo(usage(GLOBAL, "Usage").getUsed()).isEqualTo(beforeSpike)
                .isEqualTo(Regions.globalStats().peakLiveBytes());

        // Closing gives it all back.
        shared.close();
        confined.close();
        MemoryUsage end = usage(GLOBAL, "Usage");
        assertThat(end.getUsed()).as("Usage.used after both closed (the confined region was empty at the baseline)")
                .isEqualTo(baseUsage.getUsed());
        assertThat(end.getCommitted()).isEqualTo(baseUsage.getCommitted());
        assertThat(longAttribute(GLOBAL, "OpenRegions")).isEqualTo(baseOpen - 1);
        assertThat(longAttribute(GLOBAL, "LivePieces")).isEqualTo(basePieces);
        assertThat((String) SERVER.getAttribute(GLOBAL, "Report")).doesNotContain("jmx-global-");
    }

    @Test
    void theProcessBeanThroughAProxyOfRegionsMXBean() throws Exception {
        Collector.settle();
        try (Region region = Region.builder().name("jmx-proxy-global").build()) {
            RegionsMXBean bean = JMX.newMXBeanProxy(SERVER, GLOBAL, RegionsMXBean.class);
            long baseLive = bean.getUsage().getUsed();
            long baseAllocations = bean.getAllocations();
            int baseOpen = bean.getOpenRegions();
            region.allocate(5000);
            region.allocate(7000);

            RegionStats stats = Regions.globalStats();
            MemoryUsage usage = bean.getUsage();
            assertThat(usage.getUsed()).isEqualTo(stats.liveBytes()).isEqualTo(baseLive + 12_000);
            assertThat(usage.getCommitted()).isEqualTo(stats.grossBytes());
            assertThat(usage.getMax()).isEqualTo(-1);
            assertThat(bean.getLivePieces()).isEqualTo(stats.liveCount());
            assertThat(bean.getAllocations()).isEqualTo(stats.allocations()).isEqualTo(baseAllocations + 2);
            assertThat(bean.getFrees()).isEqualTo(stats.frees());
            assertThat(bean.getOpenRegions()).isEqualTo(baseOpen);
            assertThat(bean.getReclaimedRegions()).isEqualTo(Regions.reclaimedRegions());
            assertThat(bean.getReport()).isEqualTo(Regions.report()).contains("jmx-proxy-global");
            bean.resetPeakUsage();
            assertThat(bean.getPeakUsage().getUsed()).isEqualTo(bean.getUsage().getUsed())
                    .isEqualTo(Regions.globalStats().peakLiveBytes());
        }
    }

    // ------------------------------------------------------------------ a region's bean

    @Test
    void aMonitoredRegionHasABeanOfItsOwnUntilItIsClosed() throws Exception {
        String kind = "confined to thread '" + Thread.currentThread().getName() + "'";
        Region limited = Region.builder().name("jmx-monitored").monitored(true).limit(MIB).build();
        Region unlimited = Region.builder().name("jmx-monitored-shared").shared(true).monitored(true).build();
        Region plain = Region.builder().name("jmx-not-monitored").build();
        try {
            List<ObjectName> limitedBeans = beansOf("jmx-monitored");
            List<ObjectName> unlimitedBeans = beansOf("jmx-monitored-shared");
            assertThat(limitedBeans).as("beans of jmx-monitored").hasSize(1);
            assertThat(unlimitedBeans).as("beans of jmx-monitored-shared").hasSize(1);
            assertThat(beansOf("jmx-not-monitored")).as("beans of a region built without monitored(true)").isEmpty();
            ObjectName bean = limitedBeans.getFirst();
            ObjectName sharedBean = unlimitedBeans.getFirst();
            assertThat(bean.getDomain()).isEqualTo("dev.regions");
            assertThat(bean.getKeyProperty("type")).isEqualTo("Region");
            assertThat(bean.getKeyProperty("name")).isEqualTo("\"jmx-monitored\"");
            assertThat(bean.getKeyProperty("id")).matches("[0-9]+");
            assertThat(sharedBean.getKeyProperty("id")).matches("[0-9]+").isNotEqualTo(bean.getKeyProperty("id"));
            assertThat(bean).isEqualTo(name("dev.regions:type=Region,name=\"jmx-monitored\",id="
                    + bean.getKeyProperty("id")));

            // Empty: nothing used, nothing committed; the limit is the max.
            MemoryUsage empty = usage(bean, "Usage");
            assertThat(empty.getUsed()).isZero();
            assertThat(empty.getCommitted()).isZero();
            assertThat(empty.getMax()).isEqualTo(MIB);

            MemorySegment freed = limited.allocate(2000);
            limited.allocate(10_000);
            limited.allocate(300);
            limited.free(freed);
            unlimited.allocate(4000);
            unlimited.allocate(50);
            plain.allocate(1000);

            RegionStats stats = limited.stats();
            MemoryUsage usage = usage(bean, "Usage");
            assertThat(usage.getUsed()).as("Usage.used: the live bytes").isEqualTo(stats.liveBytes())
                    .isEqualTo(10_300);
            assertThat(usage.getCommitted()).as("Usage.committed: the gross bytes").isEqualTo(stats.grossBytes())
                    .isPositive();
            assertThat(usage.getMax()).as("Usage.max: the limit").isEqualTo(MIB);
            assertThat(usage.getInit()).isZero();
            MemoryUsage peak = usage(bean, "PeakUsage");
            assertThat(peak.getUsed()).as("PeakUsage.used").isEqualTo(stats.peakLiveBytes()).isEqualTo(12_300);
            assertThat(peak.getMax()).isEqualTo(MIB);
            assertThat(longAttribute(bean, "LivePieces")).isEqualTo(stats.liveCount()).isEqualTo(2);
            assertThat(longAttribute(bean, "Limit")).isEqualTo(MIB);
            assertThat(SERVER.getAttribute(bean, "Name")).isEqualTo("jmx-monitored");
            assertThat(SERVER.getAttribute(bean, "Kind")).isEqualTo(kind);

            RegionStats sharedStats = unlimited.stats();
            MemoryUsage sharedUsage = usage(sharedBean, "Usage");
            assertThat(sharedUsage.getUsed()).isEqualTo(sharedStats.liveBytes()).isEqualTo(4050);
            assertThat(sharedUsage.getCommitted()).isEqualTo(sharedStats.grossBytes());
            assertThat(sharedUsage.getMax()).as("Usage.max without a limit").isEqualTo(-1);
            assertThat(longAttribute(sharedBean, "Limit")).isZero();
            assertThat(longAttribute(sharedBean, "LivePieces")).isEqualTo(2);
            assertThat(SERVER.getAttribute(sharedBean, "Name")).isEqualTo("jmx-monitored-shared");
            assertThat(SERVER.getAttribute(sharedBean, "Kind")).isEqualTo("shared");

            // A new limit shows at once.
            limited.setLimit(2 * MIB);
            assertThat(longAttribute(bean, "Limit")).isEqualTo(2 * MIB);
            assertThat(usage(bean, "Usage").getMax()).isEqualTo(2 * MIB);
            limited.setLimit(0);
            assertThat(longAttribute(bean, "Limit")).isZero();
            assertThat(usage(bean, "Usage").getMax()).isEqualTo(-1);

            // Through a proxy of the public interface.
            RegionMXBean proxy = JMX.newMXBeanProxy(SERVER, bean, RegionMXBean.class);
            limited.allocate(700);
            stats = limited.stats();
            assertThat(proxy.getName()).isEqualTo("jmx-monitored");
            assertThat(proxy.getKind()).isEqualTo(kind);
            assertThat(proxy.getUsage().getUsed()).isEqualTo(stats.liveBytes()).isEqualTo(11_000);
            assertThat(proxy.getUsage().getCommitted()).isEqualTo(stats.grossBytes());
            assertThat(proxy.getUsage().getMax()).isEqualTo(-1);
            assertThat(proxy.getPeakUsage().getUsed()).isEqualTo(stats.peakLiveBytes());
            assertThat(proxy.getLivePieces()).isEqualTo(3);
            assertThat(proxy.getLimit()).isZero();

            // Closed: the bean goes, the other one stays.
            limited.close();
            assertThat(SERVER.isRegistered(bean)).as("%s after its region was closed", bean).isFalse();
            assertThat(beansOf("jmx-monitored")).isEmpty();
            assertThat(SERVER.isRegistered(sharedBean)).isTrue();
            unlimited.close();
            assertThat(SERVER.isRegistered(sharedBean)).as("%s after its region was closed", sharedBean).isFalse();
        } finally {
            closeIfOpen(limited);
            closeIfOpen(unlimited);
            plain.close();
        }
    }

    @Test
    void aRegionWithAnOddNameGetsABeanThatFindsItsName() throws Exception {
        String odd = "jmx \"odd\", name=*?\\";
        try (Region region = Region.builder().name(odd).monitored(true).build()) {
            region.allocate(64);
            List<ObjectName> beans = beansOf(odd);
            assertThat(beans).as("beans of a region named %s", odd).hasSize(1);
            ObjectName bean = beans.getFirst();
            assertThat(bean.isPattern()).isFalse();
            assertThat(SERVER.getAttribute(bean, "Name")).isEqualTo(odd);
            assertThat(usage(bean, "Usage").getUsed()).isEqualTo(64);
            assertThat(longAttribute(bean, "LivePieces")).isEqualTo(1);
        }
        assertThat(beansOf(odd)).isEmpty();
    }

    @Test
    void aMonitoredRegionMergedAndClosedLosesItsBeanAndItsPiecesShowInTheOther() throws Exception {
        try (Region destination = Region.builder().name("jmx-destination").monitored(true).build()) {
            Region source = Region.builder().name("jmx-source").monitored(true).build();
            destination.allocate(100);
            source.allocate(2000);
            source.allocate(3000);
            ObjectName sourceBean = beansOf("jmx-source").getFirst();
            ObjectName destinationBean = beansOf("jmx-destination").getFirst();
            assertThat(usage(sourceBean, "Usage").getUsed()).isEqualTo(5000);
            assertThat(longAttribute(sourceBean, "LivePieces")).isEqualTo(2);

            destination.mergeAndClose(source);

            assertThat(SERVER.isRegistered(sourceBean)).as("%s after mergeAndClose", sourceBean).isFalse();
            RegionStats stats = destination.stats();
            MemoryUsage usage = usage(destinationBean, "Usage");
            assertThat(usage.getUsed()).isEqualTo(stats.liveBytes()).isEqualTo(5100);
            assertThat(usage.getCommitted()).isEqualTo(stats.grossBytes());
            assertThat(longAttribute(destinationBean, "LivePieces")).isEqualTo(3);
            assertThat(usage(destinationBean, "PeakUsage").getUsed()).isEqualTo(stats.peakLiveBytes())
                    .isEqualTo(5100);
        }
        assertThat(beansOf("jmx-destination")).isEmpty();
    }

    @Test
    void aMonitoredRegionNobodyClosesIsReclaimedAndItsBeanGoes() throws Exception {
        long reclaimedBefore = Collector.settle();
        RegionStats base = Regions.globalStats();
        ObjectName bean = dropAMonitoredRegion("jmx-forgotten");
        assertThat(SERVER.isRegistered(bean)).as("the bean of a region dropped but not yet reclaimed").isTrue();
        // Reading the bean keeps nothing alive.
        assertThat(usage(bean, "Usage").getUsed()).isEqualTo(3 * 1000);

        for (int round = 0; SERVER.isRegistered(bean) || Regions.reclaimedRegions() == reclaimedBefore; round++) {
            if (round == 50) {
                fail("after 50 rounds of System.gc(): bean registered %s, %d regions reclaimed (%d before)",
                        SERVER.isRegistered(bean), Regions.reclaimedRegions(), reclaimedBefore);
            }
            System.gc();
            Thread.sleep(20);
        }
        assertThat(Regions.reclaimedRegions()).isEqualTo(reclaimedBefore + 1);
        assertThat(longAttribute(GLOBAL, "ReclaimedRegions")).isEqualTo(reclaimedBefore + 1);
        assertThat(beansOf("jmx-forgotten")).isEmpty();
        RegionStats after = Regions.globalStats();
        assertThat(after.liveBytes()).isEqualTo(base.liveBytes());
        assertThat(after.grossBytes()).isEqualTo(base.grossBytes());
        assertThat(usage(GLOBAL, "Usage").getUsed()).isEqualTo(base.liveBytes());
        assertThat((String) SERVER.getAttribute(GLOBAL, "Report")).doesNotContain("jmx-forgotten");
    }

    /** Builds a monitored region, allocates and drops it, in a frame of its own; returns its bean's name. */
    private static ObjectName dropAMonitoredRegion(String name) throws Exception {
        Region region = Region.builder().name(name).monitored(true).build();
        for (int i = 0; i < 3; i++) {
            region.allocate(1000);
        }
        List<ObjectName> beans = beansOf(name);
        assertThat(beans).hasSize(1);
        assertThat(usage(beans.getFirst(), "Usage").getCommitted()).isEqualTo(region.stats().grossBytes());
        return beans.getFirst();
    }

    // ------------------------------------------------------------------ helpers

    private static void closeIfOpen(Region region) {
        if (region.scope().isAlive()) {
            region.close();
        }
    }

}
