package dev.kinglet.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import dev.kinglet.TestData;
import dev.kinglet.cli.Main;
import dev.kinglet.dsl.Baseline;
import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.LogisticRegression;
import dev.kinglet.dsl.RandomForest;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.Variant;
import dev.kinglet.natives.Device;
import dev.kinglet.run.Runner;
import dev.kinglet.util.Json;
import dev.kinglet.util.Stats;

/**
 * A real run with a learning curve (5, 10, 20 per class, 2 seeds), baselines and a variant on
 * the Fashion-MNIST subset, then its report: results.json against its schema, the HTML's plots,
 * and a rebuilt report of the run with a job taken away.
 */
class RunReportTest {
    @TempDir static Path tmp;
    static Runner.Result result;
    static String output;

    @BeforeAll
    static void run() throws Exception {
        Recipe r = TestData.fashionRecipe(2, 32, 5).withName("report-run")
                .withBaseline(new Baseline(List.of(new RandomForest(30), new LogisticRegression(null)), null))
                .withLearningCurve(new LearningCurve(List.of(5, 10, 20), null, 2, 0.8))
                .withVariants(Variant.of("fast", "train.optimizer.lr", 0.003));
        var bytes = new ByteArrayOutputStream();
        result = Runner.run(r, Runner.Options.defaults(new PrintStream(bytes, true)).withOutRoot(tmp).withDevice(Device.CPU).withThreads(2));
        output = bytes.toString();
        assertThat(result.failed()).as(output).isEmpty();
    }

