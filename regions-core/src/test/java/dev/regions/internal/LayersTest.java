package dev.regions.internal;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The engine's layers, as DESIGN.md draws them: dependencies run one way, from the region down to
 * the ledgers, so that each layer can be read (and changed) knowing only the ones below it. A
 * class that reaches up, or two packages that reach each other, fail this test.
 */
@AnalyzeClasses(packages = "dev.regions", importOptions = ImportOption.DoNotIncludeTests.class)
class LayersTest {

    @ArchTest
    static final ArchRule dependenciesRunDownward = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("contract").definedBy("dev.regions", "dev.regions.management")
            .layer("engine").definedBy("dev.regions.internal")
            .layer("monitor").definedBy("dev.regions.internal.monitor")
            .layer("region").definedBy("dev.regions.internal.region")
            .layer("checked").definedBy("dev.regions.internal.checked")
            .layer("lane").definedBy("dev.regions.internal.lane")
            .layer("block").definedBy("dev.regions.internal.block")
            .layer("source").definedBy("dev.regions.internal.source")
            .layer("event").definedBy("dev.regions.internal.event")
            .layer("stats").definedBy("dev.regions.internal.stats")
            .layer("util").definedBy("dev.regions.internal.util")
            // the contract's one door is Engine; Region.Builder makes the lane's Settings
            .whereLayer("contract").mayOnlyAccessLayers("engine", "lane")
            .whereLayer("engine").mayOnlyAccessLayers("contract", "monitor", "region", "checked", "lane", "block",
                    "source", "event", "stats", "util")
            .whereLayer("monitor").mayOnlyAccessLayers("contract", "region", "event", "stats", "util")
            .whereLayer("region").mayOnlyAccessLayers("contract", "checked", "lane", "block", "source", "event",
                    "stats", "util")
            .whereLayer("checked").mayOnlyAccessLayers("contract", "lane", "block", "event", "stats", "util")
            .whereLayer("lane").mayOnlyAccessLayers("contract", "block", "source", "event", "stats", "util")
            .whereLayer("block").mayOnlyAccessLayers("contract", "stats", "util")
            .whereLayer("source").mayOnlyAccessLayers("contract", "event", "stats", "util")
            .whereLayer("event").mayOnlyAccessLayers("contract", "stats", "util")
            .whereLayer("stats").mayOnlyAccessLayers("contract", "util")
            .whereLayer("util").mayOnlyAccessLayers("contract");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.regions.internal.(*)..").should().beFreeOfCycles();
}
