package dev.kinglet.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.cli.Main;
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

        assertThat(result.test().accuracy()).isGreaterThanOrEqualTo(0.75);
        assertThat(result.test().images()).isEqualTo(1000);
        assertThat(result.runDir().getParent()).isEqualTo(out.resolve("fashion-quick"));
        for (String f : new String[] {"recipe.json", "provenance.json", "metrics.jsonl", "results.json", "model.pt"}) {
            assertThat(result.runDir().resolve(f)).isNotEmptyFile();
        }
        try (var files = Files.list(result.runDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
        }
        assertThat(RecipeIo.fromJson(Files.readString(result.runDir().resolve("recipe.json")), "recipe.json")).isEqualTo(recipe);
        assertThat(Files.readAllLines(result.runDir().resolve("metrics.jsonl"))).hasSize(10);
        var json = JsonMapper.builder().build();
        Map<?, ?> provenance = json.readValue(result.runDir().resolve("provenance.json").toFile(), Map.class);
        assertThat(provenance.get("libtorch").toString()).startsWith("2.10.0");
        assertThat(provenance.get("seed")).isEqualTo(42);
        assertThat(provenance.get("device")).isEqualTo("cpu");
        assertThat(provenance.get("trainDataSha256").toString()).hasSize(64);
        Map<?, ?> results = json.readValue(result.runDir().resolve("results.json").toFile(), Map.class);
        assertThat((Double) results.get("testAccuracy")).isEqualTo(result.test().accuracy());
        assertThat(bytes.toString()).contains("epoch 10/10").contains("test accuracy").contains("img/s");
    }

    @Test
    void cliListsRecipesAndExplainsBadInput(@TempDir Path dir) throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        assertThat(Main.execute(new PrintStream(out, true), new PrintStream(err, true), "list")).isZero();
        assertThat(out.toString()).contains("fashion-quick");

        assertThat(Main.execute(new PrintStream(out, true), new PrintStream(err, true), "run", "fashion-quik")).isEqualTo(2);
        assertThat(err.toString()).contains("no recipe named 'fashion-quik'").contains("fashion-quick");

        Path yaml = dir.resolve("typo.yaml");
        Files.writeString(yaml, """
                name: typo
                data: {source: {type: idx, dir: test-data/fashion-mnist}}
                train: {epochz: 3}
                """);
        err.reset();
        assertThat(Main.execute(new PrintStream(out, true), new PrintStream(err, true), "run", yaml.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("train.epochz").contains("did you mean 'epochs'");
    }
}
