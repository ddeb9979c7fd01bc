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
import dev.kinglet.dsl.Augment;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.Ensemble;
import dev.kinglet.dsl.KFold;
import dev.kinglet.dsl.MixUp;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TableSource;
import dev.kinglet.dsl.Train;
import dev.kinglet.natives.Device;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/** Whole runs on UCI tables from test-data/tables: classification with baselines and an ensemble, regression, refusals. */
class TableRunTest {
    @TempDir Path tmp;

    static Path table(String name) {
        return TestData.root().resolve("test-data/tables/" + name);
    }

    Runner.Result run(Recipe r, ByteArrayOutputStream bytes) throws Exception {
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2);
        return Runner.run(r, options);
    }

    @Test
    void aMinimalRecipeOnATableRunsWithTreeBaselinesAndAnEnsembleOfMlps() throws Exception {
        // the minimal recipe of the README: name, data.source with file and target, an mlp
        Recipe minimal = RecipeIo.fromYaml("""
                name: glass
                data:
                  source: {type: table, file: %s, target: Class}
                model:
                  architecture: {type: mlp}
                """.formatted(table("glass.csv")), "test");
        Recipe r = minimal.withTrain(Train.defaults().withEpochs(30).withBatchSize(32)).withEnsemble(new Ensemble(2, null))
                .withAugment(Augment.none().withTrain(new MixUp(0.2, null)));
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = run(r, bytes);
        String out = bytes.toString();
        assertThat(result.failed()).as(out).isEmpty();
        assertThat(out).contains("table glass.csv: 214 rows, 9 numeric and 0 categorical feature columns", "classification of 6 classes", "data.source.task: classification, inferred from the values of 'Class'");
        assertThat(out).contains("baseline random forest (100 trees) @", "baseline xgboost (100 trees, depth 6) @", "baseline logistic regression");
        assertThat(out).contains("9 features encoded on its", "test rows");
        JsonNode recipe = Json.PRETTY.readTree(result.runDir().resolve("recipe.json").toFile());
        assertThat(recipe.get("data").get("source").get("task").asText()).isEqualTo("classification");
        JsonNode job = Json.PRETTY.readTree(result.runDir().resolve("jobs/base.all.f0.s0.m0/results.json").toFile());
        assertThat(job.get("tableFeatures").size()).isEqualTo(9);
        // six classes from 9 features: well above chance (1/6) for every model, after 30 epochs
        assertThat(job.get("testAccuracy").asDouble()).as(out).isGreaterThan(0.45);
        JsonNode baselines = Json.PRETTY.readTree(result.runDir().resolve("baselines").resolve(BaselineRuns.fileName(Plan.of(r).jobs().get(0))).toFile());
        assertThat(baselines.get("models")).hasSize(3);
        for (JsonNode m : baselines.get("models")) assertThat(m.get("test").get("accuracy").asDouble()).as(m.get("name").asText()).isGreaterThan(0.45);
        assertThat(Files.isDirectory(result.runDir().resolve("ensembles"))).isTrue();
        assertThat(Files.readString(result.runDir().resolve("report.html"))).contains("xgboost");
        assertThat(Files.exists(result.runDir().resolve("augment-preview.png"))).isFalse();
        // predict on the table's rows (its target column is there and ignored): the ensemble's members each encode with their own saved encoder
        Path jobDir = result.runDir().resolve("jobs/base.all.f0.s0.m0");
        assertThat(Files.readString(jobDir.resolve(JobRunner.TABLE_ENCODER))).contains("\"RI\"", "\"features\"");
        Path csv = tmp.resolve("p.csv");
        var printed = new ByteArrayOutputStream();
        Path ensemble;
        try (var dirs = Files.list(result.runDir().resolve("ensembles"))) {
            ensemble = dirs.findFirst().orElseThrow();
        }
        assertThat(dev.kinglet.tools.Predict.run(ensemble, List.of(table("glass.csv")), csv, new PrintStream(printed))).isEqualTo(214);
        assertThat(printed.toString()).contains("214 row(s) of glass.csv", "averaged over 2 ensemble members");
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).startsWith("row,predicted,p_1,p_2");
        List<String> truth = Files.readAllLines(table("glass.csv"));
        int right = 0;
        for (int i = 1; i < lines.size(); i++) {
            String[] t = truth.get(i).split(","), q = lines.get(i).split(",");
            if (q[1].equals(t[t.length - 1].replace("\"", ""))) right++;
        }
        // all 214 rows, 171 of them training rows: well above chance (1/6)
        assertThat(right / 214.0).as("accuracy of predict on glass.csv").isGreaterThan(0.6);
        // a table without a column the model was trained on is refused, naming it
        Files.writeString(tmp.resolve("short.csv"), "RI,Na\n1.5,13\n");
        assertThatThrownBy(() -> dev.kinglet.tools.Predict.run(jobDir, List.of(tmp.resolve("short.csv")), tmp.resolve("q.csv"), new PrintStream(new ByteArrayOutputStream())))
                .hasMessageContaining("short.csv: no column 'Mg', which the model was trained on");
    }

    @Test
    void aNumericTargetWithManyValuesIsRegressionAndTheRunSaysSo() throws Exception {
        Recipe r = Recipe.of("boston", new Data(new TableSource(table("bostonhousing.csv").toString(), "Class"))).withSeed(3)
                .withTrain(Train.defaults().withEpochs(40).withBatchSize(32));
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = run(r, bytes);
        String out = bytes.toString();
        assertThat(result.failed()).as(out).isEmpty();
        assertThat(out).contains("data.source.task: regression, inferred", "13 numeric and 0 categorical"); // chas is quoted "0"/"1": still numeric
        JsonNode recipe = Json.PRETTY.readTree(result.runDir().resolve("recipe.json").toFile());
        assertThat(recipe.get("data").get("source").get("task").asText()).isEqualTo("regression");
        assertThat(recipe.get("loss").get("type").asText()).isEqualTo("mse");
        // an MLP on 13 standardised features explains most of the variance of the home values
        assertThat(result.jobs().get(0).testR2()).as(out).isGreaterThan(0.6);
    }

    @Test
    void imageTechniquesAreRefusedForTablesWithTheirRecipePaths() {
        Data data = new Data(new TableSource(table("sonar.csv").toString(), "Class"));
        assertThatThrownBy(() -> Recipe.of("t", data).withModel(new Model(new SmallCnn(null, null, null, null))))
                .isInstanceOf(RecipeException.class).hasMessageContaining("model.architecture").hasMessageContaining("{type: mlp");
        assertThatThrownBy(() -> Recipe.of("t", data).withAugment(Augment.none().withTrain(new AugmentOp.HorizontalFlip(null, null))))
                .isInstanceOf(RecipeException.class).hasMessageContaining("augment.train[0]").hasMessageContaining("mixUp");
        assertThatThrownBy(() -> new Data(new TableSource("t.csv", "y"), null, null, List.of(28, 28), null, null))
                .isInstanceOf(RecipeException.class).hasMessageContaining("data.imageSize");
        assertThatThrownBy(() -> RecipeIo.fromYaml("name: t\ndata: {source: {type: table, file: t.csv, target: y, separator: ';;'}}", "test"))
                .hasMessageContaining("data.source.separator");
        assertThat(Recipe.of("t", data).withData(data.withSplit(new KFold(3, null))).model().architecture()).isInstanceOf(dev.kinglet.dsl.Mlp.class);
    }
}
