package dev.regions.cli.interpreter;

/**
 * The binary operators of the demo language, with their symbols and what they compute on 64-bit
 * integers. Comparisons give 1 or 0. A node stores an operator as its ordinal (see {@link Node}).
 */
enum Operator {
    ADD("+"), SUBTRACT("-"), MULTIPLY("*"), DIVIDE("/"), REMAINDER("%"),
    LESS("<"), LESS_OR_EQUAL("<="), GREATER(">"), GREATER_OR_EQUAL(">="), EQUAL("=="), NOT_EQUAL("!=");

    private static final Operator[] ALL = values();

    final String symbol;

    Operator(String symbol) {
        this.symbol = symbol;
    }

    static Operator ofOrdinal(int ordinal) {
        return ALL[ordinal];
    }

    /** The operator a token stands for, or null; {@code +=} and its kin stand for their operator. */
    static Operator of(String symbol) {
        String plain = symbol.length() == 2 && symbol.charAt(1) == '=' && "+-*/%".indexOf(symbol.charAt(0)) >= 0
                ? symbol.substring(0, 1) : symbol;
        for (Operator op : ALL) {
            if (op.symbol.equals(plain)) {
                return op;
            }
        }
        return null;
    }

    boolean isComparison() {
        return ordinal() >= LESS.ordinal();
    }

    /**
     * @throws ArithmeticException on a division or remainder by zero
     */
    long apply(long a, long b) {
        return switch (this) {
            case ADD -> a + b;
            case SUBTRACT -> a - b;
            case MULTIPLY -> a * b;
            case DIVIDE -> a / b;
            case REMAINDER -> a % b;
            case LESS -> a < b ? 1 : 0;
            case LESS_OR_EQUAL -> a <= b ? 1 : 0;
            case GREATER -> a > b ? 1 : 0;
            case GREATER_OR_EQUAL -> a >= b ? 1 : 0;
            case EQUAL -> a == b ? 1 : 0;
            case NOT_EQUAL -> a != b ? 1 : 0;
        };
    }
}
