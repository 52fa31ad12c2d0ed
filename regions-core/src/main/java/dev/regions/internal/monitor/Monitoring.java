package dev.regions.internal.monitor;

import dev.regions.RegionStats;
import dev.regions.internal.region.Reclaimer;
import dev.regions.internal.stats.GlobalStats;
import dev.regions.internal.stats.RegionRecord;
import dev.regions.management.RegionMXBean;
import dev.regions.management.RegionsMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import javax.management.JMException;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * What the process's regions show to people watching it: the JMX beans (one for the process, one
 * per region that asks: see {@code dev.regions.management}) and the report of every open region
 * ({@link #report()}, PostgreSQL's {@code MemoryContextStats} for regions). Everything here reads
 * {@link RegionRecord records}, never regions, so watching a region never keeps it reachable.
 */
public final class Monitoring {
    private Monitoring() {
    }

    /** Not a constant: the first {@code System.getLogger} of a process costs milliseconds, and is rarely needed here. */
    private static System.Logger log() {
        return System.getLogger("dev.regions");
    }
    private static final String GLOBAL_NAME = "dev.regions:type=Regions";
    /** Whether registering the process's bean was done (or tried, and the failure logged). */
    private static volatile boolean globalDone;
    /** Whether the registrar thread was started. */
    private static boolean registrarStarted; // under Monitoring.class

    /**
     * Registers the process's bean, once, unless {@code regions.jmx=false}; called by every region
     * built, so cheap once it is registered.
     *
     * <p><b>Off the first region's path.</b> Making the platform MBean server (the first
     * {@code ManagementFactory.getPlatformMBeanServer()} of a process) registers every platform
     * MXBean: about a hundred milliseconds, more than everything else a first region does. So while
     * no MBean server exists, the bean is registered by a short-lived daemon thread
     * ({@value #REGISTRAR}), a moment after the first region is built. Once one exists (a JMX agent
     * started with the JVM, a monitoring library, a console that attached, a test), registering
     * costs little, and a region built then registers it on its own thread, before {@code build()}
     * returns, waiting for the registrar if it is half way. So a client that made the platform
     * server before a region was built always finds the bean; a JMX client that attaches later
     * (jconsole, {@code jcmd ManagementAgent.start}) finds it as before; only a client that makes
     * the platform server itself within a moment of the first region (and builds none after) may
     * have to look again. A region built with {@code monitored(true)} registers both beans on its
     * own thread: it asked for them.
     */
    public static void init() {
        if (globalDone || jmxOff()) {
            return;
        }
        if (!MBeanServerFactory.findMBeanServer(null).isEmpty()) {
            registerGlobal(); // the platform server (most likely) exists: little to pay
            return;
        }
        synchronized (Monitoring.class) {
            if (registrarStarted) {
                return;
            }
            registrarStarted = true;
        }
        Thread registrar = new Thread(new Registrar(), REGISTRAR); // not a lambda: no bootstrap on this path
        registrar.setDaemon(true);
        registrar.start();
    }

    /** The thread that registers the process's bean off the first region's path. */
    private static final String REGISTRAR = "regions-jmx";

    private static final class Registrar implements Runnable {
        @Override
        public void run() {
            registerGlobal();
        }
    }

    /** Registers the process's bean unless done already; returns once it is registered (or failed). */
    private static void registerGlobal() {
        if (globalDone) {
            return;
        }
        synchronized (Monitoring.class) {
            if (!globalDone) {
                register(new Global(), GLOBAL_NAME);
                globalDone = true;
            }
        }
    }

    /** Registers a bean for a region built with {@code monitored(true)}; unregistered when it is done. */
    public static void monitor(RegionRecord record) {
        if (jmxOff()) {
            return;
        }
        registerGlobal(); // before the region's own, on this thread
        GlobalStats.whenRegionDone(Monitoring::regionDone);
        record.beanName = "dev.regions:type=Region,name=" + ObjectName.quote(record.name) + ",id=" + record.id;
        register(new OneRegion(record), record.beanName);
    }

    private static boolean jmxOff() {
        return "false".equals(System.getProperty("regions.jmx"));
    }

    private static void regionDone(RegionRecord record) {
        if (record.beanName == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(record.beanName));
        } catch (JMException e) {
            log().log(System.Logger.Level.DEBUG, "could not unregister " + record.beanName, e);
        }
    }

    private static void register(Object bean, String name) {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, new ObjectName(name));
        } catch (JMException | RuntimeException e) {
            log().log(System.Logger.Level.WARNING, "could not register the JMX bean " + name, e);
        }
    }

    /** Every open region, one line each, largest live bytes first, and a total. */
    public static String report() {
        List<RegionRecord> open = new ArrayList<>(GlobalStats.openRegions());
        List<long[]> stats = new ArrayList<>();
        for (RegionRecord r : open) {
            stats.add(r.sums());
        }
        Integer[] order = new Integer[open.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingLong((Integer i) -> stats.get(i)[0]).reversed());
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-24s %-28s %12s %12s %12s %10s %12s%n",
                "region", "kind", "live B", "gross B", "peak B", "pieces", "limit B"));
        long live = 0;
        long gross = 0;
        long pieces = 0;
        for (int i : order) {
            RegionRecord r = open.get(i);
            long[] f = stats.get(i);
            out.append(String.format(Locale.ROOT, "%-24s %-28s %,12d %,12d %,12d %,10d %12s%n", clip(r.name, 24),
                    clip(r.kind, 28), f[0], f[2], r.peak(f[0]), f[1], r.limit == 0 ? "none" : String.format(Locale.ROOT,
                            "%,d", r.limit)));
            live += f[0];
            gross += f[2];
            pieces += f[1];
        }
        out.append(String.format(Locale.ROOT, "%-24s %-28s %,12d %,12d %12s %,10d%n", "total: " + open.size()
                + " regions", "", live, gross, "", pieces));
        return out.toString();
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }

    /**
     * {@code MemoryUsage} wants used ≤ committed ≤ max, and -1 for a max that is undefined: no
     * limit (0) is no max, even while nothing is committed; a limit below the gross bytes shows as
     * no max too.
     */
    private static MemoryUsage usage(long used, long committed, long limit) {
        long c = Math.max(used, committed); // a racing read may see the live bytes ahead of the gross
        return new MemoryUsage(0, used, c, limit > 0 && limit >= c ? limit : -1);
    }

    private static final class Global implements RegionsMXBean {
        @Override
        public MemoryUsage getUsage() {
            RegionStats s = GlobalStats.snapshot(false);
            return usage(s.liveBytes(), s.grossBytes(), -1);
        }

        @Override
        public MemoryUsage getPeakUsage() {
            RegionStats s = GlobalStats.snapshot(false);
            return usage(s.peakLiveBytes(), s.grossBytes(), -1);
        }

        @Override
        public void resetPeakUsage() {
            GlobalStats.snapshot(true);
        }

        @Override
        public long getLivePieces() {
            return GlobalStats.snapshot(false).liveCount();
        }

        @Override
        public long getAllocations() {
            return GlobalStats.snapshot(false).allocations();
        }

        @Override
        public long getFrees() {
            return GlobalStats.snapshot(false).frees();
        }

        @Override
        public int getOpenRegions() {
            return GlobalStats.openRegions().size();
        }

        @Override
        public long getReclaimedRegions() {
            return Reclaimer.reclaimed();
        }

        @Override
        public String getReport() {
            return report();
        }
    }

    private static final class OneRegion implements RegionMXBean {
        private final RegionRecord record;

        OneRegion(RegionRecord record) {
            this.record = record;
        }

        @Override
        public String getName() {
            return record.name;
        }

        @Override
        public String getKind() {
            return record.kind;
        }

        @Override
        public MemoryUsage getUsage() {
            long[] f = record.sums();
            return usage(f[0], f[2], record.limit);
        }

        @Override
        public MemoryUsage getPeakUsage() {
            long[] f = record.sums();
            return usage(record.peak(f[0]), f[2], record.limit);
        }

        @Override
        public long getLivePieces() {
            return record.sums()[1];
        }

        @Override
        public long getLimit() {
            return record.limit;
        }
    }
}
