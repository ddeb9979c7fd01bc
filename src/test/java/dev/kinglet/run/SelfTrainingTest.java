package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.tools.Check;
import dev.kinglet.TestData;
import dev.kinglet.data.Datasets;
import dev.kinglet.dsl.PerClass;
import dev.kinglet.dsl.PseudoLabel;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.natives.Device;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/** Self-training with pseudo-labels on the Fashion-MNIST subset: what enters the pool, what a threshold takes, resume. */
class SelfTrainingTest {
    @TempDir Path tmp;

    static Recipe recipe(PseudoLabel p) {
        Recipe r = TestData.fashionRecipe(1, 32, 3).withName("self-training");
        return r.withData(r.data().withSubset(new PerClass(10))).withSemiSupervised(p);
    }

    @Test
    void aThresholdTakesOnlyPredictionsStrictlyAboveItMostConfidentFirstPerClass() {
        // 4 predictions over 2 classes
        float[] p = {1.0f, 0.0f, 0.6f, 0.4f, 0.2f, 0.8f, 0.95f, 0.05f};
        assertThat(SelfTraining.choose(p, 2, 1.0, 100)[0]).as("a threshold of 1 never fires, not even at probability 1").isEmpty();
        int[][] c = SelfTraining.choose(p, 2, 0.5, 2);
        assertThat(c[0]).containsExactly(0, 3, 2);
        assertThat(c[1]).containsExactly(0, 0, 1);
        assertThat(SelfTraining.choose(p, 2, 0.5, 1)[0]).as("at most perClass, the most confident").containsExactly(0, 2);
        assertThat(SelfTraining.choose(p, 2, 0.0, 100)[0]).hasSize(4);
    }

    @Test
    void thePoolIsTheTrainingPartWithoutTheLabelledImagesNeverValidationNorTest() throws Exception {
        Recipe r = recipe(PseudoLabel.defaults());
        try (var split = Datasets.load(r.data(), Path.of(""), r.seed()); var d = JobRunner.jobData(r, split, Plan.of(r).jobs().get(0))) {
            int[] pool = SelfTraining.pool(d, 0, 1);
            assertThat(pool.length).isEqualTo(d.trainPart().size() - d.train().size()).isPositive();
            Set<Integer> rows = new HashSet<>();
            for (int i : pool) rows.add(d.trainPart().row(i));
            for (int i = 0; i < d.train().size(); i++) assertThat(rows).doesNotContain(d.train().row(i));
            for (int i = 0; i < d.validation().size(); i++) assertThat(rows).doesNotContain(d.validation().row(i));
            assertThat(split.test().pixels()).as("the test split is a set of its own pixels").isNotSameAs(d.trainPart().pixels());
            int[] capped = SelfTraining.pool(d, 50, 1);
            assertThat(capped).hasSize(50).isSorted();
            assertThat(Arrays.stream(pool).boxed().toList()).containsAll(Arrays.stream(capped).boxed().toList());
            assertThat(SelfTraining.pool(d, 50, 2)).as("the draw follows the seed").isNotEqualTo(capped);
        }
    }

