package dev.regions.cli.interpreter;

/**
 * What the backtracking parser did, for the demo's report.
 *
 * @param statements       statements parsed
 * @param ruleAttempts     statement rules tried (every statement tries rules in order until one
 *                         matches)
 * @param failedRules      statement rules that did not match; each ended with
 *                         {@code scratch.reset()}
 * @param failedWithNodes  the failed rules that had already built part of a tree
 * @param discardedPieces  pieces those failed rules had allocated, thrown away by the resets
 * @param discardedBytes   their bytes
 * @param merges           {@code program.merge(scratch)} calls, one per statement
 * @param innerFailures    inner alternatives (inside a statement) that did not match
 * @param innerFreed       pieces those inner alternatives had allocated, handed back one by one
 *                         with {@code scratch.free(piece)}
 */
record ParseStats(
        int statements,
        long ruleAttempts,
        long failedRules,
        long failedWithNodes,
        long discardedPieces,
        long discardedBytes,
        long merges,
        long innerFailures,
        long innerFreed) {
}
