package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.Tune;
import dev.kinglet.dsl.TuneRange;
import dev.kinglet.natives.Device;
import dev.kinglet.train.Callback;
import dev.kinglet.train.Event;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/** Tuned runs on the Fashion-MNIST subset: the search's files, the final job trained with the best configuration, resume, parallel trials. */
class TuneRunTest {
    @TempDir Path tmp;

    Recipe recipe(String name, Tune tune) {
        Map<String, TuneRange> space = new LinkedHashMap<>();
        space.put("train.optimizer.lr", TuneRange.logUniform(1e-3, 3e-2));
        space.put("train.batchSize", TuneRange.choice(16, 64));
        return TestData.fashionRecipe(2, 32, 3).withName(name).withTune(tune == null ? Tune.of(space).withBudget(3, 2, 1, 2) : tune);
    }

    Runner.Options options(ByteArrayOutputStream bytes, List<Callback> extra) {
        return Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2).withCallbacks(extra);
    }

    @Test
    void aTunedRunSearchesOnTrainingDataThenTrainsItsJobWithTheBest() throws Exception {
        List<Integer> jobSteps = new ArrayList<>();
        Callback steps = (event, state) -> {
            if (event == Event.BEFORE_FIT) jobSteps.add(state.stepsPerEpoch());
        };
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = Runner.run(recipe("tuned-run", null), options(bytes, List.of(steps)));
        String out = bytes.toString();
        assertThat(result.failed()).as(out).isEmpty();
        Path dir = result.runDir().resolve("tune/base/all");
        List<String> lines = Files.readAllLines(dir.resolve("trials.jsonl"));
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            JsonNode t = Json.LINE.readTree(line);
            assertThat(t.get("config").propertyNames()).containsExactly("train.optimizer.lr", "train.batchSize");
            assertThat(t.get("curve").size()).isEqualTo(t.get("epochs").asInt()).isBetween(1, 2);
            assertThat(t.get("state").asString()).isIn("finished", "stopped");
            assertThat(t.get("curve").get(0).get("accuracy").asDouble()).isBetween(0.0, 1.0);
        }
        JsonNode best = Json.PRETTY.readTree(dir.resolve("best.json").toFile());
        int batch = best.get("config").get("train.batchSize").asInt();
        assertThat(batch).isIn(16, 64);
        // 800 labelled images (at most 2,000): 5-fold cross-validation scores the trials, every image validated once
        int labelled = best.get("validationImages").asInt();
        assertThat(best.get("folds").asInt()).isEqualTo(5);
        assertThat(best.get("trainImages").asInt()).isEqualTo(labelled * 4 / 5);
        assertThat(best.get("scoredBy").asString()).startsWith("5-fold cross-validation on the " + labelled + " labelled images");
        assertThat(out).contains("scored by 5-fold cross-validation");
        assertThat(best.get("endedBy").asString()).isEqualTo("trials");
        // the one job trained (callbacks reach jobs, not trials) on train + validation of the search, in batches of the best size
        assertThat(out).contains("job base.all.f0.s0.m0: " + labelled + " training");
        assertThat(jobSteps).containsExactly((labelled + batch - 2) / batch);
        JsonNode results = Json.PRETTY.readTree(result.runDir().resolve("results.json").toFile());
        assertThat(results.get("tuning").get("searches").get(0).get("config")).isEqualTo(best.get("config"));
        assertThat(out).contains("tune base@all: best trial");
        String html = Files.readString(result.runDir().resolve("report.html"));
        assertThat(html).contains("Hyper-parameter search", "base/all", "Chosen:", "alt=\"search curves\"");

        // a search killed before its end: best.json not yet written, its last trial's line lost
        Files.delete(dir.resolve("best.json"));
        Files.write(dir.resolve("trials.jsonl"), lines.subList(0, 2));
        var again = new ByteArrayOutputStream();
        Runner.resume(result.runDir(), options(again, List.of()));
        String resumed = again.toString();
        assertThat(resumed).contains("tune base@all: 2 trial(s) ended in an earlier session, kept").contains("trial 3/3")
                .doesNotContain("trial 1/3").doesNotContain("trial 2/3");
        assertThat(Files.readAllLines(dir.resolve("trials.jsonl"))).hasSize(3).startsWith(lines.get(0), lines.get(1));
        JsonNode rebest = Json.PRETTY.readTree(dir.resolve("best.json").toFile());
        assertThat(rebest.get("config")).isEqualTo(best.get("config"));
        // with best.json present, a resume does not search again
        var third = new ByteArrayOutputStream();
        Runner.resume(result.runDir(), options(third, List.of()));
        assertThat(third.toString()).contains("already searched, best kept").doesNotContain("trial 1/3");
    }

    @Test
    void trialsTrainInParallelOnTwoWorkers() throws Exception {
        Tune tune = Tune.of(Map.of("train.optimizer.lr", TuneRange.logUniform(1e-3, 1e-2))).withBudget(2, 1, 1, 2).withWorkers(2).withFolds(1);
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = Runner.run(recipe("tuned-parallel", tune), options(bytes, List.of()));
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        List<String> lines = Files.readAllLines(result.runDir().resolve("tune/base/all/trials.jsonl"));
        assertThat(lines).hasSize(2);
        JsonNode best = Json.PRETTY.readTree(result.runDir().resolve("tune/base/all/best.json").toFile());
        assertThat(best.get("validationImages").asInt()).as("tune.folds 1: the tune.validation share").isEqualTo((best.get("trainImages").asInt() + best.get("validationImages").asInt()) / 5);
        for (String line : lines) {
            JsonNode t = Json.LINE.readTree(line);
            assertThat(t.get("state").asString()).as(line).isEqualTo("finished");
            assertThat(t.get("value").asDouble()).as("well above chance (0.1) after one epoch").isGreaterThan(0.3);
        }
    }

    @Test
    void aBestTrialWithinOneValidationImageOfTheRunnerUpIsWarnedAbout() {
        Tune tune = Tune.of(Map.of("train.optimizer.lr", TuneRange.logUniform(1e-3, 1e-2)));
        var a = new dev.kinglet.tune.Search.TrialRecord(0, Map.of(), List.of(), 3, 1, "finished", 0.70, null, 1, 1);
        var b = new dev.kinglet.tune.Search.TrialRecord(1, Map.of(), List.of(), 3, 1, "finished", 0.66, null, 1, 2);
        var shorter = new dev.kinglet.tune.Search.TrialRecord(2, Map.of(), List.of(), 1, 0, "stopped", 0.695, null, 1, 3);
        assertThat(Tuning.closeCall(List.of(a, b, shorter), a, tune, 20)).as("0.04 is almost one of 20 images (0.05)").contains("less than one of the 20 validation images");
        assertThat(Tuning.closeCall(List.of(a, b, shorter), a, tune, 100)).as("4 images apart of 100").isNull();
        assertThat(Tuning.closeCall(List.of(a), a, tune, 20)).isNull();
        assertThat(Tuning.closeCall(List.of(a, b), a, tune.withMetric("loss"), 20)).isNull();
    }
}
