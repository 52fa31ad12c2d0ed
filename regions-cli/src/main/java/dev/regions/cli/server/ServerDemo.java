package dev.regions.cli.server;

import dev.regions.RegionStats;
import dev.regions.Regions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server demo, without its printing: worker threads serve generated requests, each in its
 * own confined region ({@link RequestHandler}), sharing one {@link ResponseCache} in a shared
 * region; then the cache is closed and the global figures are read again.
 *
 * <p>It reads the global figures with {@link Regions#globalStatsAndResetPeaks()} before it starts,
 * so that the global peak it reports afterwards is the peak while serving.
 */
final class ServerDemo {
    private ServerDemo() {
    }

    /**
     * @param threads          worker threads
     * @param requests         requests served, in all
     * @param nanos            wall time of serving them (threads started to threads joined)
     * @param lastHalfNanos    wall time of the second half of them (from the moment half the
     *                         requests were done): the rate once the JIT has compiled the code
     * @param tally            the requests' outcomes, summed over the workers
     * @param cacheSlots       the cache's slots
     * @param evictions        cache values replaced (free, then allocate)
     * @param cache            the cache region's figures just before it closed
     * @param globalBefore     global figures before the demo
     * @param globalPeakLive   the highest global live bytes while serving
     * @param globalCacheOnly  global figures once every request was done, the cache still open
     * @param globalAfter      global figures after the cache closed
     * @param openRegions      {@link Regions#report()} once every request was done, the cache
     *                         still open
     */
    record Result(
            int threads,
            long requests,
            long nanos,
            long lastHalfNanos,
            RequestHandler.Tally tally,
            int cacheSlots,
            long evictions,
            RegionStats cache,
            RegionStats globalBefore,
            long globalPeakLive,
            RegionStats globalCacheOnly,
            RegionStats globalAfter,
            String openRegions) {

        double requestsPerSecond() {
            return requests * 1e9 / Math.max(1, nanos);
        }

        double lastHalfRequestsPerSecond() {
            return (requests - requests / 2) * 1e9 / Math.max(1, lastHalfNanos);
        }
    }

    /**
     * Serves {@code requests} generated requests on {@code threads} threads.
     *
     * @param items how many distinct items the requests ask about
     * @throws IllegalStateException if a worker failed (its exception is the cause)
     */
    static Result run(int threads, long requests, int cacheSlots, int items) throws InterruptedException {
        RegionStats globalBefore = Regions.globalStatsAndResetPeaks();
        RequestHandler.Tally total = new RequestHandler.Tally();
        long nanos;
        long lastHalfNanos;
        long evictions;
        RegionStats cacheStats;
        RegionStats globalCacheOnly;
        String openRegions;
        try (ResponseCache cache = new ResponseCache(cacheSlots)) {
            RequestHandler handler = new RequestHandler(cache);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong done = new AtomicLong();
            AtomicLong halfDoneAt = new AtomicLong();
            long half = requests / 2;
            List<Thread> workers = new ArrayList<>();
            List<RequestHandler.Tally> tallies = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                long share = requests / threads + (w < requests % threads ? 1 : 0);
                RequestGenerator generator = new RequestGenerator(42 + w, items);
                RequestHandler.Tally tally = new RequestHandler.Tally();
                tallies.add(tally);
                workers.add(Thread.ofPlatform().name("worker-" + w).unstarted(() -> {
                    try {
                        for (long i = 0; i < share; i++) {
                            handler.handle(generator.next(), tally);
                            if (done.incrementAndGet() == half) {
                                halfDoneAt.set(System.nanoTime());
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            long start = System.nanoTime();
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
            long end = System.nanoTime();
            nanos = end - start;
            lastHalfNanos = end - (half == 0 ? start : halfDoneAt.get());
            if (failure.get() != null) {
                throw new IllegalStateException("a worker failed: " + failure.get(), failure.get());
            }
            tallies.forEach(total::add);
            evictions = cache.evictions();
            cacheStats = cache.stats();
            globalCacheOnly = Regions.globalStats();
            openRegions = Regions.report();
        }
        return new Result(threads, requests, nanos, lastHalfNanos, total, cacheSlots, evictions, cacheStats,
                globalBefore, globalCacheOnly.peakLiveBytes(), globalCacheOnly, Regions.globalStats(),
                openRegions);
    }
}
