package dev.kinglet.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

/**
 * The CLI verbs as a user runs them: processes of {@code java -jar recipes/target/kinglet-recipes.jar}
 * (built by the package phase before these integration tests), from the repository root.
 */
class CliTest {
    static Path jar;

    @BeforeAll
    static void findJar() {
        jar = FashionQuickTest.repoRoot().resolve("recipes/target/kinglet-recipes.jar");
        assertThat(jar).as("run with ./mvnw verify: the shaded jar is built in the package phase").exists();
    }

    record Out(int exit, String stdout, String stderr) {}

    static Out kinglet(String... args) throws Exception {
        return java(jar, args);
    }

    static Out java(Path jarFile, String... args) throws Exception {
        return java(List.of(), jarFile, args);
    }

    static Out java(List<String> jvmOptions, Path jarFile, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jarFile.toString()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("kinglet", ".err");
        Process p = new ProcessBuilder(cmd).directory(FashionQuickTest.repoRoot().toFile()).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String stderr = Files.readString(err);
        Files.delete(err);
        return new Out(p.exitValue(), out, stderr);
    }

    @Test
    void listNamesTheRecipes() throws Exception {
        Out o = kinglet("list");
        assertThat(o.exit()).isZero();
        assertThat(o.stdout()).contains("fashion-quick").contains("fashion-compare");
        assertThat(o.stderr()).as("no warnings on start").isEmpty();
    }

    @Test
    void cudaOnTheCpuBuildIsRefusedInOneLineBeforeARunDirectoryExists(@TempDir Path out) throws Exception {
        Out o = kinglet("run", "fashion-quick", "--device", "cuda", "--out", out.toString());
        assertThat(o.exit()).as(o.stdout() + o.stderr()).isEqualTo(2);
        assertThat(o.stderr().strip()).startsWith("error: device cuda:0 asked for").contains("CPU build").doesNotContain("\n");
        assertThat(out.resolve("fashion-quick")).doesNotExist();
    }

    @Test
    void theLadderRunsOnAnImageFolderAndItsReportRebuilds(@TempDir Path out) throws Exception {
        // an empty weight cache: the pretrained rung is left out, whatever this machine has cached
        Out o = java(List.of("-Dkinglet.weights.dir=" + out.resolve("weights")), jar, "run", "ladder", "--set", "data.root=test-data/folder-mini", "--set", "train.epochs=2", "--out", out.toString(), "--threads", "1");
        assertThat(o.exit()).as(o.stdout() + o.stderr()).isZero();
        assertThat(o.stdout()).contains("baseline random forest (100 trees)", "lift over", "job cosine.all.f0.s0.m0", "ensemble ensemble.all.f0.s0")
                // tiny data: every job trains on all labelled images, 5 times, so every lift has an interval
                .contains("data.split auto: 9 labelled training images (at most 2,000): 5 trainings of every job on all of them")
                .contains("job base.all.f4.s0.m0: 9 training, 0 validation", "(n=5)")
                .doesNotContain("failed", "n=1, no interval");
        Path dir = out.resolve("ladder/latest");
        var results = JsonMapper.builder().build().readTree(dir.resolve("results.json").toFile());
        List<String> variants = new ArrayList<>();
        results.get("summary").forEach(r -> variants.add(r.get("variant").asString()));
        assertThat(variants).containsExactlyInAnyOrder("base", "augment", "cosine", "autoencoder", "ensemble");
        assertThat(results.get("notices").toString()).contains("variant pretrained left out (when: weightsAvailable)")
                .contains("variant pseudo-label left out (when: unlabelledImages): every training image is labelled");
        assertThat(results.get("missing")).isEmpty();
        assertThat(results.get("modelSelection").asString()).contains("every job trained on all its labelled images, 5 times");
        var recipe = JsonMapper.builder().build().readTree(dir.resolve("recipe.json").toFile());
        assertThat(recipe.get("data").get("split").toString()).as("the choice is recorded for resume").contains("holdout").contains("\"repeats\":5");
        assertThat(recipe.get("variants").toString()).as("no flips by default").doesNotContain("horizontalFlip");
        Files.delete(dir.resolve("report.html"));
        Out r = kinglet("report", dir.toString());
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(dir.resolve("report.html")).isNotEmptyFile();
        assertThat(r.stdout()).contains("report: ");
    }

