package dev.regions.cli.interpreter;

import java.util.List;

/**
 * The parser's result: the statements in program order (ids of their root nodes in the
 * {@link SyntaxTree}, which lives in the program's region), the variables' names by slot, and
 * what the parse did.
 */
record ParsedProgram(int[] statements, List<String> variables, ParseStats stats) {
}