    @Test
    void aRunTrainsTheStudentOnLabelledAndBalancedPseudoLabelledImagesAndResumesWithoutATeacher() throws Exception {
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2);
        Recipe r = recipe(new PseudoLabel(0.0, 5, 1, 300, null, 0.0));
        Runner.Result result = Runner.run(r, options);
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        assertThat(result.jobs()).as(bytes.toString()).hasSize(1);
        Path job = result.runDir().resolve("jobs").resolve(result.jobs().get(0).id());
        JsonNode details = Json.PRETTY.readTree(job.resolve("results.json").toFile());
        JsonNode round = details.get("semiSupervised").get("rounds").get(0);
        int taken = round.get("pseudoLabels").asInt();
        assertThat(details.get("trainImages").asInt()).as(bytes.toString()).isEqualTo(100 + taken);
        assertThat(details.get("semiSupervised").get("pseudoLabels").asInt()).isEqualTo(taken);
        assertThat(round.get("poolImages").asInt()).isEqualTo(300);
        // threshold 0 takes every prediction, at most 5 per class: a one-epoch teacher predicts some classes for none of the pool
        int sum = 0, full = 0;
        for (JsonNode n : round.get("perClass")) {
            assertThat(n.asInt()).isBetween(0, 5);
            sum += n.asInt();
            if (n.asInt() == 5) full++;
        }
        assertThat(sum).isEqualTo(taken);
        assertThat(full).as("classes the teacher predicts at all get their 5").isGreaterThanOrEqualTo(5);
        assertThat(round.get("rate").asDouble()).isEqualTo(taken / 300.0);
        assertThat(round.get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(round.get("teacherTestAccuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(bytes.toString()).contains("pseudo-labels round 1: " + taken + " of 300 pool images")
                .contains("100 labelled, " + taken + " pseudo-labelled");

        JsonNode top = Json.PRETTY.readTree(result.runDir().resolve("results.json").toFile());
        assertThat(top.get("jobs").get(0).get("pseudoLabels").get("pseudoLabels").asInt()).isEqualTo(taken);
        assertThat(top.get("jobs").get(0).get("pseudoLabels").get("accuracy").asDouble()).isEqualTo(round.get("accuracy").asDouble());
        assertThat(Files.readString(result.runDir().resolve("report.html"))).contains("pseudo-labels right").contains(taken + " of 300");

        SelfTraining.Outcome saved = Json.PRETTY.readValue(job.resolve(SelfTraining.FILE).toFile(), SelfTraining.Outcome.class);
        var again = new ByteArrayOutputStream();
        Path recipeFile = result.runDir().resolve("recipe.json");
        Recipe resolved = Plan.of(RecipeIo.fromJson(Files.readString(recipeFile), recipeFile.toString())).variants().get("base");
        try (var split = Datasets.load(resolved.data(), Path.of(""), resolved.seed());
             var d = JobRunner.jobData(resolved, split, Plan.of(resolved).jobs().get(0));
             var student = SelfTraining.run(resolved, (PseudoLabel) resolved.semiSupervised(), Plan.of(resolved).jobs().get(0), d, split, job,
                     Path.of(""), Device.CPU, new PrintStream(again, true), false, null)) {
            assertThat(again.toString()).contains(taken + " pseudo-labels from").contains("no teacher trained again").doesNotContain("round 1");
            assertThat(student.outcome().positions()).isEqualTo(saved.positions());
            assertThat(student.train().size()).isEqualTo(100 + taken);
            for (int i = 0; i < saved.positions().length; i++) assertThat(student.train().label(100 + i)).isEqualTo(saved.labels()[i]);
            Set<Integer> labelled = new HashSet<>();
            for (int s : d.subset()) labelled.add(s);
            for (int pos : saved.positions()) assertThat(labelled).doesNotContain(pos);
        }
    }

    @Test
    void thresholdOneTrainsOnTheLabelledImagesAlone() throws Exception {
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2);
        Runner.Result result = Runner.run(recipe(new PseudoLabel(1.0, 100, 2, 200, null, null)), options);
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        JsonNode details = Json.PRETTY.readTree(result.runDir().resolve("jobs").resolve(result.jobs().get(0).id()).resolve("results.json").toFile());
        assertThat(details.get("trainImages").asInt()).isEqualTo(100);
        assertThat(details.get("semiSupervised").get("rounds")).hasSize(2);
        assertThat(details.get("semiSupervised").get("pseudoLabels").asInt()).isZero();
    }

    @Test
    void anUnlabelledFolderIsThePoolAndATestImageInItIsRefusedByName() throws Exception {
        Path folder = tmp.resolve("unlabelled");
        Files.createDirectories(folder.resolve("a"));
        for (String f : new String[] {"bag/00023.png", "sneaker/00006.png"}) {
            Files.copy(TestData.root().resolve("test-data/folder-mini").resolve(f), folder.resolve("a").resolve(f.replace('/', '-')));
        }
        Recipe r = recipe(new PseudoLabel(0.0, 1, 1, 0, new dev.kinglet.dsl.UnlabelledFolder(folder.toString()), null));
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp.resolve("runs")).withDevice(Device.CPU).withThreads(2);
        Runner.Result result = Runner.run(r, options);
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        JsonNode round = Json.PRETTY.readTree(result.runDir().resolve("jobs").resolve(result.jobs().get(0).id()).resolve("results.json").toFile())
                .get("semiSupervised").get("rounds").get(0);
        assertThat(round.get("poolImages").asInt()).as(bytes.toString()).isEqualTo(2);
        assertThat(round.get("pseudoLabels").asInt()).isBetween(1, 2);
        assertThat(round.get("accuracy").isNull()).as("a folder's true labels are unknown").isTrue();
        assertThat(bytes.toString()).contains("semiSupervised.data: 2 images under");

        try (var split = Datasets.load(r.data(), Path.of(""), r.seed())) {
            Path test = folder.resolve("a/test-image.png");
            dev.kinglet.natives.Image.of(split.test().pixels(), split.test().row(7)).writePng(test);
            assertThatThrownBy(() -> UnlabelledData.load(new dev.kinglet.dsl.UnlabelledFolder(folder.toString()), "semiSupervised.data", r, split, Path.of("")))
                    .isInstanceOf(RecipeException.class).hasMessageContaining("semiSupervised.data")
                    .hasMessageContaining("1 of its 3 images are test images").hasMessageContaining(test + " = test image 7");
        }
        var checked = new ByteArrayOutputStream();
        var stages = Check.run(r, Path.of(""), Device.CPU, new PrintStream(checked, true));
        assertThat(stages.getLast().name()).as(checked.toString()).isEqualTo("unlabelled");
        assertThat(stages.getLast().ok()).isFalse();
        assertThat(checked.toString()).contains("unlabelled FAILED").contains("test-image.png = test image 7");
    }

