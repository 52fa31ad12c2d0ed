package dev.regions.cli.server;

import dev.regions.Region;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Serves one request of the server demo, the way the original's ad server did: everything the
 * request needs is allocated in its own confined region, and closing the region at the end
 * (try-with-resources) releases all of it at once, whatever path the request took.
 *
 * <p>A request is a query string ({@code GET /quote?item=42&qty=3&cur=EUR&session=...}). The
 * handler copies it off-heap, cuts it into an off-heap array of fields, looks the quote for
 * (item, currency) up in the shared {@link ResponseCache} (computing and caching it on a miss),
 * checks that the quote is the one asked for, and writes the response into an off-heap buffer.
 *
 * <p>A cached quote is a small off-heap record:
 * <pre>
 * offset 0                8
 *        +----------------+---------------------------------------------+
 *        | unit price (¢) | text: "item 42: blue gizmo, 7 kg, 12.34 EUR" |
 *        +----------------+---------------------------------------------+
 * </pre>
 */
final class RequestHandler {
    static final String[] CURRENCIES = {"EUR", "USD", "GBP"};
    private static final long[] RATE_PERCENT = {100, 108, 86};
    private static final String[] PRODUCTS = {"widget", "gizmo", "sprocket", "gadget", "flange", "grommet"};
    private static final String[] COLOURS = {"red", "blue", "green", "black", "silver"};

    /** One field of the query string ({@code name=value}): where it starts and how long it is. */
    private static final StructLayout FIELD = MemoryLayout.structLayout(
            JAVA_INT.withName("start"), JAVA_INT.withName("length"));
    private static final VarHandle FIELD_START = FIELD.arrayElementVarHandle(groupElement("start"));
    private static final VarHandle FIELD_LENGTH = FIELD.arrayElementVarHandle(groupElement("length"));
    private static final int MAX_FIELDS = 16;
    private static final int RESPONSE_CAPACITY = 256;
    /** Rounds of mixing that stand for the expensive lookup a cache hit saves. */
    private static final int PRICE_WORK = 2_000;

    /** What one worker's requests came to. */
    static final class Tally {
        long served;
        long hits;
        long misses;
        long wrong;
        long malformed;
        long responseBytes;
        long checksum;

        void add(Tally other) {
            served += other.served;
            hits += other.hits;
            misses += other.misses;
            wrong += other.wrong;
            malformed += other.malformed;
            responseBytes += other.responseBytes;
            checksum += other.checksum;
        }
    }

    private final ResponseCache cache;

    RequestHandler(ResponseCache cache) {
        this.cache = cache;
    }

    /** Serves {@code request} in a region of its own, counting the outcome in {@code tally}. */
    void handle(String request, Tally tally) {
        tally.served++;
        try (Region region = Region.ofConfined()) {
            MemorySegment text = region.allocateFrom(request);
            int length = (int) text.byteSize() - 1; // without the NUL
            MemorySegment fields = region.allocate(FIELD, MAX_FIELDS);
            int count = split(text, length, fields);

            long item = -1;
            long qty = -1;
            int currency = -1;
            for (int i = 0; i < count; i++) {
                int start = (int) FIELD_START.get(fields, 0L, (long) i);
                int end = start + (int) FIELD_LENGTH.get(fields, 0L, (long) i);
                int eq = indexOf(text, start, end, '=');
                if (eq < 0) {
                    continue;
                }
                if (equals(text, start, eq, "item")) {
                    item = number(text, eq + 1, end);
                } else if (equals(text, start, eq, "qty")) {
                    qty = number(text, eq + 1, end);
                } else if (equals(text, start, eq, "cur")) {
                    currency = currency(text, eq + 1, end);
                }
            }
            if (item < 0 || qty < 1 || currency < 0) {
                tally.malformed++;
                return;
            }

            long key = item * CURRENCIES.length + currency;
            MemorySegment quote = cache.get(key, region);
            if (quote == null) {
                quote = quote(region, item, currency);
                cache.put(key, quote);
                tally.misses++;
            } else {
                tally.hits++;
            }
            MemorySegment description = quote.asSlice(8);
            if (!isQuoteFor(description, item, currency)) {
                tally.wrong++;
            }

            TextBuffer response = new TextBuffer(region.allocate(RESPONSE_CAPACITY));
            response.append("200 OK ").append(description).append(" x ").append(qty).append(" = ")
                    .appendMoney(quote.get(JAVA_LONG, 0) * qty).append(" ").append(CURRENCIES[currency]);
            MemorySegment bytes = response.written();
            tally.responseBytes += bytes.byteSize();
            tally.checksum += checksum(bytes);
        }
    }

