package dev.kinglet.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every record of the recipe format through JSON and YAML, and every invalid case with its path. */
class RecipeFormatTest {
    static final Data DATA = new Data(IdxSource.fashionMnist("test-data/fashion-mnist"));

    /** A recipe using every record type at least once. */
    static Recipe everything() {
        return Recipe.of("everything", new Data(new ImageFolder("data/birds"), new KFold(5, 2), new PerClass(10), List.of(64, 64), 3, 0.25).withSkipBadFiles(true))
                .withDescription("all sections")
                .withBaseline(new Baseline(List.of(new RandomForest(100), new LogisticRegression(0.01)),
                        new BackboneFeatures(new ResNet(18), new TorchVisionWeights(null, true, null))))
                .withModel(new Model(new WideResNet(16, 4, 0.3, true), new WeightsFile("w.safetensors", false, true), new EmbeddingHead(64)))
                .withPretrain(new Autoencoder(new UnlabelledFolder("data/unlabelled"), 5, 0.2, null, 32))
                .withAugment(new Augment(List.of(
                        new AugmentOp.RandomResizedCrop(List.of(64), null, null, null, null), new AugmentOp.Resize(List.of(72, 72)),
                        new AugmentOp.CenterCrop(List.of(64, 64)), new AugmentOp.Pad(4, "reflect"),
                        new AugmentOp.HorizontalFlip(null, new LabelRule(List.of("angle"), Map.of("left", "right"))),
                        new AugmentOp.VerticalFlip(0.1, null), new AugmentOp.Rotate(10.0, null, null, null),
                        new AugmentOp.Affine(null, null, null, null, null, null, "nearest"), new AugmentOp.Perspective(null, null, null, null),
                        new AugmentOp.ColorJitter(0.2, 0.2, 0.2, 0.05), new AugmentOp.Grayscale(null),
                        new AugmentOp.GaussianBlur(5, null, null, null), new AugmentOp.GaussianNoise(null, null),
                        new AugmentOp.RandomErasing(null, null, null), new AugmentOp.RandAugment(2, 9), new AugmentOp.TrivialAugmentWide(),
                        new MixUp(null, null), new CutMix(null, 0.5)),
                        List.of(new AugmentOp.Resize(List.of(72)), new AugmentOp.CenterCrop(List.of(64)),
                                new AugmentOp.Normalize(List.of(0.5, 0.5, 0.5), List.of(0.25, 0.25, 0.25))),
                        new Tta(4, null, List.of(new AugmentOp.HorizontalFlip(null, null)))))
                .withLoss(new CosineLoss(0.1, "data/hierarchy.csv"))
                .withTrain(new Train(new Sgd(0.1, null, null, true), new Schedule.CosineRestarts(5, 2, null), 35, 32,
                        new FineTune(2, 0.1, true), 1.0, 0.999, "mixed", new EarlyStopping("loss", 3)))
                .withEnsemble(new Ensemble(3, true))
                .withLearningCurve(new LearningCurve(List.of(5, 10, 20), null, 3, 0.9))
                .withVariants(Variant.of("ce", "loss", new CrossEntropy(0.1)).and("train.optimizer.lr", 0.05),
                        Variant.of("adam", "train.optimizer", new Adam(null, 1e-4)),
                        Variant.of("flip", "augment.train", List.of(new AugmentOp.HorizontalFlip(null, null))))
                .withOutput(new Output(false, false));
    }

    static Stream<Recipe> recipes() {
        Recipe small = Recipe.of("small", DATA);
        return Stream.of(small, everything(),
                small.withTrain(Train.defaults().withSchedule(new Schedule.Constant())),
                small.withTrain(Train.defaults().withSchedule(new Schedule.Cosine(1.0, 0.01))),
                small.withTrain(Train.defaults().withSchedule(new Schedule.Step(10, 0.5))),
                small.withData(new Data(new CsvManifest("data/labels.csv", CsvManifest.Task.REGRESSION), new Holdout(0.1, 5), new Fraction(0.5), null, 1, null)),
                small.withModel(new Model(new Mlp(List.of(256), 0.1))),
                small.withModel(new Model(new MobileNetV2(0.5))),
                small.withModel(new Model(new ResNet(34, true))),
                small.withModel(new Model(new MobileNetV3Small(), new TorchVisionWeights("IMAGENET1K_V1", null, null), new LinearHead(0.2))),
                small.withModel(new Model(new TorchScriptBackbone("b.pt", 512))),
                small.withLearningCurve(new LearningCurve(null, List.of(0.1, 0.5, 1.0), 2, null)),
                small.withBaseline(Baseline.none()));
    }

