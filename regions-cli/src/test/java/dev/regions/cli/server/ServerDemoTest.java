package dev.regions.cli.server;

import dev.regions.cli.Report;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server demo without its printing: every response is right, the shared cache both hits and
 * evicts, and the global figures return to their start. The subcommand's output is
 * {@code ServerDemoCommandTest}'s.
 */
class ServerDemoTest {

    @Test
    void servesEveryRequestCorrectlyAndGlobalLiveBytesReturnToTheStart() throws InterruptedException {
        ServerDemo.Result r = ServerDemo.run(3, 3_000, 64, 300);
        RequestHandler.Tally t = r.tally();
        assertThat(t.served).isEqualTo(3_000);
        assertThat(t.malformed).isZero();
        assertThat(t.wrong).isZero();
        assertThat(t.hits + t.misses).isEqualTo(3_000);
        assertThat(t.hits).isPositive();
        assertThat(r.evictions()).isPositive();
        // the cache region holds one value per filled slot, plus the key table
        assertThat(r.cache().liveCount()).isBetween(2L, 65L);
        assertThat(r.cache().frees()).isEqualTo(r.evictions());
        assertThat(r.globalPeakLive()).isGreaterThan(r.globalCacheOnly().liveBytes() - 1);
        assertThat(r.globalCacheOnly().liveBytes() - r.globalBefore().liveBytes()).isEqualTo(r.cache().liveBytes());
        assertThat(r.globalAfter().liveBytes()).isEqualTo(r.globalBefore().liveBytes());
        assertThat(r.globalAfter().liveCount()).isEqualTo(r.globalBefore().liveCount());
        assertThat(r.globalAfter().grossBytes()).isEqualTo(r.globalBefore().grossBytes());
        // Regions.report() once the requests were done: the cache, every request region closed
        assertThat(r.openRegions()).containsPattern("\\ncache +shared +"
                + Report.count(r.cache().liveBytes()).replace(",", "\\,") + " +[\\d,]+ +[\\d,]+ +"
                + Report.count(r.cache().liveCount()) + " +none\\n");
        assertThat(r.openRegions()).contains("total: 1 regions");
    }

    @Test
    void aSingleThreadAndASingleSlotWork() throws InterruptedException {
        ServerDemo.Result r = ServerDemo.run(1, 200, 1, 10);
        assertThat(r.tally().wrong).isZero();
        assertThat(r.tally().served).isEqualTo(200);
        assertThat(r.globalAfter().liveBytes()).isEqualTo(r.globalBefore().liveBytes());
    }
}
