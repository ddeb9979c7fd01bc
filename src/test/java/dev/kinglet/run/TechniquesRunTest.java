package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.tools.Predict;
import dev.kinglet.TestData;
import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.EarlyStopping;
import dev.kinglet.dsl.Ensemble;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.Schedule;
import dev.kinglet.natives.Device;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/** Whole runs on the Fashion-MNIST subset with a snapshot ensemble (and EMA), and with early stopping. */
class TechniquesRunTest {
    @TempDir Path tmp;

    Runner.Result run(Recipe r, ByteArrayOutputStream bytes) throws Exception {
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2);
        return Runner.run(r, options);
    }

    static Recipe snapshots(int epochs) {
        Recipe r = TestData.fashionRecipe(epochs, 64, 5).withName("snapshot-run");
        return r.withTrain(r.train().withSchedule(new Schedule.CosineRestarts(1, 1, null)).withEma(0.9)).withEnsemble(new Ensemble(1, true));
    }

    @Test
    void snapshotEnsembleKeepsOneMemberPerCycleAndPredictAveragesThem() throws Exception {
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = run(snapshots(3), bytes);
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        Path job = result.runDir().resolve("jobs/base.all.f0.s0.m0");
        for (int k = 1; k <= 3; k++) {
            assertThat(job.resolve("snapshot-" + k + "/model.pth")).isRegularFile();
            assertThat(job.resolve("snapshot-" + k + "/" + Ensembles.PROBABILITIES)).isRegularFile();
        }
        assertThat(Ensembles.members(job)).containsExactly(job.resolve("snapshot-1"), job.resolve("snapshot-2"), job.resolve("snapshot-3"));
        JsonNode details = Json.PRETTY.readTree(job.resolve("results.json").toFile());
        JsonNode ensemble = details.get("snapshotEnsemble").get("ensemble");
        assertThat(ensemble.get("memberAccuracies")).hasSize(3);
        assertThat(ensemble.get("memberAccuracies").get(2).asDouble()).as("the last snapshot is the final model")
                .isEqualTo(details.get("snapshotEnsemble").get("finalModelTestAccuracy").asDouble());
        assertThat(ensemble.get("meanEntropy").asDouble()).isPositive();
        assertThat(ensemble.get("meanDisagreement").asDouble()).isBetween(0.0, 1.0);
        assertThat(details.get("testAccuracy").asDouble()).as("the job's result is its ensemble's")
                .isEqualTo(ensemble.get("accuracy").asDouble()).isEqualTo(result.jobs().get(0).testAccuracy());
        assertThat(details.get("ema").get("decay").asDouble()).isEqualTo(0.9);
        assertThat(Files.readAllLines(job.resolve("per-image.csv"))).hasSize(1001);
        assertThat(bytes.toString()).contains("snapshot ensemble of 3: test accuracy");

        Path csv = tmp.resolve("p.csv");
        var printed = new ByteArrayOutputStream();
        Predict.run(job, List.of(TestData.root().resolve("test-data/folder-mini")), csv, new PrintStream(printed, true));
        assertThat(printed.toString()).contains("averaged over 3 ensemble members");
        assertThat(Files.readAllLines(csv)).hasSize(13);
    }

    @Test
    void snapshotsNeedAWarmRestartScheduleEndingAtACycle() {
        assertThatThrownBy(() -> snapshots(3).withTrain(snapshots(3).train().withSchedule(new Schedule.Constant())))
                .isInstanceOf(RecipeException.class).hasMessageContaining("cosineRestarts");
        Recipe r = snapshots(5);
        Recipe uneven = r.withTrain(r.train().withSchedule(new Schedule.CosineRestarts(2, 2, null)));
        assertThat(Support.check(uneven).errors()).containsExactly(
                "train.epochs: 5 must end a cycle of train.schedule, with at least 2 cycles for ensemble.snapshots; cycles end after epochs [2, 6]");
        assertThat(Support.check(r.withEnsemble(new Ensemble(3, true))).errors()).anySatisfy(e -> assertThat(e).startsWith("ensemble.members: "));
        assertThat(Support.check(r).errors()).isEmpty();
    }

    @Test
    void earlyStoppingStopsAtItsPatienceAndKeepsTheBestEpoch() throws Exception {
        Recipe r = TestData.fashionRecipe(12, 64, 6).withName("early-run");
        r = r.withTrain(r.train().withOptimizer(new Adam(0.02, null)).withSchedule(new Schedule.Constant())
                .withEarlyStopping(new EarlyStopping("accuracy", 2)));
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = run(r, bytes);
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        Path job = result.runDir().resolve("jobs/base.all.f0.s0.m0");
        List<Double> accuracies = new ArrayList<>();
        for (String line : Files.readAllLines(job.resolve("metrics.jsonl"))) accuracies.add(Json.LINE.readTree(line).get("validationAccuracy").asDouble());
        int best = 0;
        for (int e = 1; e < accuracies.size(); e++) if (accuracies.get(e) > accuracies.get(best)) best = e;
        JsonNode early = Json.PRETTY.readTree(job.resolve("results.json").toFile()).get("earlyStopping");
        assertThat(early.get("bestEpoch").asInt()).isEqualTo(best + 1);
        assertThat(early.get("bestValidationAccuracy").asDouble()).isEqualTo(accuracies.get(best));
        assertThat(early.get("stoppedEarly").asBoolean()).as("this seed's validation accuracy stalls within 12 epochs: %s", accuracies).isTrue();
        assertThat(accuracies).as("stopped after patience epochs without a better one").hasSize(best + 1 + 2);
        assertThat(early.get("stoppedAfterEpoch").asInt()).isEqualTo(best + 3);
    }

    @Test
    void earlyStoppingWithoutValidationImagesIsRefused() {
        Recipe r = TestData.fashionRecipe(2, 64, 1);
        Recipe withEarly = r.withTrain(r.train().withEarlyStopping(new EarlyStopping(null, null)));
        assertThatThrownBy(() -> Techniques.attach(withEarly, null, tmp, 0, null, null, false))
                .isInstanceOf(RecipeException.class).hasMessageStartingWith("train.earlyStopping: needs validation images");
    }
}
