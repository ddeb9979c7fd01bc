package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.Ensemble;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.rundir.JobResult;
import dev.kinglet.rundir.JobState;
import dev.kinglet.rundir.PlanFile;

/**
 * A run prepared once ({@code --prepare}) and run by shard processes on one directory ends with
 * the results of one process, bit for bit; a shard killed with SIGKILL and started again finishes
 * its jobs; two shards started with the same index never train one job twice.
 */
class ShardTest {
    static final Recipe recipe = TestData.fashionRecipe(4, 64, 4).withName("shards").withEnsemble(new Ensemble(3, false));
    @TempDir static Path once;
    static Runner.Result one;
    @TempDir Path tmp;
    Path prepared;

    @BeforeAll
    static void runInOneProcess() throws IOException {
        one = Runner.run(recipe, options(once.resolve("one")));
        assertThat(one.failed()).isEmpty();
    }

    @BeforeEach
    void prepare() throws IOException {
        var bytes = new ByteArrayOutputStream();
        var p = Runner.run(recipe, options(tmp.resolve("sharded")).withOut(new PrintStream(bytes, true)).withPrepare(true));
        prepared = p.runDir();
        assertThat(bytes.toString()).contains("prepared " + prepared + ": 3 job(s) pending", "--shard i/N");
        assertThat(p.jobs()).extracting(JobResult::state).containsOnly(JobState.PENDING);
        assertThat(PlanFile.read(prepared).jobs()).hasSize(3);
        assertThat(prepared.resolve("results.json")).doesNotExist();
    }

    static Runner.Options options(Path out) {
        return Runner.Options.defaults(new PrintStream(new ByteArrayOutputStream(), true)).withOutRoot(out).withDevice(Device.CPU).withThreads(1);
    }

    Process shard(String spec, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), "dev.kinglet.cli.Main", "run", "--resume", prepared.toString(), "--threads", "1", "--device", "cpu"));
        if (spec != null) cmd.addAll(List.of("--shard", spec));
        var pb = new ProcessBuilder(cmd).directory(TestData.root().toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("shard-" + System.nanoTime() + ".log").toFile());
        pb.environment().remove("JOB_COMPLETION_INDEX");
        pb.environment().remove("SLURM_ARRAY_TASK_ID");
        pb.environment().putAll(env);
        return pb.start();
    }

    static void finish(Process p) throws InterruptedException {
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    /** Every job done with one process's test numbers, the ensemble and the report as one process wrote them. */
    void assertSameAsOneProcess() throws IOException {
        List<JobResult> sharded = PlanFile.read(prepared).recorded(prepared);
        assertThat(sharded).extracting(JobResult::state).containsOnly(JobState.DONE);
        assertThat(sharded).extracting(JobResult::testAccuracy).containsExactlyElementsOf(one.jobs().stream().map(JobResult::testAccuracy).toList());
        assertThat(sharded).extracting(JobResult::testLoss).containsExactlyElementsOf(one.jobs().stream().map(JobResult::testLoss).toList());
        assertThat(Files.readAllLines(prepared.resolve("ensembles/base.all.f0.s0/per-image.csv")))
                .isEqualTo(Files.readAllLines(one.runDir().resolve("ensembles/base.all.f0.s0/per-image.csv")));
        assertThat(prepared.resolve("results.json")).exists();
        assertThat(prepared.resolve("report.html")).exists();
        assertThat(PlanFile.read(prepared).jobs()).extracting(PlanFile.Entry::state).containsOnly(JobState.DONE);
    }

    String logs() throws IOException {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(tmp)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("shard-")).sorted().toList()) b.append(Files.readString(f));
        }
        return b.toString();
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void twoShardProcessesEndAsOneProcess() throws Exception {
        // one by --shard i/N, one by the index a Kubernetes Indexed Job gives
        Process a = shard("0/2", Map.of()), b = shard("2", Map.of("JOB_COMPLETION_INDEX", "1"));
        finish(a);
        finish(b);
        String logs = logs();
        assertThat(logs).contains("shard 0/2 of ", "shard 1/2 of ", "2 of 3 job(s) are this shard's", "1 of 3 job(s) are this shard's");
        assertThat(Files.readString(prepared.resolve("shards/shard-0-of-2.log"))).contains("job base.all.f0.s0.m0: test accuracy", "job base.all.f0.s0.m2: test accuracy")
                .doesNotContain("job base.all.f0.s0.m1:");
        assertSameAsOneProcess();
    }

    @Test
    void aShardKilledWithSigkillAndStartedAgainFinishesItsJobs() throws Exception {
        Process k = shard("0/1", Map.of());
        Path checkpoint = prepared.resolve("jobs/base.all.f0.s0.m0").resolve(Checkpoints.INDEX);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline && k.isAlive() && !Files.isRegularFile(checkpoint)) Thread.sleep(50);
        assertThat(k.isAlive()).as("killed mid-job, with a checkpoint").isTrue();
        Runtime.getRuntime().exec(new String[] {"kill", "-9", String.valueOf(k.pid())}).waitFor();
        assertThat(k.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(k.exitValue()).isNotZero();
        assertThat(PlanFile.read(prepared).recorded(prepared)).extracting(JobResult::state).doesNotContain(JobState.DONE);

        Process again = shard("0/1", Map.of("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "3"));
        finish(again);
        assertThat(logs()).contains("job base.all.f0.s0.m0: resuming after epoch");
        assertSameAsOneProcess();
    }

    @Test
    void twoShardsWithTheSameIndexDoNotTrainOneJobTwice() throws Exception {
        Process a = shard("0/1", Map.of()), b = shard("0/1", Map.of());
        finish(a);
        finish(b);
        String logs = logs();
        for (String job : List.of("m0", "m1", "m2")) {
            assertThat(count(logs, "job base\\.all\\.f0\\.s0\\." + job + ": test accuracy")).as(job + " trained once").isEqualTo(1);
        }
        assertSameAsOneProcess();
    }

    @Test
    void aShardNeedsAPreparedRunAndAnIndex() throws IOException {
        assertThatThrownBy(() -> Runner.run(recipe, options(tmp.resolve("x")).withShard(new Shard(0, 2))))
                .isInstanceOf(RecipeException.class).hasMessageContaining("--prepare");
        Files.delete(prepared.resolve(PlanFile.FILE));
        assertThatThrownBy(() -> Runner.resume(prepared, options(tmp.resolve("x")).withShard(new Shard(0, 2))))
                .isInstanceOf(RecipeException.class).hasMessageContaining("is not prepared");
        assertThatThrownBy(() -> Shard.parse("4", Map.of())).hasMessageContaining("--shard i/N");
        assertThatThrownBy(() -> Shard.parse("2/2", Map.of())).hasMessageContaining("0..1");
        assertThatThrownBy(() -> Shard.parse("a/2", Map.of())).hasMessageContaining("not i/N");
        assertThat(Shard.parse("4", Map.of("SLURM_ARRAY_TASK_ID", "7", "SLURM_ARRAY_TASK_MIN", "5"))).isEqualTo(new Shard(2, 4));
        assertThat(Shard.parse(" 1/3 ", Map.of())).isEqualTo(new Shard(1, 3));
    }
}
