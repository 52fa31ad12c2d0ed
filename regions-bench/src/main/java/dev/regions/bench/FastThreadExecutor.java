package dev.regions.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The executor JMH runs every benchmark thread on ({@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=dev.regions.bench.FastThreadExecutor}, see {@link ForkArgs}): a fixed pool
 * of Netty {@link FastThreadLocalThread}s. Netty's allocators keep their per-thread caches only on
 * such threads; running <em>every</em> peer's benchmark on them gives Netty its caches without a
 * hand-off between threads, and gives all peers the same thread structure. The pool is fixed, so
 * JMH keeps each thread's state on the same thread (a confined region stays with its owner). It is
 * what Netty's own microbenchmarks do.
 */
public final class FastThreadExecutor extends ThreadPoolExecutor {

    /**
     * The constructor JMH calls.
     *
     * @param maxThreads the benchmark's thread count
     * @param prefix the thread name prefix
     */
    public FastThreadExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }

    /**
     * Fails a benchmark whose fork was started without this executor (for example with
     * {@code -jvmArgsAppend} on the command line, which replaces the annotation's arguments).
     */
    public static void requireFastThread() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("benchmark thread " + Thread.currentThread().getName()
                    + " is not a Netty FastThreadLocalThread: the fork needs " + ForkArgs.EXECUTOR
                    + " " + ForkArgs.EXECUTOR_CLASS + " (use -jvmArgsPrepend, not -jvmArgsAppend, to add flags)");
        }
    }
}