    /** A checksum of the response, standing for sending it: reads every byte, eight at a time. */
    private static long checksum(MemorySegment bytes) {
        long sum = 0;
        long i = 0;
        for (; i + 8 <= bytes.byteSize(); i += 8) {
            sum = sum * 31 + bytes.get(JAVA_LONG_UNALIGNED, i);
        }
        for (; i < bytes.byteSize(); i++) {
            sum = sum * 31 + bytes.get(JAVA_BYTE, i);
        }
        return sum;
    }

    /** Cuts the query (after '?') at each '&' into {@code fields}; returns how many. */
    private static int split(MemorySegment text, int length, MemorySegment fields) {
        int start = indexOf(text, 0, length, '?') + 1;
        if (start == 0) {
            return 0;
        }
        int count = 0;
        while (start <= length && count < MAX_FIELDS) {
            int end = indexOf(text, start, length, '&');
            if (end < 0) {
                end = length;
            }
            FIELD_START.set(fields, 0L, (long) count, start);
            FIELD_LENGTH.set(fields, 0L, (long) count, end - start);
            count++;
            start = end + 1;
        }
        return count;
    }

    /** Builds the quote for (item, currency) in {@code region}: the slow path a cache hit skips. */
    private static MemorySegment quote(Region region, long item, int currency) {
        long h = item + 1;
        for (int i = 0; i < PRICE_WORK; i++) {
            h ^= h << 13;
            h ^= h >>> 7;
            h ^= h << 17;
        }
        long cents = (100 + Long.remainderUnsigned(h, 9_900)) * RATE_PERCENT[currency] / 100;
        int variant = (int) Long.remainderUnsigned(h >>> 20, PRODUCTS.length * COLOURS.length);
        MemorySegment quote = region.allocate(128);
        quote.set(JAVA_LONG, 0, cents);
        MemorySegment text = new TextBuffer(quote.asSlice(8))
                .append("item ").append(item).append(": ")
                .append(COLOURS[variant % COLOURS.length]).append(" ").append(PRODUCTS[variant / COLOURS.length])
                .append(", ").append(1 + Long.remainderUnsigned(h >>> 40, 20)).append(" kg, ")
                .appendMoney(cents).append(" ").append(CURRENCIES[currency])
                .written();
        return quote.asSlice(0, 8 + text.byteSize());
    }

    /** Whether the description names this item and currency: a mixed-up cache would fail this. */
    private static boolean isQuoteFor(MemorySegment description, long item, int currency) {
        String prefix = "item " + item + ": ";
        String suffix = " " + CURRENCIES[currency];
        int length = (int) description.byteSize();
        return length >= prefix.length() + suffix.length()
                && equals(description, 0, prefix.length(), prefix)
                && equals(description, length - suffix.length(), length, suffix);
    }

    private static int indexOf(MemorySegment text, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (text.get(JAVA_BYTE, i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean equals(MemorySegment text, int from, int to, String s) {
        return to - from == s.length() && MemorySegment.mismatch(text, from, to,
                MemorySegment.ofArray(s.getBytes(StandardCharsets.ISO_8859_1)), 0, s.length()) < 0;
    }

    /** A decimal number of up to 9 digits, or -1. */
    private static long number(MemorySegment text, int from, int to) {
        if (from >= to || to - from > 9) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            byte b = text.get(JAVA_BYTE, i);
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }

    private static int currency(MemorySegment text, int from, int to) {
        for (int c = 0; c < CURRENCIES.length; c++) {
            if (equals(text, from, to, CURRENCIES[c])) {
                return c;
            }
        }
        return -1;
    }
}
