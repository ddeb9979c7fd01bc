package dev.kinglet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.CsvManifest;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.Fraction;
import dev.kinglet.dsl.KFold;
import dev.kinglet.dsl.PerClass;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;

/** CSV manifests of regression targets: the header names them, rows are numbers, errors name file, line and column. */
class RegressionManifestTest {
    @TempDir Path tmp;

    @BeforeAll
    static void start() {
        NativeRuntime.start(2, 0, Device.CPU);
    }

    static Data regression(Path manifest) {
        return new Data(new CsvManifest(manifest.toString(), CsvManifest.Task.REGRESSION));
    }

    /** A manifest in {@code tmp} over copies of three regression-mini images, with the given rows after the header. */
    Path manifest(String header, String rows) throws Exception {
        Path images = TestData.root().resolve("test-data/regression-mini/images");
        Files.createDirectories(tmp.resolve("img"));
        for (String f : List.of("0007.png", "0009.png", "0018.png")) Files.copy(images.resolve(f), tmp.resolve("img").resolve(f));
        Files.copy(images.resolve("0020.png"), tmp.resolve("outside.png"));
        Path m = tmp.resolve("sub");
        Files.createDirectories(m);
        Files.move(tmp.resolve("img"), m.resolve("img"));
        Path file = m.resolve("targets.csv");
        Files.writeString(file, header + "\n" + rows);
        return file;
    }

    @Test
    void theCommittedManifestGivesFloatTargetsNamedByTheHeaderAndAPlainRandomTestShare() throws Exception {
        Path file = TestData.root().resolve("test-data/regression-mini/manifest.csv");
        List<String> lines = Files.readAllLines(file);
        try (var split = Datasets.load(regression(file), Path.of(""), 3)) {
            assertThat(split.train().isRegression()).isTrue();
            assertThat(split.train().targetNames()).containsExactly("brightness", "asymmetry");
            assertThat(split.train().classes()).isEmpty();
            assertThat(split.train().outputs()).isEqualTo(2);
            assertThat(split.train().strata()).isEqualTo(1);
            assertThat(split.test().size()).isEqualTo(48); // 20% of 240, no stratification
            assertThat(split.train().size()).isEqualTo(192);
            // every image's targets are its manifest row's, and its pixels give them back (the generator's formulas)
            Set<String> rows = new HashSet<>(lines.subList(1, lines.size()).stream().map(l -> l.substring(l.indexOf(',') + 1)).toList());
            for (ImageSet set : List.of(split.train(), split.test())) {
                var px = set.pixels();
                for (int i = 0; i < set.size(); i++) {
                    float[] t = set.targets(i);
                    assertThat(rows).contains(String.format(java.util.Locale.ROOT, "%.6f,%.6f", t[0], t[1]));
                    byte[] img = px.get(set.row(i));
                    double sum = 0, left = 0, right = 0;
                    for (int y = 0; y < 28; y++) {
                        for (int x = 0; x < 28; x++) {
                            double v = (img[y * 28 + x] & 0xFF) / 255.0;
                            sum += v;
                            if (x < 14) left += v; else right += v;
                        }
                    }
                    assertThat(sum / 784).isCloseTo(t[0], org.assertj.core.data.Offset.offset(1e-5));
                    assertThat((left - right) / 392 * 4).isCloseTo(t[1], org.assertj.core.data.Offset.offset(1e-5));
                }
            }
            // a regression subset is a view that keeps its images' targets
            ImageSet part = split.train().select(new int[] {5, 2});
            assertThat(Arrays.equals(part.targets(), concat(split.train().targets(5), split.train().targets(2)))).isTrue();
            part.close();
            // k-fold over one stratum: a plain random k-fold that covers every image once
            Set<Integer> seen = new HashSet<>();
            for (int k = 0; k < 4; k++) {
                for (int p : Splits.fold(new KFold(4, 1), split.train().labels(), split.train().strata(), k, 1).validation()) assertThat(seen.add(p)).isTrue();
            }
            assertThat(seen).hasSize(192);
            assertThat(Splits.subset(new Fraction(0.25), split.train().labels(), split.train().strata(), 1)).hasSize(48);
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void aNonNumericOrMissingTargetNamesFileLineAndColumn() throws Exception {
        Path bad = manifest("path,brightness,asymmetry", "img/0007.png,0.1,0.2\nimg/0009.png,0.3,left\n");
        assertThatThrownBy(() -> Datasets.load(regression(bad), Path.of(""), 1))
                .hasMessageContaining(bad + ":3: column 3 (asymmetry): 'left' is not a number");
        Files.writeString(bad, "path,brightness,asymmetry\nimg/0007.png,0.1,0.2\n\nimg/0009.png,,0.5\n");
        assertThatThrownBy(() -> Datasets.load(regression(bad), Path.of(""), 1))
                .hasMessageContaining(bad + ":4: column 2 (brightness): missing value");
        Files.writeString(bad, "path,brightness,asymmetry\nimg/0007.png,0.1\n");
        assertThatThrownBy(() -> Datasets.load(regression(bad), Path.of(""), 1))
                .hasMessageContaining(bad + ":2: expected 'path,brightness,asymmetry'");
    }

    @Test
    void aRegressionManifestNeedsAHeaderAndKeepsItsPathsInsideItsFolder() throws Exception {
        Path noHeader = manifest("img/0007.png,0.1,0.2", "img/0009.png,0.3,0.4\n");
        assertThatThrownBy(() -> Datasets.load(regression(noHeader), Path.of(""), 1))
                .hasMessageContaining(noHeader + ":1: a regression manifest starts with a header row naming its targets");
        Files.writeString(noHeader, "path,brightness\nimg/0007.png,0.1\n../outside.png,0.2\nimg/0009.png,0.3\nimg/0018.png,0.4\n");
        assertThatThrownBy(() -> Datasets.load(regression(noHeader), Path.of(""), 1))
                .hasMessageContaining(":3: path '../outside.png' leaves the manifest's folder");
        try (var split = Datasets.load(regression(noHeader).withSkipBadFiles(true), Path.of(""), 1)) {
            assertThat(split.skipped()).singleElement().asString().contains("leaves the manifest's folder");
            assertThat(split.train().size() + split.test().size()).isEqualTo(3);
            assertThat(split.train().targetNames()).containsExactly("brightness");
        }
    }

    @Test
    void perClassSubsetsAndClassListsAreRefusedForRegression() {
        var source = new CsvManifest("m.csv", CsvManifest.Task.REGRESSION);
        assertThatThrownBy(() -> new Data(source, null, new PerClass(10), null, null, null)).isInstanceOf(RecipeException.class)
                .hasMessageStartingWith("data.subset: perClass counts images per class, but a regression task");
        assertThatThrownBy(() -> new Data(source).withClasses(List.of("a", "b"))).isInstanceOf(RecipeException.class)
                .hasMessageStartingWith("data.classes:");
    }
}
