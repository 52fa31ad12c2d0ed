package dev.regions.cli.interpreter;

/**
 * One token of the demo language, as the {@link Lexer} cuts it. Tokens live on the Java heap:
 * they are the parser's input, read many times while it backtracks; only what the parser builds
 * from them (the syntax tree) lives off-heap.
 *
 * @param kind   what sort of token
 * @param text   the token's text (for {@link Kind#STRING}, the literal's contents)
 * @param number the value of a {@link Kind#NUMBER}, 0 otherwise
 * @param line   1-based line of the first character
 * @param column 1-based column of the first character
 */
record Token(Kind kind, String text, long number, int line, int column) {

    enum Kind {
        NUMBER, STRING, NAME, SYMBOL, END
    }

    /** Whether this is the symbol or the name (keyword) {@code text}. */
    boolean is(String text) {
        return (kind == Kind.SYMBOL || kind == Kind.NAME) && this.text.equals(text);
    }

    /** The token as an error message shows it. */
    String describe() {
        return switch (kind) {
            case END -> "the end of the program";
            case STRING -> "\"" + text + "\"";
            default -> "'" + text + "'";
        };
    }
}
