package dev.kinglet.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.tools.Check;
import dev.kinglet.tools.Predict;
import dev.kinglet.TestData;
import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.EmbeddingHead;
import dev.kinglet.dsl.Ensemble;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.natives.Device;
import dev.kinglet.rundir.JobResult;

/** Whole runs on the Fashion-MNIST subset: the cosine loss with a class hierarchy, and a 3-member deep ensemble. */
class CosineAndEnsembleRunTest {
    @TempDir Path tmp;

    Runner.Result run(Recipe r, ByteArrayOutputStream bytes) throws Exception {
        var options = Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2);
        return Runner.run(r, options);
    }

    @Test
    void cosineLossWithAHierarchyTrainsSavesAndPredicts() throws Exception {
        Path hierarchy = tmp.resolve("fashion-hierarchy.csv");
        Files.writeString(hierarchy, """
                # child,parent
                t-shirt/top,top
                pullover,top
                coat,top
                shirt,top
                dress,top
                sandal,shoe
                sneaker,shoe
                ankle boot,shoe
                top,clothes
                trouser,clothes
                shoe,item
                bag,item
                clothes,item
                """);
        Recipe r = TestData.fashionRecipe(4, 64, 3).withName("cosine-run")
                .withModel(new Model(new SmallCnn(null, null, null, null), null, new EmbeddingHead(null)))
                .withLoss(new CosineLoss(0.1, hierarchy.toString()));
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = run(r, bytes);
        assertThat(result.failed()).as(bytes.toString()).isEmpty();
        assertThat(result.jobs().get(0).testAccuracy()).isGreaterThan(0.6);
        Path job = result.runDir().resolve("jobs/base.all.f0.s0.m0");
        assertThat(Files.readString(job.resolve("model.json"))).contains("\"cosine\"", "classEmbeddings");
        // check runs the recipe's own loss (the cosine objective with its classifier), not cross-entropy
        var checked = new ByteArrayOutputStream();
        var stages = Check.run(r, Path.of(""), dev.kinglet.natives.Device.CPU, new PrintStream(checked, true));
        assertThat(stages).as(checked.toString()).allMatch(Check.Stage::ok);
        assertThat(stages.get(stages.size() - 1).detail()).as(checked.toString()).contains("(" + Support.typeName(r.loss()) + ")").doesNotContain("ln 10");
        Path csv = tmp.resolve("p.csv");
        Predict.run(job, List.of(TestData.root().resolve("test-data/folder-mini")), csv, System.out);
        assertThat(Files.readAllLines(csv)).hasSize(13);
    }

    @Test
    void ensembleAveragesItsMembersAndPredictUsesThemAll() throws Exception {
        Recipe r = TestData.fashionRecipe(2, 64, 4).withName("ensemble-run").withEnsemble(new Ensemble(3, false));
        var bytes = new ByteArrayOutputStream();
        Runner.Result result = run(r, bytes);
        assertThat(result.failed()).isEmpty();
        assertThat(result.jobs()).hasSize(3);
        assertThat(result.summary()).containsKeys("base", "base (single members)");
        assertThat(result.summary().get("base").jobs()).isEqualTo(1);
        assertThat(result.summary().get("base (single members)").jobs()).isEqualTo(3);
        Path ensemble = result.runDir().resolve("ensembles/base.all.f0.s0");
        assertThat(Files.readAllLines(ensemble.resolve("per-image.csv"))).hasSize(1001);
        assertThat(Ensembles.members(ensemble)).hasSize(3);
        assertThat(bytes.toString()).contains("ensemble base.all.f0.s0: test accuracy");
        Path csv = tmp.resolve("e.csv");
        Predict.run(ensemble, List.of(TestData.root().resolve("test-data/folder-mini")), csv, System.out);
        assertThat(Files.readAllLines(csv)).hasSize(13);
    }

    @Test
    void ensembleMembersInTwoWorkerProcessesEndAsInOneProcess() throws Exception {
        Recipe r = TestData.fashionRecipe(2, 64, 4).withName("ensemble-workers").withEnsemble(new Ensemble(3, false));
        var oneBytes = new ByteArrayOutputStream();
        var one = Runner.run(r, Runner.Options.defaults(new PrintStream(oneBytes, true)).withOutRoot(tmp.resolve("one")).withDevice(Device.CPU).withThreads(1));
        var twoBytes = new ByteArrayOutputStream();
        var two = Runner.run(r, Runner.Options.defaults(new PrintStream(twoBytes, true)).withOutRoot(tmp.resolve("two")).withDevice(Device.CPU).withThreads(2)
                .withWorkers(List.of(Device.CPU, Device.CPU)));
        assertThat(two.failed()).as(twoBytes.toString()).isEmpty();
        assertThat(twoBytes.toString()).contains("worker 0 (process ", "worker 1 (process ", "cpu, 1 threads): 2 job(s)", "cpu, 1 threads): 1 job(s)",
                "job base.all.f0.s0.m1 (worker 1): test accuracy");
        // each worker ran its own jobs, in its own process
        String log0 = Files.readString(two.runDir().resolve("workers/worker-0.log")), log1 = Files.readString(two.runDir().resolve("workers/worker-1.log"));
        assertThat(log0).contains("job base.all.f0.s0.m0: test accuracy", "job base.all.f0.s0.m2: test accuracy").doesNotContain("job base.all.f0.s0.m1:");
        assertThat(log1).contains("job base.all.f0.s0.m1: test accuracy").doesNotContain("job base.all.f0.s0.m0:");
        // one thread per job either way: the same members, bit for bit, and the same ensemble
        assertThat(two.jobs()).extracting(JobResult::testAccuracy).containsExactlyElementsOf(one.jobs().stream().map(JobResult::testAccuracy).toList());
        assertThat(two.jobs()).extracting(JobResult::testLoss).containsExactlyElementsOf(one.jobs().stream().map(JobResult::testLoss).toList());
        assertThat(two.summary().get("base").mean()).isEqualTo(one.summary().get("base").mean());
        assertThat(Files.readAllLines(two.runDir().resolve("ensembles/base.all.f0.s0/per-image.csv")))
                .isEqualTo(Files.readAllLines(one.runDir().resolve("ensembles/base.all.f0.s0/per-image.csv")));
    }
}