    @ParameterizedTest
    @MethodSource("recipes")
    void roundTripsThroughJsonAndYaml(Recipe r) {
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(r), "json")).isEqualTo(r);
        String yaml = RecipeIo.toYaml(r);
        assertThat(yaml).doesNotContain("!<");
        assertThat(RecipeIo.fromYaml(yaml, "yaml")).isEqualTo(r);
    }

    @Test
    void yamlUsesReadableTypeNames() {
        String yaml = RecipeIo.toYaml(everything());
        assertThat(yaml).contains("type: randomResizedCrop").contains("type: wideResNet").contains("type: cosineRestarts")
                .contains("type: kFold").contains("type: perClass");
    }

    static Stream<Arguments> invalid() {
        String head = "name: bad\ndata: {source: {type: idx, dir: d}}\n";
        return Stream.of(
                Arguments.of(head + "train: {optimizer: {type: adam, lr: 0}}", "train.optimizer.lr", "e.g. 0.001"),
                Arguments.of(head + "train: {optimizer: {type: adam, lrr: 0.1}}", "train.optimizer.lrr", "did you mean 'lr'"),
                Arguments.of(head + "train: {epochz: 3}", "train.epochz", "did you mean 'epochs'"),
                Arguments.of(head + "train: {batchSize: 0}", "train.batchSize", "e.g. 64"),
                Arguments.of(head + "train: {precision: half}", "train.precision", "float32 or mixed"),
                Arguments.of(head + "train: {schedule: {type: oneCycle, pctStart: 2}}", "train.schedule.pctStart", "e.g. 0.25"),
                Arguments.of(head + "train: {schedule: {type: oneCycel}}", "train.schedule", "oneCycel"),
                Arguments.of(head + "model: {architecture: {type: resnet, depth: 20}}", "model.architecture.depth", "18, 34 or 50"),
                Arguments.of(head + "model: {architecture: {type: wideResNet, depth: 15}}", "model.architecture.depth", "6n+4"),
                Arguments.of(head + "model: {architecture: {type: resnet, harmonic: true}, weights: {type: torchvision}}", "model.weights", "harmonic: false"),
                Arguments.of(head + "model: {architecure: {type: resnet}}", "model.architecure", "did you mean 'architecture'"),
                Arguments.of(head + "augment: {train: [{type: horizontalFlip}, {type: rotate, degrees: 400}]}", "augment.train[1].degrees", "e.g. 15"),
                Arguments.of(head + "augment: {train: [{type: horizontalFlip, p: 2}]}", "augment.train[0].p", "probability"),
                Arguments.of(head + "augment: {eval: [{type: resize, size: [32]}, {type: rotate}]}", "augment.eval[1]", "is random"),
                Arguments.of(head + "augment: {tta: {views: 2, ops: [{type: mixUp}]}}", "augment.tta.ops[0]", "augment.train"),
                Arguments.of(head + "loss: {type: cosine, lambda: -1}", "loss.lambda", "e.g. 0.1"),
                Arguments.of(head + "ensemble: {members: 0}", "ensemble.members", "e.g. 5"),
                Arguments.of(head + "ensemble: {snapshots: true}", "ensemble.snapshots", "cosineRestarts"),
                Arguments.of(head + "learningCurve: {perClass: [50, 10]}", "learningCurve", "increasing"),
                Arguments.of(head + "learningCurve: {seeds: 3}", "learningCurve", "either perClass"),
                Arguments.of(head + "variants: [{name: base, set: {loss: {type: cosine}}}]", "variants[0].name", "names the recipe itself"),
                Arguments.of("name: Bad Name\ndata: {source: {type: idx, dir: d}}", "name", "e.g. fashion-quick"),
                Arguments.of("name: nodata", "data", "missing"),
                Arguments.of("name: bad\ndata: {source: {type: unlabelledFolder, dir: d}}", "data.source", "pretrain.data"),
                Arguments.of("name: bad\ndata: {source: {type: idx, dir: d}, split: {type: kFold, k: 1}}", "data.split.k", "e.g. 5"),
                Arguments.of("name: bad\ndata: {source: {type: idx, dir: d}, subset: {type: perClass}}", "data.subset.n", "e.g. 10"),
                Arguments.of("name: bad\ndata: {source: {type: idx, dir: d}, channels: 2}", "data.channels", "1 (grayscale) or 3"),
                Arguments.of("name: bad\ndata: {source: {type: idx, dir: d}, skipBadFiles: true}", "data.skipBadFiles", "imageFolder and csvManifest"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidRecipesNameTheirPathAndAGoodValue(String yaml, String path, String hint) {
        assertThatThrownBy(() -> RecipeIo.fromYaml(yaml, "bad.yaml"))
                .isInstanceOf(RecipeException.class)
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo(path))
                .hasMessageContaining(hint);
    }

    @Test
    void overridesAreValidatedLikeFiles() {
        Recipe base = Recipe.of("small", DATA);
        Recipe r = RecipeIo.override(base, Map.of("train.optimizer.lr", RecipeIo.parseValue("0.01"),
                "data.subset", RecipeIo.parseValue("{type: perClass, n: 10}")), "--set");
        assertThat(r.train().optimizer().lr()).isEqualTo(0.01);
        assertThat(r.data().subset()).isEqualTo(new PerClass(10));
        assertThatThrownBy(() -> RecipeIo.override(base, Map.of("train.optimizer.lr", RecipeIo.parseValue("-1")), "--set"))
                .hasMessageStartingWith("train.optimizer.lr:");
        assertThatThrownBy(() -> RecipeIo.override(base, Map.of("trian.epochs", RecipeIo.parseValue("3")), "--set"))
                .hasMessageContaining("did you mean 'train'");
    }

    @Test
    void variantsResolveAgainstTheBase() {
        Recipe r = everything();
        Recipe ce = RecipeIo.resolve(r, r.variants().get(0));
        assertThat(ce.loss()).isEqualTo(new CrossEntropy(0.1));
        assertThat(ce.train().optimizer().lr()).isEqualTo(0.05);
        assertThat(ce.variants()).isEmpty();
        assertThat(ce.model()).isEqualTo(r.model());
        Recipe flip = RecipeIo.resolve(r, r.variants().get(2));
        assertThat(flip.augment().train()).containsExactly(new AugmentOp.HorizontalFlip(null, null));
        assertThat(flip.augment().eval()).isEqualTo(r.augment().eval());
    }
}
