package dev.regions.bench;

import dev.regions.Region;

import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The original's interpreter use, as a workload: a parser reads {@value #STATEMENTS} statements;
 * for each it builds 3..12 syntax-tree nodes of 16..96 bytes in a scratch region; 30% of the
 * attempts are failed alternatives, whose nodes go with a reset of the scratch region before the
 * next attempt; a successful statement's nodes are merged into the program's region. Fixed seed.
 */
final class ParserPattern {
    static final int STATEMENTS = 2_000;

    private ParserPattern() {
    }

    /** Parses the statements: every successful statement's nodes end up in {@code program}. */
    static void parse(Region program, Region scratch) {
        SplittableRandom random = new SplittableRandom(Sizes.SEED);
        for (int s = 0; s < STATEMENTS; s++) {
            while (true) {
                int nodes = random.nextInt(3, 13);
                for (int i = 0; i < nodes; i++) {
                    scratch.allocate(random.nextInt(16, 97)).set(JAVA_BYTE, 0, (byte) 1);
                }
                if (random.nextInt(10) >= 3) {
                    break;
                }
                scratch.reset(); // a failed alternative
            }
            program.merge(scratch);
        }
    }
}
