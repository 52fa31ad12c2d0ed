package dev.regions.cli.server;

import dev.regions.cli.Report;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code regions demo server}: runs {@link ServerDemo} and prints its throughput, the cache's
 * figures, the report of the open regions once the requests are done, and the global live bytes
 * before, during and after. This class parses options and
 * prints; the work is {@link ServerDemo}'s.
 *
 * <p>Public (with {@link #runDefault}) only for {@code regions demo} in {@code dev.regions.cli},
 * which lists it as a subcommand and runs it with the defaults; the rest of the package is not
 * seen outside it.
 */
@Command(name = "server",
        mixinStandardHelpOptions = true,
        description = {
                "Serves generated requests on worker threads, a region per request.",
                "",
                "Each request allocates what it needs (its text, an off-heap array of",
                "fields, the quote, the response) in its own confined region, closed",
                "when the response is done. A shared region holds a cache of quotes",
                "that every thread uses, with free() + allocate() when a slot's quote",
                "is replaced. Ends with Regions.report() of the regions still open once",
                "the requests are done (the cache), and shows that the global live bytes",
                "return to their start once the cache is closed.",
                ""})
public final class ServerDemoCommand implements Callable<Integer> {
    private static final int DEFAULT_THREADS = 4;
    private static final long DEFAULT_REQUESTS = 20_000;
    private static final int DEFAULT_CACHE_SLOTS = 1_024;
    private static final int DEFAULT_ITEMS = 1_000;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "4",
            description = "Worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = {"-n", "--requests"}, paramLabel = "N", defaultValue = "20000",
            description = "Requests to serve, in all (default: ${DEFAULT-VALUE}).")
    long requests;

    @Option(names = "--cache-slots", paramLabel = "N", defaultValue = "1024",
            description = "Slots in the shared cache (default: ${DEFAULT-VALUE}).")
    int cacheSlots;

    @Option(names = "--items", paramLabel = "N", defaultValue = "1000",
            description = "Distinct items the requests ask about (default: ${DEFAULT-VALUE}).")
    int items;

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cl = spec.commandLine();
        if (parentChecked()) {
            throw new CommandLine.ParameterException(cl, "--checked is for the interpreter demo, not the server");
        }
        if (threads < 1 || threads > 1024) {
            throw new CommandLine.ParameterException(cl, "--threads must be between 1 and 1024, not " + threads);
        }
        if (requests < 1) {
            throw new CommandLine.ParameterException(cl, "--requests must be at least 1, not " + requests);
        }
        if (cacheSlots < 1 || items < 1) {
            throw new CommandLine.ParameterException(cl, "--cache-slots and --items must be at least 1");
        }
        return runAndReport(cl.getOut(), threads, requests, cacheSlots, items);
    }

    /**
     * Whether the parent, {@code demo}, was given {@code --checked} ({@code demo --checked
     * server}, refused): read by name from its spec, so this package needs no type of the parent's.
     */
    private boolean parentChecked() {
        CommandSpec parent = spec.parent();
        OptionSpec option = parent == null ? null : parent.findOption("--checked");
        return option != null && Boolean.TRUE.equals(option.getValue());
    }

    /** Runs the demo with the default options, as {@code regions demo} does; returns the exit status. */
    public static int runDefault(PrintWriter out) {
        return runAndReport(out, DEFAULT_THREADS, DEFAULT_REQUESTS, DEFAULT_CACHE_SLOTS, DEFAULT_ITEMS);
    }

    /** Runs the demo and prints the report; returns the exit status (1 if a response was wrong). */
    static int runAndReport(PrintWriter out, int threads, long requests, int cacheSlots, int items) {
        ServerDemo.Result r;
        try {
            r = ServerDemo.run(threads, requests, cacheSlots, items);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        RequestHandler.Tally t = r.tally();
        out.printf("Server: %d threads, a confined region per request, a shared region for the cache%n", r.threads());
        out.printf(Locale.ROOT, "  %-9s %s requests in %.2f s: %s requests/s, %s/s over the last half%n",
                "served", Report.count(r.requests()), r.nanos() / 1e9, Report.count(Math.round(r.requestsPerSecond())),
                Report.count(Math.round(r.lastHalfRequestsPerSecond())));
        out.printf("  %-9s %s slots: %s hits (%s), %s misses, %s quotes replaced (free + allocate)%n", "cache",
                Report.count(r.cacheSlots()), Report.count(t.hits), Report.percent(t.hits, t.served),
                Report.count(t.misses), Report.count(r.evictions()));
        out.printf("  %-9s %s checked against their request: %s wrong%s%n", "responses",
                Report.count(t.served - t.malformed), Report.count(t.wrong),
                t.malformed == 0 ? "" : ", " + Report.count(t.malformed) + " malformed");
        Report.statsHeader(out);
        Report.statsRow(out, "cache", r.cache());
        Report.openRegions(out, "once the requests were done, before the cache closes", r.openRegions());
        out.printf("  %-9s live %s before, peak %s while serving, %s when the requests were done;%n",
                "global", Report.bytes(r.globalBefore().liveBytes()), Report.bytes(r.globalPeakLive()),
                Report.bytes(r.globalCacheOnly().liveBytes()));
        out.printf("  %-9s after closing the cache, live %s and gross %s: %s%n", "",
                Report.bytes(r.globalAfter().liveBytes()), Report.bytes(r.globalAfter().grossBytes()),
                Report.backToStart(r.globalBefore(), r.globalAfter()));
        out.flush();
        return t.wrong == 0 ? 0 : 1;
    }
}
