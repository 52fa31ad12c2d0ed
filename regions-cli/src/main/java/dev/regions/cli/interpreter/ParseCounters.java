package dev.regions.cli.interpreter;

import dev.regions.RegionStats;

/**
 * The parser's eight running counts of what its backtracking did to the regions, kept apart
 * from the grammar so that {@link Parser} only says when something happened and this class
 * only counts it. {@link #stats} freezes them into the {@link ParseStats} the demo reports (see
 * there for what each means).
 *
 * <p>It counts what it is told, nothing more: it cannot see the regions itself, so a failed
 * rule's thrown-away pieces are the figures the parser read from the scratch region just before
 * resetting it. Not thread-safe; one parse, one thread.
 */
final class ParseCounters {
    private long ruleAttempts;
    private long failedRules;
    private long failedWithNodes;
    private long discardedPieces;
    private long discardedBytes;
    private long merges;
    private long innerFailures;
    private long innerFreed;

    /** A statement rule is about to be tried. */
    void ruleTried() {
        ruleAttempts++;
    }

    /** A statement rule matched and the scratch region was merged into the program's. */
    void merged() {
        merges++;
    }

    /**
     * A statement rule did not match; {@code thrownAway} is the scratch region's figures just
     * before the reset that throws its pieces away.
     */
    void ruleFailed(RegionStats thrownAway) {
        failedRules++;
        if (thrownAway.liveCount() > 0) {
            failedWithNodes++;
            discardedPieces += thrownAway.liveCount();
            discardedBytes += thrownAway.liveBytes();
        }
    }

    /** An alternative inside a statement did not match; {@code freed} of its pieces were freed one by one. */
    void innerFailed(int freed) {
        innerFailures++;
        innerFreed += freed;
    }

    /** The counts so far, with the number of {@code statements} parsed. */
    ParseStats stats(int statements) {
        return new ParseStats(statements, ruleAttempts, failedRules, failedWithNodes, discardedPieces,
                discardedBytes, merges, innerFailures, innerFreed);
    }
}
