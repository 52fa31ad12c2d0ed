package dev.regions.bench;

/**
 * The JVM arguments every benchmark fork gets, as constants for {@code @Fork(jvmArgsAppend = ...)}.
 *
 * <p>Not among them: {@code -Dio.netty.tryReflectionSetAccessible=true}. On Java 25 Netty 4.2
 * does not use {@code sun.misc.Unsafe} by default, and without it that flag changes nothing (the
 * allocators hand out the same buffer classes with or without it).
 */
public final class ForkArgs {
    /** Regions, malloc and the seed make restricted FFM calls. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Arrow's memory module reads {@code java.nio.Buffer.address} reflectively. */
    public static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    /** Arrow's allocation manager: the unsafe one on the class path (said, not guessed). */
    public static final String ARROW_UNSAFE = "-Darrow.allocation.manager.type=Unsafe";
    /** Run benchmark threads on a custom executor ... */
    public static final String EXECUTOR = "-Djmh.executor=CUSTOM";
    /** ... of Netty FastThreadLocalThreads. */
    public static final String EXECUTOR_CLASS = "-Djmh.executor.class=dev.regions.bench.FastThreadExecutor";

    /**
     * Netty at its best: its leak detector samples buffers by default (a cost per allocation a
     * production server may well keep); the comparison asked for is against Netty's best case.
     */
    public static final String NETTY_NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    /**
     * A fixed Java heap, touched before the benchmark starts: otherwise the first seconds of every
     * fork pay the kernel's zeroing of heap pages first touched as the heap grows (measured: about
     * 1,200 page faults per W2 round until the whole heap had been touched once), which lands on
     * whichever peer allocates more objects.
     */
    public static final String HEAP_MIN = "-Xms2g";
    public static final String HEAP_MAX = "-Xmx2g";
    public static final String PRE_TOUCH = "-XX:+AlwaysPreTouch";

    private ForkArgs() {
    }
}