    @Test
    void aVariantWhenUnlabelledImagesRunsOnlyWhereSomeTrainingImagesHaveNoLabel() {
        var v = dev.kinglet.dsl.Variant.of("pseudo-label", "semiSupervised", PseudoLabel.defaults()).when(dev.kinglet.dsl.Variant.UNLABELLED_IMAGES);
        Recipe all = TestData.fashionRecipe(1, 32, 3).withVariants(v);
        assertThat(Plan.of(all).variants()).containsOnlyKeys("base");
        assertThat(Plan.of(all).skipped().get("pseudo-label")).contains("every training image is labelled");
        assertThat(Plan.of(all.withData(all.data().withSubset(new PerClass(10)))).variants()).containsKeys("base", "pseudo-label");
        assertThat(Plan.of(all.withLearningCurve(new dev.kinglet.dsl.LearningCurve(java.util.List.of(5, 10), null, 1, null))).variants())
                .containsKeys("base", "pseudo-label");
    }

    @Test
    void aLabelledShareRepeatsTheLabelledImagesInTheStudentsSet() throws Exception {
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2);
        Runner.Result result = Runner.run(recipe(new PseudoLabel(0.0, 20, 1, 0, null, 0.5)), options);
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        JsonNode details = Json.PRETTY.readTree(result.runDir().resolve("jobs").resolve(result.jobs().get(0).id()).resolve("results.json").toFile());
        int taken = details.get("semiSupervised").get("pseudoLabels").asInt();
        int repeats = details.get("semiSupervised").get("labelledRepeats").asInt();
        assertThat(repeats).as(bytes.toString()).isEqualTo((taken + 99) / 100).isGreaterThan(1);
        assertThat(details.get("trainImages").asInt()).isEqualTo(100 * repeats + taken);
        assertThat(bytes.toString()).contains("100 labelled x" + repeats + ", " + taken + " pseudo-labelled");
        assertThat(new PseudoLabel(null, null, null, null, null, 0.5).labelledRepeats(100, 1000)).isEqualTo(10);
        assertThat(new PseudoLabel(null, null, null, null, null, 0.75).labelledRepeats(100, 1000)).isEqualTo(30);
        assertThat(new PseudoLabel(null, null, null, null, null, 0.0).labelledRepeats(100, 1000)).isEqualTo(1);
        assertThat(PseudoLabel.defaults().labelledRepeats(100, 1000)).as("default share 0.5").isEqualTo(10);
    }

    @Test
    void settingsOutsideTheirRangeNameTheirPath() {
        assertThatThrownBy(() -> new PseudoLabel(1.5, null, null, null, null, null)).isInstanceOf(RecipeException.class).hasMessageContaining("semiSupervised.threshold");
        assertThatThrownBy(() -> new PseudoLabel(null, 0, null, null, null, null)).isInstanceOf(RecipeException.class).hasMessageContaining("semiSupervised.perClass");
        assertThatThrownBy(() -> new PseudoLabel(null, null, 11, null, null, null)).isInstanceOf(RecipeException.class).hasMessageContaining("semiSupervised.rounds");
    }
}
