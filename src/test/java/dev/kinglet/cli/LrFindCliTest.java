package dev.kinglet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/** {@code kinglet lr-find FILE --set ... --out DIR} on the Fashion-MNIST subset writes its plot and its numbers. */
class LrFindCliTest {
    @TempDir Path tmp;

    @Test
    void writesThePlotAndTheJsonAndSuggestsARate() throws Exception {
        Path recipe = tmp.resolve("lr.json");
        Files.writeString(recipe, RecipeIo.toJson(TestData.fashionRecipe(3, 64, 2).withName("lr")));
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(out, true));
            exit = Main.execute(new PrintStream(out, true), new PrintStream(err, true), "lr-find", recipe.toString(),
                    "--set", "train.batchSize=32", "--out", tmp.resolve("probe").toString(), "--threads", "2");
        } finally {
            System.setOut(stdout);
        }
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("suggested lr").contains("valley").contains("lr-find.png");

        var png = ImageIO.read(tmp.resolve("probe/lr-find.png").toFile());
        assertThat(png.getWidth()).isEqualTo(800);
        assertThat(png.getHeight()).isEqualTo(500);
        JsonNode json = Json.PRETTY.readTree(tmp.resolve("probe/lr-find.json").toFile());
        int n = json.get("lrs").size();
        assertThat(n).isBetween(20, 100).isEqualTo(json.get("losses").size());
        assertThat(json.get("lrs").get(0).asDouble()).isEqualTo(1e-7);
        double suggestion = json.get("suggestion").get("lr").asDouble();
        assertThat(json.get("suggestion").get("method").asString()).isEqualTo("valley");
        assertThat(suggestion).isEqualTo(json.get("valley").asDouble()).isBetween(1e-6, 1.0);

        var refused = new ByteArrayOutputStream();
        assertThat(Main.execute(new PrintStream(new ByteArrayOutputStream()), new PrintStream(refused, true), "lr-find", recipe.toString(),
                "--set", "data.imageSize=[32, 32]")).isEqualTo(2);
        assertThat(refused.toString()).contains("data.imageSize");
    }
}
