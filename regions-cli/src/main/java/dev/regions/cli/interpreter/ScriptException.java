package dev.regions.cli.interpreter;

/**
 * A syntax or run-time error in a demo-language program, with the line and column it was found
 * at. The interpreter demo prints its message; it never escapes as a stack trace.
 */
final class ScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScriptException(String what, int line, int column, String message) {
        super(what + " at line " + line + (column > 0 ? ", column " + column : "") + ": " + message);
    }
}
