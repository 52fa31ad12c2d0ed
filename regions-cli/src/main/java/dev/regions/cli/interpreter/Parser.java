package dev.regions.cli.interpreter;

import dev.regions.Region;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * A backtracking recursive-descent parser for the demo language, used the way ScriptBasic used
 * its segment allocator: for each statement it tries the statement rules in a fixed order, each
 * rule building its part of the syntax tree off-heap in a <em>scratch</em> region as it matches.
 * A rule that fails part-way has its work thrown away with {@code scratch.reset()}; the rule that
 * matches has its scratch region merged into the program's ({@code program.merge(scratch)}), so
 * the statement's nodes live as long as the program. Inside a statement, small alternatives
 * (a string or an expression; a number, a name or a parenthesis) undo a failure by freeing their
 * pieces one by one ({@code scratch.free}), since the rest of the statement must survive.
 *
 * <h2>Grammar (statement rules in the order they are tried)</h2>
 * <pre>
 * print      := 'print' argument (',' argument)* ';'       argument := STRING | expression
 * let        := 'let' NAME '=' expression ';'
 * if-line    := 'if' '(' expression ')' simple             simple := print | let | assign | update
 * if-block   := 'if' '(' expression ')' '{'
 * while-line := 'while' '(' expression ')' simple
 * while-block:= 'while' '(' expression ')' '{'
 * else       := '}' 'else' '{'
 * end        := '}'
 * assign     := NAME '=' expression ';'
 * update     := NAME ('+=' | '-=' | '*=' | '/=' | '%=') expression ';'
 *
 * expression := sum (('&lt;' | '&lt;=' | '&gt;' | '&gt;=' | '==' | '!=') sum)?
 * sum        := term (('+' | '-') term)*
 * term       := unary (('*' | '/' | '%') unary)*
 * unary      := '-' unary | NUMBER | NAME | '(' expression ')'
 * </pre>
 * Like a BASIC, blocks are statements of their own: {@code if (...) {}, {@code } else {} and
 * {@code }} are parsed one at a time, and a {@link BlockLinker} matches them and writes the
 * jumps between them into nodes that earlier merges already moved to the program's region.
 *
 * <p>The order makes backtracking real: {@code if (x > 3) {} first tries the one-line form, which
 * builds the whole condition before it meets the {@code {}; {@code x += 1;} first tries
 * {@code assign}, which builds the target before it meets {@code +=}.
 *
 * <p>This class is the grammar and the reset-or-merge (or free) around each attempt; what the
 * backtracking cost is counted by {@link ParseCounters}, and the blocks are linked by
 * {@link BlockLinker}, so neither is mixed into the rules.
 */
final class Parser {
    /** Rule results: the id of the node built, or FAIL. (Node.NONE means "no child", a success.) */
    private static final int FAIL = -2;
    /** Nesting limit for expressions, so a pathological program cannot overflow the stack. */
    private static final int MAX_DEPTH = 200;
    private static final Set<String> KEYWORDS = Set.of("let", "print", "if", "else", "while");

    private record Rule(String name, IntSupplier parse) {
    }

    private final List<Token> tokens;
    private final SyntaxTree tree;
    private final Region program;
    private final Region scratch;
    private final List<Rule> statementRules;
    private final Map<String, Integer> variables = new LinkedHashMap<>();
    private final List<Integer> statements = new ArrayList<>();
    private final BlockLinker blocks;
    private final ParseCounters counters = new ParseCounters();

    private int pos;
    private int depth;

    /** For the error message when no rule matches: the furthest token reached, and what was expected there. */
    private int furthest = -1;
    private final Set<String> expected = new LinkedHashSet<>();

    /**
     * @param tokens  the program's tokens, ending with an END token
     * @param tree    where the nodes are recorded
     * @param program the region the finished statements are merged into
     * @param scratch the region each statement attempt allocates in; empty, of the same kind as
     *                {@code program}
     */
    Parser(List<Token> tokens, SyntaxTree tree, Region program, Region scratch) {
        this.tokens = tokens;
        this.tree = tree;
        this.program = program;
        this.scratch = scratch;
        this.blocks = new BlockLinker(tree);
        this.statementRules = List.of(
                new Rule("print", this::print),
                new Rule("let", this::let),
                new Rule("if-line", () -> conditional("if", Node.Kind.IF, false)),
                new Rule("if-block", () -> conditional("if", Node.Kind.IF, true)),
                new Rule("while-line", () -> conditional("while", Node.Kind.WHILE, false)),
                new Rule("while-block", () -> conditional("while", Node.Kind.WHILE, true)),
                new Rule("else", this::elseBlock),
                new Rule("end", this::endBlock),
                new Rule("assign", this::assign),
                new Rule("update", this::update));
    }

    /**
     * Parses the whole program.
     *
     * @throws ScriptException if a statement matches no rule, or the blocks do not nest
     */
    ParsedProgram parse() {
        while (peek().kind() != Token.Kind.END) {
            int index = statements.size();
            int id = statement();
            statements.add(id);
            blocks.link(index, id);
        }
        blocks.checkAllClosed();
        return new ParsedProgram(statements.stream().mapToInt(Integer::intValue).toArray(),
                List.copyOf(variables.keySet()), counters.stats(statements.size()));
    }

    // ---------------------------------------------------------------- statement level: reset or merge

    /** Tries every statement rule in order; merges the first that matches, resets after each that fails. */
    private int statement() {
        furthest = -1;
        expected.clear();
        int start = pos;
        int mark = tree.size();
        for (Rule rule : statementRules) {
            counters.ruleTried();
            int id = rule.parse().getAsInt();
            if (id != FAIL) {
                program.merge(scratch);
                counters.merged();
                return id;
            }
            counters.ruleFailed(scratch.stats());
            scratch.reset();
            tree.dropFrom(mark);
            pos = start;
        }
        throw syntaxError();
    }

    // ---------------------------------------------------------------- statement rules

    private int print() {
        int line = peek().line();
        if (!accept("print")) {
            return FAIL;
        }
        List<Integer> items = new ArrayList<>();
        do {
            int item = firstOf(this::stringLiteral, this::expression);
            if (item == FAIL) {
                return FAIL;
            }
            items.add(item);
        } while (accept(","));
        if (!accept(";")) {
            return FAIL;
        }
        int next = Node.NONE;
        for (int i = items.size() - 1; i >= 0; i--) {
            next = node(Node.Kind.ARGUMENT, 0, 0, items.get(i), next, line);
        }
        return node(Node.Kind.PRINT, 0, 0, next, Node.NONE, line);
    }

    private int let() {
        int line = peek().line();
        if (!accept("let")) {
            return FAIL;
        }
        return assignment(Node.Kind.LET, line);
    }

    private int assign() {
        return assignment(Node.Kind.ASSIGN, peek().line());
    }

    /** NAME '=' expression ';' (after 'let' for a LET). */
    private int assignment(Node.Kind kind, int line) {
        int target = variable();
        if (target == FAIL || !accept("=")) {
            return FAIL;
        }
        int value = expression();
        if (value == FAIL || !accept(";")) {
            return FAIL;
        }
        return node(kind, 0, 0, target, value, line);
    }

    private int update() {
        int line = peek().line();
        int target = variable();
        if (target == FAIL) {
            return FAIL;
        }
        Token t = peek();
        Operator op = t.kind() == Token.Kind.SYMBOL && t.text().length() == 2 && t.text().endsWith("=")
                ? Operator.of(t.text()) : null;
        if (op == null || op.isComparison()) {
            note("'+=', '-=', '*=', '/=' or '%='");
            return FAIL;
        }
        pos++;
        int value = expression();
        if (value == FAIL || !accept(";")) {
            return FAIL;
        }
        return node(Node.Kind.UPDATE, op.ordinal(), 0, target, value, line);
    }

    /** 'if' or 'while', then '(' expression ')', then '{' (block form) or a simple statement (one-line form). */
    private int conditional(String keyword, Node.Kind kind, boolean block) {
        int line = peek().line();
        if (!accept(keyword) || !accept("(")) {
            return FAIL;
        }
        int condition = expression();
        if (condition == FAIL || !accept(")")) {
            return FAIL;
        }
        int body;
        if (block) {
            if (!accept("{")) {
                return FAIL;
            }
            body = Node.NONE;
        } else {
            body = firstOf(this::print, this::let, this::assign, this::update);
            if (body == FAIL) {
                return FAIL;
            }
        }
        return node(kind, 0, 0, condition, body, line);
    }

    private int elseBlock() {
        int line = peek().line();
        if (!accept("}") || !accept("else") || !accept("{")) {
            return FAIL;
        }
        return node(Node.Kind.ELSE, 0, 0, Node.NONE, Node.NONE, line);
    }

    private int endBlock() {
        int line = peek().line();
        if (!accept("}")) {
            return FAIL;
        }
        return node(Node.Kind.END, 0, 0, Node.NONE, Node.NONE, line);
    }

    // ---------------------------------------------------------------- inside a statement: free on failure

    /**
     * Tries alternatives in order inside a statement. A failed one may have allocated pieces in
     * the scratch region, next to pieces of this statement that must stay: they are freed one by
     * one, and the position is restored.
     */
    private int firstOf(IntSupplier... alternatives) {
        int start = pos;
        int mark = tree.size();
        for (IntSupplier alternative : alternatives) {
            int id = alternative.getAsInt();
            if (id != FAIL) {
                return id;
            }
            counters.innerFailed(tree.freeFrom(scratch, mark));
            pos = start;
        }
        return FAIL;
    }

    private int expression() {
        if (++depth > MAX_DEPTH) {
            Token t = peek();
            throw new ScriptException("syntax error", t.line(), t.column(), "expression nested too deeply");
        }
        try {
            int left = sum();
            if (left == FAIL) {
                return FAIL;
            }
            Token t = peek();
            Operator op = t.kind() == Token.Kind.SYMBOL ? Operator.of(t.text()) : null;
            if (op == null || !op.isComparison()) {
                return left;
            }
            pos++;
            int right = sum();
            return right == FAIL ? FAIL : node(Node.Kind.BINARY, op.ordinal(), 0, left, right, t.line());
        } finally {
            depth--;
        }
    }

    private int sum() {
        return binaryChain(this::term, "+", "-");
    }

    private int term() {
        return binaryChain(this::unary, "*", "/", "%");
    }

    /** operand (op operand)*, left-associative. */
    private int binaryChain(IntSupplier operand, String... symbols) {
        int left = operand.getAsInt();
        while (left != FAIL) {
            Token t = peek();
            String symbol = null;
            for (String s : symbols) {
                if (t.is(s)) {
                    symbol = s;
                }
            }
            if (symbol == null) {
                return left;
            }
            pos++;
            int right = operand.getAsInt();
            if (right == FAIL) {
                return FAIL;
            }
            left = node(Node.Kind.BINARY, Operator.of(symbol).ordinal(), 0, left, right, t.line());
        }
        return FAIL;
    }

    private int unary() {
        return firstOf(this::negation, this::number, this::variable, this::parenthesized);
    }

    private int negation() {
        int line = peek().line();
        if (!accept("-")) {
            return FAIL;
        }
        if (++depth > MAX_DEPTH) {
            Token t = peek();
            throw new ScriptException("syntax error", t.line(), t.column(), "expression nested too deeply");
        }
        try {
            int operand = unary();
            return operand == FAIL ? FAIL : node(Node.Kind.NEGATE, 0, 0, operand, Node.NONE, line);
        } finally {
            depth--;
        }
    }

    private int number() {
        Token t = peek();
        if (t.kind() != Token.Kind.NUMBER) {
            note("a number");
            return FAIL;
        }
        pos++;
        return node(Node.Kind.NUMBER, 0, t.number(), Node.NONE, Node.NONE, t.line());
    }

    private int variable() {
        Token t = peek();
        if (t.kind() != Token.Kind.NAME || KEYWORDS.contains(t.text())) {
            note("a name");
            return FAIL;
        }
        pos++;
        int slot = variables.computeIfAbsent(t.text(), name -> variables.size());
        return node(Node.Kind.VARIABLE, 0, slot, Node.NONE, Node.NONE, t.line());
    }

    private int parenthesized() {
        if (!accept("(")) {
            return FAIL;
        }
        int inner = expression();
        return inner == FAIL || !accept(")") ? FAIL : inner;
    }

    private int stringLiteral() {
        Token t = peek();
        if (t.kind() != Token.Kind.STRING) {
            note("a \"string\"");
            return FAIL;
        }
        pos++;
        int text = tree.addString(scratch, t.text());
        return node(Node.Kind.STRING, 0, text, Node.NONE, Node.NONE, t.line());
    }

    // ---------------------------------------------------------------- tokens and errors

    private Token peek() {
        return tokens.get(pos);
    }

    private boolean accept(String symbol) {
        if (peek().is(symbol)) {
            pos++;
            return true;
        }
        note("'" + symbol + "'");
        return false;
    }

    private int node(Node.Kind kind, int op, long value, int left, int right, int line) {
        return tree.addNode(scratch, kind, op, value, left, right, line);
    }

    /** Records that {@code what} was expected at the current token, for the error if nothing matches. */
    private void note(String what) {
        if (pos > furthest) {
            furthest = pos;
            expected.clear();
        }
        if (pos == furthest) {
            expected.add(what);
        }
    }

    private ScriptException syntaxError() {
        Token found = tokens.get(Math.max(furthest, 0));
        List<String> what = new ArrayList<>(expected);
        String list = what.size() == 1 ? what.get(0)
                : String.join(", ", what.subList(0, what.size() - 1)) + " or " + what.get(what.size() - 1);
        return new ScriptException("syntax error", found.line(), found.column(),
                "expected " + list + " but found " + found.describe());
    }
}
