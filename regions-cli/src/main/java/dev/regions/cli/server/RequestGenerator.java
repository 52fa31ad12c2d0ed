package dev.regions.cli.server;

import java.util.SplittableRandom;

/**
 * Makes the server demo's requests: query strings such as
 * {@code GET /quote?item=42&qty=3&cur=EUR&session=9f3c...}. Items are skewed (a few are popular,
 * most are rare) so that the cache both hits and evicts. Each worker has its own generator,
 * seeded, so a run is repeatable.
 */
final class RequestGenerator {
    private final SplittableRandom random;
    private final int items;

    RequestGenerator(long seed, int items) {
        this.random = new SplittableRandom(seed);
        this.items = items;
    }

    String next() {
        double u = random.nextDouble();
        double u3 = u * u * u;
        int item = (int) (items * u3 * u3); // skewed: 3 requests in 5 ask for one of the top 5% of items
        int qty = 1 + random.nextInt(9);
        String currency = RequestHandler.CURRENCIES[random.nextInt(RequestHandler.CURRENCIES.length)];
        return "GET /quote?item=" + item + "&qty=" + qty + "&cur=" + currency
                + "&session=" + Long.toHexString(random.nextLong());
    }
}
