package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.FixMatch;
import dev.kinglet.dsl.MixUp;
import dev.kinglet.dsl.PerClass;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.natives.Device;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/** FixMatch on the Fashion-MNIST subset: the recipe section, a run's counts and report, the strong view's size. */
class FixMatchTest {
    @TempDir Path tmp;

    static Recipe recipe(FixMatch f, int epochs) {
        Recipe r = TestData.fashionRecipe(epochs, 32, 5).withName("fixmatch");
        return r.withData(r.data().withSubset(new PerClass(10))).withSemiSupervised(f);
    }

    @Test
    void theSectionHasThePapersDefaultsAndRefusesWhatCannotWork() {
        Recipe r = RecipeIo.fromJson("{\"name\": \"x\", \"data\": {\"source\": {\"type\": \"idx\", \"dir\": \"d\"}}, \"semiSupervised\": {\"type\": \"fixMatch\"}}", "x.json");
        FixMatch f = (FixMatch) r.semiSupervised();
        assertThat(f.threshold()).isEqualTo(0.95);
        assertThat(f.ratio()).isEqualTo(7);
        assertThat(f.weight()).isEqualTo(1.0);
        assertThat(f.ema()).isEqualTo(0.999);
        assertThat(f.strong()).hasSize(2).first().isInstanceOf(AugmentOp.RandAugment.class);
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(r), "again.json")).isEqualTo(r);
        assertThatThrownBy(() -> new FixMatch(1.5, null, null, null, null, null, null)).isInstanceOf(RecipeException.class).hasMessageContaining("semiSupervised.threshold");
        assertThatThrownBy(() -> new FixMatch(null, 0, null, null, null, null, null)).hasMessageContaining("semiSupervised.ratio").hasMessageContaining("1..32");
        assertThatThrownBy(() -> new FixMatch(null, null, -1.0, null, null, null, null)).hasMessageContaining("semiSupervised.weight");
        assertThatThrownBy(() -> new FixMatch(null, null, null, null, null, null, 1.0)).hasMessageContaining("semiSupervised.ema");
        assertThatThrownBy(() -> new FixMatch(null, null, null, List.of(new MixUp(0.4, null)), null, null, null))
                .hasMessageContaining("semiSupervised.strong[0]").hasMessageContaining("per-image ops");
    }

    @Test
    void aRunTrainsOnUnlabelledBatchesEveryStepCountsThePseudoLabelsAndTestsTheEma() throws Exception {
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2);
        Runner.Result result = Runner.run(recipe(new FixMatch(0.5, 2, null, null, null, 500, null), 3), options);
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        Path job = result.runDir().resolve("jobs").resolve(result.jobs().get(0).id());
        JsonNode details = Json.PRETTY.readTree(job.resolve("results.json").toFile());
        JsonNode semi = details.get("semiSupervised");
        assertThat(semi.get("type").asString()).isEqualTo("fixMatch");
        assertThat(semi.get("poolImages").asInt()).as("the pool cap: 500 of the training part's other images").isEqualTo(500);
        // 100 labelled images, batch 32: 4 steps per epoch (the last of 4 images), 3 epochs; 64 unlabelled images per step
        JsonNode fit = semi.get("fit");
        assertThat(fit.get("unlabelledImages").asLong()).as(bytes.toString()).isEqualTo(12 * 64);
        long taken = fit.get("pseudoLabels").asLong();
        assertThat(taken).isBetween(1L, 12 * 64L);
        assertThat(fit.get("rate").asDouble()).isEqualTo(taken / (12 * 64.0));
        assertThat(fit.get("accuracy").asDouble()).as("the pool's true labels are known").isBetween(0.0, 1.0);
        assertThat(semi.get("lastEpoch").get("unlabelledImages").asLong()).isEqualTo(4 * 64);
        assertThat(details.get("trainImages").asInt()).isEqualTo(100);
        assertThat(details.get("ema").get("decay").asDouble()).as("FixMatch tests the weights' EMA").isEqualTo(0.999);
        assertThat(details.get("ema").get("warmup").asString()).contains("(1 + step) / (10 + step)");
        List<String> metrics = Files.readAllLines(job.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(3);
        assertThat(Json.PRETTY.readTree(metrics.get(2)).get("unlabelledImages").asLong()).isEqualTo(4 * 64);
        assertThat(bytes.toString()).contains("FixMatch on 500 training images outside the labelled subset").contains("64 per step (ratio 2)")
                .contains("unlabelled images passed 0.50");

        JsonNode top = Json.PRETTY.readTree(result.runDir().resolve("results.json").toFile());
        JsonNode row = top.get("jobs").get(0).get("pseudoLabels");
        assertThat(row.get("method").asString()).isEqualTo("fixMatch");
        assertThat(row.get("pseudoLabels").asLong()).isEqualTo(taken);
        assertThat(row.get("teacherTestAccuracy").isNull()).isTrue();
        assertThat(Files.readString(result.runDir().resolve("report.html"))).contains("unlabelled draws").contains("– (FixMatch)");
    }

    @Test
    void aStrongViewThatChangesTheSizeIsRefusedWithItsPath() throws Exception {
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2);
        Recipe r = recipe(new FixMatch(null, 1, null, List.of(new AugmentOp.Resize(List.of(20, 20))), null, 100, null), 1);
        Runner.Result result = Runner.run(r, options);
        assertThat(result.failed()).hasSize(1);
        assertThat(bytes.toString()).contains("semiSupervised.strong").contains("ends at 20x20 but augment.train at 28x28");
    }
}