    @Test
    void resultsJsonHasEveryPartAndMatchesItsSchema() throws Exception {
        Path dir = result.runDir();
        String json = Files.readString(dir.resolve("results.json"));
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(Files.readString(dir.resolve("results.schema.json")), InputFormat.JSON);
        assertThat(schema.validate(json, InputFormat.JSON)).isEmpty();
        assertThat(schema.validate("{\"summary\": 3}", InputFormat.JSON)).isNotEmpty();

        var results = RunReport.read(dir).results();
        assertThat(results.summary()).hasSize(6).allSatisfy(row -> {
            assertThat(row.results()).isEqualTo(2);
            assertThat(row.lift()).isNotNull();
            assertThat(row.lift().against()).matches("(random forest|logistic regression).*");
            assertThat(row.metrics()).containsKeys("accuracy", "balancedAccuracy", "macroF1", "nll", "ece");
        });
        assertThat(results.summary()).filteredOn(row -> row.variant().equals("fast")).allSatisfy(row -> assertThat(row.vsBase()).isNotNull());
        assertThat(results.baselines()).hasSize(6);
        // the lift is the paired difference of the same splits: its mean is the difference of the means
        var row = results.summary().stream().filter(x -> x.variant().equals("base") && x.point().equals("perClass20")).findFirst().orElseThrow();
        var best = results.baselines().stream().filter(b -> b.point().equals("perClass20") && b.best()).findFirst().orElseThrow();
        assertThat(row.lift().difference().mean()).isCloseTo(row.metrics().get("accuracy").mean() - best.accuracy().mean(), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(results.learningCurves()).hasSize(4).allSatisfy(c -> {
            assertThat(c.points()).hasSize(3);
            assertThat(c.fit()).isNotNull();
            assertThat(c.estimate().target()).isEqualTo(0.8);
            assertThat(c.estimate().verdict()).isNotBlank();
        });
        assertThat(results.modelSelection()).contains("validation split of 20%").contains("never used to choose");
        assertThat(output).contains("baseline random forest (30 trees) @ perClass5.f0.s0: test accuracy").contains("lift over").contains("learning curve base: to reach 80.0%");
    }

    @Test
    void htmlIsSelfContainedWithItsPlots() throws Exception {
        String html = Files.readString(result.runDir().resolve("report.html"));
        Matcher m = Pattern.compile("<img alt=\"([^\"]*)\" src=\"([^\"]*)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            images++;
            assertThat(m.group(2)).as(m.group(1)).startsWith("data:image/png;base64,");
            byte[] png = java.util.Base64.getDecoder().decode(m.group(2).substring("data:image/png;base64,".length()));
            assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png))).as(m.group(1)).isNotNull();
        }
        assertThat(images).isGreaterThanOrEqualTo(5); // learning curves, loss, validation accuracy, confusion, reliability
        assertThat(html).contains("learning curves", "confusion matrix", "reliability diagram", "Lift over best baseline".toLowerCase(), "Provenance");
        assertThat(html).doesNotContain("src=\"http", "href=\"http");
    }

    /** src/bench/check-report.sh in headless Chromium: the report passes, a copy with one broken image fails. */
    @Test
    void rendersInAHeadlessBrowserAndABrokenImageFails() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("kinglet.skipBrowser"), "-Dkinglet.skipBrowser=true");
        assertThat(Path.of("/usr/bin/chromium")).as("the report check needs Debian's chromium: apt-get install --no-install-recommends chromium "
                + "(or run with -Dkinglet.skipBrowser=true)").exists();
        Path script = TestData.root().resolve("src/bench/check-report.sh");
        Path report = result.runDir().resolve("report.html");
        var ok = browserCheck(script, report, tmp.resolve("ok.png"));
        assertThat(ok.code()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("report ok");
        assertThat(javax.imageio.ImageIO.read(tmp.resolve("ok.png").toFile()).getWidth()).isEqualTo(1280);
        Path broken = tmp.resolve("broken.html");
        Files.writeString(broken, Files.readString(report).replaceFirst("src=\"data:image/png;base64,[^\"]*\"", "src=\"data:image/png;base64,AAAA\""));
        var bad = browserCheck(script, broken, tmp.resolve("broken.png"));
        assertThat(bad.code()).as(bad.output()).isEqualTo(1);
        assertThat(bad.output()).contains("1 broken image");
    }

    record Exit(int code, String output) {}

    static Exit browserCheck(Path script, Path html, Path png) throws Exception {
        Process p = new ProcessBuilder("bash", script.toString(), html.toString(), png.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Exit(p.waitFor(), out);
    }

    @Test
    void reportOfAnInterruptedRunShowsMissingJobsAsMissing() throws Exception {
        // the job was killed: plan.json says running, its results were never written
        String id = "base.perClass20.f0.s1.m0";
        Path copy = copyWithJobRunning("interrupted", id);
        Files.delete(copy.resolve("jobs").resolve(id).resolve("results.json"));
        Files.delete(copy.resolve("jobs").resolve(id).resolve("outcome.json")); // a job deletes it when it starts
        Files.delete(copy.resolve("report.html"));
        var out = new ByteArrayOutputStream();
        int code = Main.execute(new PrintStream(out, true), System.err, "report", copy.toString());
        assertThat(code).as(out.toString()).isZero();
        var results = Json.PRETTY.readTree(copy.resolve("results.json").toFile());
        assertThat(results.get("missing").toString()).contains(id + " (running)");
        var rows = RunReport.read(copy).results().summary();
        var row = rows.stream().filter(x -> x.variant().equals("base") && x.point().equals("perClass20")).findFirst().orElseThrow();
        assertThat(row.results()).isEqualTo(1);
        var original = RunReport.read(result.runDir()).results().summary().stream()
                .filter(x -> x.variant().equals("base") && x.point().equals("perClass20")).findFirst().orElseThrow();
        assertThat(row.metrics().get("accuracy").mean()).isNotEqualTo(original.metrics().get("accuracy").mean());
        assertThat(Files.readString(copy.resolve("report.html"))).contains("1 result(s) missing").contains(id);
        try (var files = Files.list(copy)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("partial") || n.endsWith(".tmp"));
        }
    }

    @Test
    void reportOfAKilledRunWithWorkersCountsWhatTheWorkersFinished() throws Exception {
        // a worker finished the job and recorded its outcome; the run was killed before collecting it
        String id = "base.perClass20.f0.s1.m0";
        Path copy = copyWithJobRunning("killed-with-workers", id);
        assertThat(copy.resolve("jobs").resolve(id).resolve("outcome.json")).isRegularFile();
        var report = RunReport.read(copy);
        var row = report.results().summary().stream().filter(x -> x.variant().equals("base") && x.point().equals("perClass20")).findFirst().orElseThrow();
        var original = RunReport.read(result.runDir()).results().summary().stream()
                .filter(x -> x.variant().equals("base") && x.point().equals("perClass20")).findFirst().orElseThrow();
        assertThat(row.results()).isEqualTo(original.results());
        assertThat(row.metrics().get("accuracy").mean()).isEqualTo(original.metrics().get("accuracy").mean());
        assertThat(report.results().missing()).noneMatch(m -> m.startsWith(id));
    }

    /** A copy of the run in which plan.json says job {@code id} is still running. */
    private Path copyWithJobRunning(String name, String id) throws Exception {
        Path copy = tmp.resolve(name);
        copyTree(result.runDir(), copy);
        Path plan = copy.resolve("plan.json");
        String before = Files.readString(plan);
        String after = before.replaceFirst("(\"id\" : \"" + Pattern.quote(id) + "\",\\s*\"state\" : )\"done\"", "$1\"running\"");
        assertThat(after).isNotEqualTo(before);
        Files.writeString(plan, after);
        return copy;
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    @Test
    void warningsSayPlainlyWhichVariantFailedOrIsWorse() {
        var worse = new Stats.Summary(5, -0.041, 0.01, -0.05, -0.03);
        var noise = new Stats.Summary(5, -0.004, 0.01, -0.015, 0.007);
        var single = new Stats.Summary(1, -0.02, 0, -0.02, -0.02);
        List<RunReport.Row> rows = List.of(
                new RunReport.Row("augment", "all", 5, false, java.util.Map.of(), null, new RunReport.Lift("base", worse), 1),
                new RunReport.Row("cosine", "all", 5, false, java.util.Map.of(), null, new RunReport.Lift("base", noise), 2),
                new RunReport.Row("ensemble", "perClass10", 1, true, java.util.Map.of(), new RunReport.Lift("random forest (100 trees)", single), null, 3));
        List<RunReport.JobRow> jobs = List.of(
                new RunReport.JobRow("autoencoder.all.f0.s0.m0", "autoencoder", "all", 0, 0, 0, "failed", java.util.Map.of(), null, null, "pre-training failed: NaN", null),
                new RunReport.JobRow("autoencoder.all.f1.s0.m0", "autoencoder", "all", 1, 0, 0, "failed", java.util.Map.of(), null, null, "pre-training failed: NaN", null),
                new RunReport.JobRow("base.all.f0.s0.m0", "base", "all", 0, 0, 0, "done", java.util.Map.of(), 1.0, 10, null, null));
        var results = new RunReport.Results("r", "", "plan", "", List.of("accuracy"), rows, List.of(), List.of(), jobs, List.of(), List.of(),
                List.of(), java.util.Map.of(), null, null);
        assertThat(RunReport.warnings(results)).containsExactly(
                "variant autoencoder: 2 of 2 job(s) failed: pre-training failed: NaN",
                "augment is worse than base: -4.10 points [-5.00, -3.00] (n=5), the whole interval below zero",
                "ensemble @ perClass10 scored below random forest (100 trees): -2.00 points (n=1, no interval) on one split, with no interval to tell harm from noise");
    }
}
