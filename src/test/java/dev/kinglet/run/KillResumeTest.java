package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.Augment;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.EarlyStopping;
import dev.kinglet.dsl.MixUp;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.natives.StateDict;
import dev.kinglet.natives.TensorMemory;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/**
 * A real process killed with SIGKILL in the middle of training, then {@code run --resume}, ends
 * with the same weights, bit for bit, as the same recipe run without interruption (CPU), with
 * weight EMA and early stopping, whose state rides in the checkpoint.
 */
class KillResumeTest {
    @TempDir Path tmp;

    Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), "dev.kinglet.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(TestData.root().toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out-" + System.nanoTime() + ".log").toFile()).start();
    }

    static Path jobDir(Path out) throws IOException {
        return jobDir(out, "kill-resume", "base.all.f0.s0.m0");
    }

    static Path jobDir(Path out, String recipe, String job) throws IOException {
        try (var runs = Files.list(out.resolve(recipe))) {
            // run directories are named by their start time; "latest" and its temporary link are not
            return runs.filter(p -> Character.isDigit(p.getFileName().toString().charAt(0))).findFirst()
                    .map(run -> run.resolve("jobs").resolve(job)).orElse(null);
        }
    }

    @Test
    void sigkillThenResumeGivesTheWeightsOfAnUninterruptedRun() throws Exception {
        Recipe r = TestData.fashionRecipe(6, 32, 11).withName("kill-resume")
                .withAugment(new Augment(List.of(new AugmentOp.HorizontalFlip(0.5, null), new MixUp(0.4, 0.5)), null, null));
        // the saved model is early stopping's best of the EMA's averaged weights: both come back from the checkpoint
        r = r.withTrain(r.train().withEma(0.9).withEarlyStopping(new EarlyStopping("loss", 10)));
        Path job = killResumeAndCompare(r, "kill-resume", "base.all.f0.s0.m0", 2);
        Path whole = jobDir(tmp.resolve("whole"), "kill-resume", "base.all.f0.s0.m0");
        List<String> metrics = Files.readAllLines(job.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(6);
        assertThat(job.resolve(Checkpoints.INDEX)).doesNotExist();
        assertThat(Json.PRETTY.readTree(job.resolve("results.json").toFile()).get("earlyStopping"))
                .isEqualTo(Json.PRETTY.readTree(whole.resolve("results.json").toFile()).get("earlyStopping"));
    }

    /**
     * FixMatch killed mid-run: the unlabelled batches after the checkpoint follow from the step
     * count and FlexMatch's memory of what each unlabelled image was predicted as comes back from
     * the checkpoint, so the resumed job ends with the uninterrupted one's weights, bit for bit, and
     * its pseudo-label counts cover the whole fit.
     */
    @Test
    void fixMatchKilledMidRunResumesToTheWeightsOfAnUninterruptedRun() throws Exception {
        Recipe r = TestData.fashionRecipe(40, 32, 13).withName("kill-resume-fixmatch")
                .withAugment(new Augment(List.of(new AugmentOp.HorizontalFlip(0.5, null)), null, null));
        r = r.withData(r.data().withSubset(new dev.kinglet.dsl.PerClass(10)))
                .withSemiSupervised(new dev.kinglet.dsl.FixMatch(0.6, 2, null, null, null, 400, null)
                        .withThresholds(dev.kinglet.dsl.FixMatch.Thresholds.FLEX_MATCH));
        Path job = killResumeAndCompare(r, "kill-resume-fixmatch", "base.perClass10.f0.s0.m0", 3);
        Path whole = jobDir(tmp.resolve("whole"), "kill-resume-fixmatch", "base.perClass10.f0.s0.m0");
        JsonNode a = Json.PRETTY.readTree(whole.resolve("results.json").toFile()).get("semiSupervised").get("fit");
        JsonNode b = Json.PRETTY.readTree(job.resolve("results.json").toFile()).get("semiSupervised").get("fit");
        assertThat(b).isEqualTo(a);
        assertThat(b.get("unlabelledImages").asLong()).isEqualTo(40 * 4 * 64);
    }

    /**
     * Runs {@code r} whole into tmp/whole, then again into tmp/killed killed with SIGKILL once a
     * checkpoint of epoch {@code killAfter} or later exists, resumes that, and checks that both
     * saved models are equal bit for bit. Returns the resumed job's directory.
     */
    private Path killResumeAndCompare(Recipe r, String name, String jobId, int killAfter) throws Exception {
        Path recipe = tmp.resolve(name + ".json");
        Files.writeString(recipe, RecipeIo.toJson(r));

        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        Process p = start("run", recipe.toString(), "--out", whole.toString(), "--threads", "1");
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).isZero();

        Process k = start("run", recipe.toString(), "--out", killed.toString(), "--threads", "1");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        int epochAtKill = 0;
        while (System.nanoTime() < deadline && k.isAlive()) {
            Path job = Files.isDirectory(killed.resolve(name)) ? jobDir(killed, name, jobId) : null;
            Path index = job == null ? null : job.resolve(Checkpoints.INDEX);
            if (index != null && Files.isRegularFile(index)) {
                epochAtKill = Checkpoints.read(index.getParent()).orElseThrow().epoch();
                if (epochAtKill >= killAfter) break;
            }
            Thread.sleep(20);
        }
        assertThat(k.isAlive()).as("the run must still be training when killed").isTrue();
        Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(k.pid())}).waitFor();
        k.waitFor(1, TimeUnit.MINUTES);
        assertThat(k.exitValue()).isEqualTo(137);
        Path job = jobDir(killed, name, jobId);
        assertThat(job.resolve("model.pth")).doesNotExist();

        Path runDir = job.getParent().getParent();
        Process resume = start("run", "--resume", runDir.toString(), "--threads", "1");
        assertThat(resume.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(resume.exitValue()).isZero();

        try (StateDict a = StateDict.read(jobDir(whole, name, jobId).resolve("model.pth")); StateDict b = StateDict.read(job.resolve("model.pth"))) {
            assertThat(b.keys()).isEqualTo(a.keys());
            for (String key : a.keys()) {
                // Arrays.equals, not AssertJ's containsExactly: its diff is quadratic in the 1.6M weights of fc1
                boolean same = a.info(key).dtype().equals("float32")
                        ? java.util.Arrays.equals(TensorMemory.toFloats(b.tensor(key)), TensorMemory.toFloats(a.tensor(key)))
                        : java.util.Arrays.equals(TensorMemory.toLongs(b.tensor(key)), TensorMemory.toLongs(a.tensor(key)));
                assertThat(same).as("%s equal after kill and resume", key).isTrue();
            }
        }
        return job;
    }
}
