package dev.regions;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@link Region} is one Regions built: the interface is sealed, so a merge or a template can
 * never be a look-alike that would let foreign memory or foreign rules into a region.
 */
class SealedContractTest {

    @Test
    void regionIsSealedSoNoOtherCodeCanImplementIt() {
        assertThat(Region.class.isSealed()).isTrue();
        for (Class<?> permitted : Region.class.getPermittedSubclasses()) {
            assertThat(permitted.getModule()).isEqualTo(Region.class.getModule());
            assertThat(permitted.getPackageName()).startsWith("dev.regions.internal");
        }
    }
}
