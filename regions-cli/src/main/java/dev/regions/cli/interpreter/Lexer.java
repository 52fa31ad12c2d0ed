package dev.regions.cli.interpreter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Cuts a demo-language program into {@link Token}s: integer numbers, "strings", names
 * (identifiers and keywords alike: the parser decides), one- and two-character symbols, and
 * comments from {@code #} or {@code //} to the end of the line, which it drops. The list always
 * ends with an {@link Token.Kind#END} token, so the parser can look one token ahead anywhere.
 */
final class Lexer {
    private static final Set<String> TWO_CHAR_SYMBOLS =
            Set.of("==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=");
    private static final String ONE_CHAR_SYMBOLS = "+-*/%()<>={};,";

    private final String source;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Lexer(String source) {
        this.source = source;
    }

    /**
     * @param source the program's text
     * @return its tokens, ending with an END token
     * @throws ScriptException on a character that starts no token, or an unterminated string
     */
    static List<Token> tokenize(String source) {
        return new Lexer(source).all();
    }

    private List<Token> all() {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            skipSpaceAndComments();
            if (pos >= source.length()) {
                tokens.add(new Token(Token.Kind.END, "", 0, line, column(pos)));
                return tokens;
            }
            tokens.add(next());
        }
    }

    private void skipSpaceAndComments() {
        while (pos < source.length()) {
            char c = source.charAt(pos);
            if (c == '\n') {
                pos++;
                line++;
                lineStart = pos;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '#' || source.startsWith("//", pos)) {
                while (pos < source.length() && source.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private Token next() {
        int start = pos;
        char c = source.charAt(pos);
        if (Character.isDigit(c)) {
            while (pos < source.length() && Character.isDigit(source.charAt(pos))) {
                pos++;
            }
            String digits = source.substring(start, pos);
            try {
                return new Token(Token.Kind.NUMBER, digits, Long.parseLong(digits), line, column(start));
            } catch (NumberFormatException e) {
                throw error(start, "number " + digits + " is too large");
            }
        }
        if (Character.isLetter(c) || c == '_') {
            while (pos < source.length()
                    && (Character.isLetterOrDigit(source.charAt(pos)) || source.charAt(pos) == '_')) {
                pos++;
            }
            return new Token(Token.Kind.NAME, source.substring(start, pos), 0, line, column(start));
        }
        if (c == '"') {
            int end = source.indexOf('"', pos + 1);
            int newline = source.indexOf('\n', pos + 1);
            if (end < 0 || (newline >= 0 && newline < end)) {
                throw error(start, "string without its closing \"");
            }
            pos = end + 1;
            return new Token(Token.Kind.STRING, source.substring(start + 1, end), 0, line, column(start));
        }
        if (pos + 1 < source.length() && TWO_CHAR_SYMBOLS.contains(source.substring(pos, pos + 2))) {
            pos += 2;
            return new Token(Token.Kind.SYMBOL, source.substring(start, pos), 0, line, column(start));
        }
        if (ONE_CHAR_SYMBOLS.indexOf(c) >= 0) {
            pos++;
            return new Token(Token.Kind.SYMBOL, String.valueOf(c), 0, line, column(start));
        }
        throw error(start, "unexpected character '" + c + "'");
    }

    private int column(int at) {
        return at - lineStart + 1;
    }

    private ScriptException error(int at, String message) {
        return new ScriptException("syntax error", line, column(at), message);
    }
}
