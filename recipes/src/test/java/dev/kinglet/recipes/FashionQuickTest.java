package dev.kinglet.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.cli.RecipeCatalog;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.natives.Device;
import dev.kinglet.run.Runner;
import tools.jackson.databind.json.JsonMapper;

/** The demo recipe end to end, as `java -jar kinglet-recipes.jar run fashion-quick` runs it. */
class FashionQuickTest {
    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("test-data/fashion-mnist"))) return p;
        }
        throw new IllegalStateException("test-data/ not found");
    }

    @Test
    void trainsAbove75PercentAndWritesTheRunDirectory(@TempDir Path out) throws Exception {
        var recipe = RecipeCatalog.resolve("fashion-quick");
        var bytes = new ByteArrayOutputStream();
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(out).withDevice(Device.CPU)
                .withDataBase(repoRoot());
        Runner.Result result = Runner.run(recipe, options);

        assertThat(result.jobs()).hasSize(1);
        var job = result.jobs().get(0);
        assertThat(job.state()).isEqualTo(dev.kinglet.rundir.JobState.DONE);
        assertThat(job.testAccuracy()).isGreaterThanOrEqualTo(0.75);
        assertThat(result.runDir().getParent()).isEqualTo(out.resolve("fashion-quick"));
        for (String f : new String[] {"recipe.json", "provenance.json", "plan.json", "results.json", "run.log"}) {
            assertThat(result.runDir().resolve(f)).isNotEmptyFile();
        }
        Path jobDir = result.runDir().resolve("jobs").resolve(job.id());
        for (String f : new String[] {"metrics.jsonl", "results.json", "model.pth", "model.json"}) assertThat(jobDir.resolve(f)).isNotEmptyFile();
        try (var files = Files.walk(result.runDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
        }
        assertThat(RecipeIo.fromJson(Files.readString(result.runDir().resolve("recipe.json")), "recipe.json")).isEqualTo(recipe);
        var metrics = Files.readAllLines(jobDir.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(10);
        assertThat(metrics.get(9)).contains("validationAccuracy");
        var json = JsonMapper.builder().build();
        Map<?, ?> provenance = json.readValue(result.runDir().resolve("provenance.json").toFile(), Map.class);
        assertThat(provenance.get("libtorch").toString()).startsWith("2.10.0");
        assertThat(provenance.get("seed")).isEqualTo(42);
        assertThat(provenance.get("device")).isEqualTo("cpu");
        assertThat(provenance.get("trainDataSha256").toString()).hasSize(64);
        Map<?, ?> plan = json.readValue(result.runDir().resolve("plan.json").toFile(), Map.class);
        assertThat(plan.toString()).contains("state=done");
        Map<?, ?> results = json.readValue(jobDir.resolve("results.json").toFile(), Map.class);
        assertThat((Double) results.get("testAccuracy")).isEqualTo(job.testAccuracy());
        assertThat(bytes.toString()).contains("epoch 10/10").contains("test accuracy").contains("img/s").contains("val-acc");
        assertThat(Files.readString(result.runDir().resolve("run.log"))).contains("epoch 10/10");
    }
}
