package dev.regions.bench;

import dev.regions.Region;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The parser pattern ({@link ParserPattern}): the program region's reset after
 * {@value ParserPattern#STATEMENTS} statements were merged into it, one merge each, confined and
 * shared. Each iteration parses anew (untimed) and times the one reset. Score: µs per reset. The
 * memory the pattern holds is reported by {@link Footprint}.
 *
 * <pre>java -jar regions-bench/target/benchmarks.jar ParserBench -f 2</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class ParserBench {

    @Param({Merges.CONFINED, Merges.SHARED})
    public String kind;

    private Region program;
    private Region scratch;

    @Setup(Level.Iteration)
    public void parse() {
        FastThreadExecutor.requireFastThread();
        program = Merges.region(kind);
        scratch = Merges.region(kind);
        ParserPattern.parse(program, scratch);
    }

    @Benchmark
    public void resetProgram() {
        program.reset();
    }

    @TearDown(Level.Iteration)
    public void closeAll() {
        program.close();
        scratch.close();
    }
}