    @Test
    void aUsersOwnRecipeJarListsAndRunsItsRecipe(@TempDir Path out) throws Exception {
        Path userJar = FashionQuickTest.repoRoot().resolve("examples/user-project/target/my-recipes.jar");
        assertThat(userJar).as("built by the reactor from examples/user-project").exists();
        Out list = java(userJar, "list");
        assertThat(list.exit()).isZero();
        assertThat(list.stdout()).contains("tiny-fashion").doesNotContain("fashion-quick");
        Out run = java(userJar, "run", "tiny-fashion", "--out", out.toString(), "--device", "cpu");
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("100 training, 200 validation").contains("epoch 3/3").contains("test accuracy");
    }

    @Test
    void describeJsonIsTheFullRecipeAndYamlShowsThePlan() throws Exception {
        Out json = kinglet("describe", "fashion-compare", "--json");
        assertThat(json.exit()).isZero();
        var tree = JsonMapper.builder().build().readTree(json.stdout());
        assertThat(tree.get("train").get("schedule").get("type").asString()).isEqualTo("oneCycle");
        assertThat(tree.get("variants")).hasSize(2);
        Out yaml = kinglet("describe", "fashion-compare");
        assertThat(yaml.stdout()).contains("type: smallCnn").contains("# plan: 3 variants x 1 point x 3 folds x 1 seed x 1 member = 9 jobs")
                .contains("#   sgd.all.f2.s0.m0");
    }

    @Test
    void checkPassesEveryStageAndNamesTheFailingOne() throws Exception {
        Out ok = kinglet("check", "fashion-quick");
        assertThat(ok.exit()).as(ok.stderr()).isZero();
        for (String stage : new String[] {"recipe", "read", "augment", "collate", "forward", "loss"}) {
            assertThat(ok.stdout()).containsPattern("(?m)^" + stage + "\\s+ok");
        }
        Out refused = kinglet("check", "fashion-quick", "--set", "data.imageSize=[32, 32]");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.stderr()).contains("check failed at stage recipe").contains("data.imageSize");
        Out augment = kinglet("check", "fashion-quick", "--set", "augment.train=[{type: horizontalFlip, labels: {swap: {left: right}}}]");
        assertThat(augment.exit()).isEqualTo(1);
        assertThat(augment.stdout()).containsPattern("(?m)^read\\s+ok").containsPattern("(?m)^augment\\s+FAILED");
        assertThat(augment.stderr()).contains("check failed at stage augment").contains("augment.train[0].labels.swap").contains("'left' is not a class");
        Out missing = kinglet("check", "fashion-quick", "--set", "data.source.dir=no/such/folder");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderr()).contains("check failed at stage read").contains("no/such/folder");
    }

    @Test
    void augmentPreviewWritesAGrid(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("grid.png");
        Out o = kinglet("augment-preview", "fashion-augment", "--set", "augment.train=[{type: horizontalFlip}, {type: rotate}]",
                "--n", "4", "--views", "3", "--out", png.toString());
        assertThat(o.exit()).as(o.stderr()).isZero();
        assertThat(o.stdout()).contains("4 samples");
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
        // 4 columns and 4 rows of 84-pixel cells (28 x 3) with 2-pixel gaps
        int width = java.nio.ByteBuffer.wrap(bytes, 16, 4).getInt(), height = java.nio.ByteBuffer.wrap(bytes, 20, 4).getInt();
        assertThat(width).isEqualTo(4 * 84 + 5 * 2);
        assertThat(height).isEqualTo(4 * 84 + 5 * 2);
    }

    @Test
    void runWithSetOverridesAndValidatesThem(@TempDir Path out) throws Exception {
        Out bad = kinglet("run", "fashion-quick", "--set", "train.optimizer.lrr=0.01");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.stderr()).contains("train.optimizer.lrr").contains("did you mean 'lr'").doesNotContain("Exception");
        Out invalid = kinglet("run", "fashion-quick", "--set", "train.epochs=0");
        assertThat(invalid.exit()).isEqualTo(2);
        assertThat(invalid.stderr()).contains("recipe error at train.epochs").contains("e.g. 10");

        Out run = kinglet("run", "fashion-quick", "--set", "train.epochs=2", "--set", "data.subset={type: perClass, n: 20}",
                "--out", out.toString(), "--device", "cpu");
        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("epoch 2/2").contains("200 training, 200 validation").doesNotContain("epoch 3/");
        Path runDir;
        try (var dirs = Files.list(out.resolve("fashion-quick"))) {
            runDir = dirs.findFirst().orElseThrow();
        }
        assertThat(Files.readString(runDir.resolve("recipe.json"))).contains("\"epochs\" : 2");

        Out resumed = kinglet("run", "--resume", runDir.toString());
        assertThat(resumed.exit()).as(resumed.stderr()).isZero();
        assertThat(resumed.stdout()).contains("done in an earlier session, kept").doesNotContain("epoch 1/");
    }
}
