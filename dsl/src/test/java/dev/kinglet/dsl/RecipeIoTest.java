package dev.kinglet.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecipeIoTest {
    private final Recipe recipe = Recipe.of("fashion-quick", new Data(IdxSource.fashionMnist("test-data/fashion-mnist")))
            .withDescription("demo").withModel(new Model(new SmallCnn(16, null, null, 0.1)))
            .withTrain(new Train(new Sgd(0.05, null, null, true), 3, 32)).withSeed(7);

    @Test
    void jsonAndYamlRoundTrip() {
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(recipe), "json")).isEqualTo(recipe);
        String yaml = RecipeIo.toYaml(recipe);
        assertThat(yaml).contains("type: smallCnn").doesNotContain("!");
        assertThat(RecipeIo.fromYaml(yaml, "yaml")).isEqualTo(recipe);
    }

    @Test
    void defaultsFillWhatIsLeftOut() {
        Recipe r = RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                """, "tiny.yaml");
        assertThat(r.train().epochs()).isEqualTo(10);
        assertThat(r.train().optimizer()).isEqualTo(new Adam(1e-3, 0.0));
        assertThat(r.model().architecture()).isEqualTo(new SmallCnn(32, 64, 128, 0.25));
        assertThat(r.seed()).isEqualTo(42L);
    }

    @Test
    void unknownKeyIsAnErrorWithPathAndSuggestion() {
        assertThatThrownBy(() -> RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                train: {optimizer: {type: adam, lrr: 0.01}}
                """, "tiny.yaml"))
                .isInstanceOf(RecipeException.class)
                .hasMessageContaining("train.optimizer.lrr").hasMessageContaining("did you mean 'lr'");
    }

    @Test
    void aSemiSupervisedSectionReadsWithDefaultsAndRefusesTyposAndBadValuesByPath() {
        Recipe r = RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                semiSupervised: {type: pseudoLabel, threshold: 0.8, data: {type: unlabelledFolder, dir: scans}}
                """, "tiny.yaml");
        assertThat(r.semiSupervised()).isEqualTo(new PseudoLabel(0.8, 100, 1, 10_000, new UnlabelledFolder("scans"), null));
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(r), "round trip")).isEqualTo(r);
        assertThatThrownBy(() -> RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                semiSupervised: {type: pseudoLabel, treshold: 0.8}
                """, "tiny.yaml")).isInstanceOf(RecipeException.class).hasMessageContaining("semiSupervised.treshold").hasMessageContaining("did you mean 'threshold'");
        assertThatThrownBy(() -> RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                semiSupervised: {type: pseudoLabel, perClass: 0}
                """, "tiny.yaml")).isInstanceOf(RecipeException.class).hasMessageContaining("semiSupervised.perClass");
    }

    @Test
    void invalidValueNamesTheRecipePathAndAGoodValue() {
        assertThatThrownBy(() -> RecipeIo.fromJson("""
                {"name": "tiny", "data": {"source": {"type": "idx", "dir": "x"}}, "train": {"optimizer": {"type": "adam", "lr": -1}}}
                """, "tiny.json"))
                .isInstanceOf(RecipeException.class)
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("train.optimizer.lr"))
                .hasMessageContaining("e.g. 0.001");
        assertThatThrownBy(() -> new Train(null, 0, null)).hasMessageStartingWith("train.epochs:");
    }

    @Test
    void aStepBudgetBecomesEachJobsEpochs() {
        Recipe r = RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                train: {steps: 1500, batchSize: 32}
                """, "tiny.yaml");
        Train t = r.train();
        assertThat(t.budgetInSteps()).isTrue();
        Train job = t.forStepsPerEpoch(4); // 100 images at batch 32
        assertThat(job.epochs()).isEqualTo(375);
        assertThat(job.validateEverySteps()).as("about 20 validations").isEqualTo(75);
        assertThat(job.budgetInSteps()).isFalse();
        assertThat(job.forStepsPerEpoch(4)).isEqualTo(job);
        assertThat(t.budgetNote(4, 100)).isEqualTo("train.steps 1500: 375 epochs of 4 steps (100 images, batch 32; 1500 steps), validation every 75 steps");
        assertThat(t.forStepsPerEpoch(7).epochs()).as("rounded up to whole epochs").isEqualTo(215);
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(r), "again.json")).isEqualTo(r);

        Train floor = new Train(null, 30, 32).withMinSteps(1000);
        assertThat(floor.forStepsPerEpoch(4).epochs()).as("90-step run raised").isEqualTo(250);
        assertThat(floor.forStepsPerEpoch(100).epochs()).as("enough steps already").isEqualTo(30);
        assertThat(floor.budgetNote(4, 100)).startsWith("train.minSteps 1000 raised train.epochs 30 to 250 epochs");
        assertThat(new Train(null, 30, 32).forStepsPerEpoch(4).epochs()).as("no budget: epochs as written").isEqualTo(30);

        assertThatThrownBy(() -> new Train(null, 30, 32).withSteps(100).withMinSteps(10)).hasMessageStartingWith("train.minSteps:");
        assertThatThrownBy(() -> new Train(null, 30, 32).withSteps(0)).hasMessageStartingWith("train.steps:");
        assertThatThrownBy(() -> new Train(null, 3, 32).withFineTune(new FineTune(2, null, null)).withSteps(10).forStepsPerEpoch(10))
                .hasMessageStartingWith("train.fineTune.freezeEpochs:").hasMessageContaining("only 1 epoch(s)");
    }

    @Test
    void adamWHasItsDefaultsAndChecksItsBetas() {
        Recipe r = RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                train: {optimizer: {type: adamW}, ema: 0.99, earlyStopping: {metric: loss}}
                """, "tiny.yaml");
        assertThat(r.train().optimizer()).isEqualTo(new AdamW(1e-3, 0.01, java.util.List.of(0.9, 0.999)));
        assertThat(r.train().earlyStopping()).isEqualTo(new EarlyStopping("loss", 5));
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(r), "json")).isEqualTo(r);
        assertThatThrownBy(() -> RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                train: {optimizer: {type: adamW, betas: [0.9]}}
                """, "tiny.yaml"))
                .isInstanceOf(RecipeException.class)
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("train.optimizer.betas"));
    }
}
