package dev.kinglet.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kinglet.TestData;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.Augment;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.Tune;
import dev.kinglet.dsl.TuneRange;

/** Sobol points against PyTorch's SobolEngine, their stratification with a seeded shift, and the space they are mapped onto. */
class SamplerTest {
    /**
     * Points 777 and 1023 of PyTorch 1.13's {@code SobolEngine(21, scramble=False)} (same
     * direction numbers, Gray-code order), times 2^32:
     * {@code e = torch.quasirandom.SobolEngine(21, scramble=False); x = e.draw(1024, dtype=torch.float64); (x[777] * 2**32)}.
     */
    static final long[] TORCH_777 = {2973761536L, 4022337536L, 700448768L, 1178599424L, 2730491904L, 1530920960L, 817889280L, 3275751424L,
            1497366528L, 1388314624L, 3200253952L, 2990538752L, 1648361472L, 2034237440L, 2445279232L, 2210398208L, 1732247552L, 3711959040L,
            1589641216L, 3233808384L, 1019215872L};
    static final long[] TORCH_1023 = {4194304L, 3233808384L, 2629828608L, 624951296L, 801112064L, 1883242496L, 599785472L, 2654994432L,
            1480589312L, 3653238784L, 2915041280L, 155189248L, 557842432L, 2856321024L, 1556086784L, 1992294400L, 1346371584L, 3762290688L,
            2512388096L, 1371537408L, 3720347648L};

    static long[] scaled(double[] p) {
        return Arrays.stream(p).mapToLong(v -> (long) (v * 4294967296.0)).toArray();
    }

    @Test
    void unscrambledSobolEqualsPyTorchsInEveryDimension() {
        var sobol = new Sampler.Sobol(21, 0, false);
        assertThat(sobol.point(0)).containsOnly(0.0);
        assertThat(sobol.point(1)).containsOnly(0.5);
        assertThat(sobol.point(2)).startsWith(0.75, 0.25, 0.25, 0.25, 0.75, 0.75);
        assertThat(Arrays.equals(scaled(sobol.point(777)), TORCH_777)).as(Arrays.toString(scaled(sobol.point(777)))).isTrue();
        assertThat(Arrays.equals(scaled(sobol.point(1023)), TORCH_1023)).as(Arrays.toString(scaled(sobol.point(1023)))).isTrue();
    }

    @Test
    void shiftedSobolStratifiesEveryDimensionAndTheFirstPairLikeANet() {
        var sobol = new Sampler.Sobol(21, 12345);
        int m = 6, n = 1 << m;
        double[][] pts = new double[n][];
        for (int i = 0; i < n; i++) pts[i] = sobol.point(i);
        for (int d = 0; d < 21; d++) {
            int[] count = new int[n];
            for (double[] p : pts) count[(int) (p[d] * n)]++;
            assertThat(count).as("dimension " + d).containsOnly(1);
        }
        // dimensions 1 and 2 form a (0, m, 2)-net: one point in every box of 2^a x 2^b cells with a + b = m
        for (int a = 0; a <= m; a++) {
            int b = m - a;
            int[] count = new int[n];
            for (double[] p : pts) count[(int) (p[0] * (1 << a)) * (1 << b) + (int) (p[1] * (1 << b))]++;
            assertThat(count).as("boxes 2^%d x 2^%d", a, b).containsOnly(1);
        }
        // independent draws leave cells empty: the reason to prefer the sequence for few trials
        var random = new Sampler.Random(1, 12345);
        int[] count = new int[n];
        for (int i = 0; i < n; i++) count[(int) (random.point(i)[0] * n)]++;
        assertThat(count).contains(0);
    }

    @Test
    void samplersAreReproducibleBySeedAndIndex() {
        for (String kind : new String[] {"random", "sobol"}) {
            Sampler a = Sampler.of(kind, 4, 7), b = Sampler.of(kind, 4, 7), c = Sampler.of(kind, 4, 8);
            for (int i : new int[] {0, 5, 99}) {
                assertThat(a.point(i)).as(kind).containsExactly(b.point(i));
                assertThat(a.point(i)).as(kind).isNotEqualTo(c.point(i));
                assertThat(Arrays.stream(a.point(i)).allMatch(v -> v >= 0 && v < 1)).isTrue();
            }
            assertThat(a.point(3)).isNotEqualTo(a.point(4));
        }
        assertThatThrownBy(() -> Sampler.of("sobol", 22, 1)).isInstanceOf(RecipeException.class).hasMessageContaining("use sampler: random");
    }

    @Test
    void theSpaceKeepsLogScaleBoundsAndRoundsWholeNumbers() {
        Map<String, TuneRange> space = new LinkedHashMap<>();
        space.put("train.optimizer.lr", TuneRange.logUniform(1e-4, 1e-1));
        space.put("train.batchSize", TuneRange.choice(16, 32, 64));
        space.put("augment.train[1].degrees", TuneRange.uniform(0, 30));
        space.put("model.architecture.conv1", TuneRange.uniform(8, 16));
        var recipe = TestData.fashionRecipe(1, 32, 1)
                .withAugment(Augment.none().withTrain(new AugmentOp.HorizontalFlip(null, null), new AugmentOp.Rotate(10.0, null, null, null)))
                .withTune(Tune.of(space));
        Space s = Space.of(recipe);
        assertThat(s.integral()).containsExactly(false, true, false, true);
        Sampler sobol = Sampler.of("sobol", s.dimensions(), 3);
        int below = 0, n = 64;
        for (int i = 0; i < n; i++) {
            Map<String, Double> c = s.config(sobol.point(i));
            double lr = c.get("train.optimizer.lr");
            assertThat(lr).isBetween(1e-4, 1e-1);
            if (lr < Math.sqrt(1e-4 * 1e-1)) below++;
            assertThat(c.get("train.batchSize")).isIn(16.0, 32.0, 64.0);
            assertThat(c.get("model.architecture.conv1")).isEqualTo(Math.rint(c.get("model.architecture.conv1")));
            var applied = s.apply(recipe, c, 3, "test");
            assertThat(applied.train().epochs()).isEqualTo(3);
            assertThat(applied.train().optimizer().lr()).isEqualTo(lr);
            assertThat(((AugmentOp.Rotate) applied.augment().train().get(1)).degrees()).isEqualTo(c.get("augment.train[1].degrees"));
        }
        assertThat(below).as("half of the points below the geometric mean on a log scale").isEqualTo(n / 2);
    }

    @Test
    void aBoundThatMakesAnInvalidRecipeIsRefusedBeforeTraining() {
        var recipe = TestData.fashionRecipe(1, 32, 1).withTune(Tune.of(Map.of("train.optimizer.lr", TuneRange.logUniform(1e-3, 20))));
        assertThatThrownBy(() -> Space.of(recipe).checkBounds(recipe))
                .isInstanceOf(RecipeException.class)
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.space.train.optimizer.lr"))
                .hasMessageContaining("20.0").hasMessageContaining("must be in (0, 10)");
    }
}
