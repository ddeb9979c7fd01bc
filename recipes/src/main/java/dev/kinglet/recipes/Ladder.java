package dev.kinglet.recipes;

import java.util.List;

import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.AutoSplit;
import dev.kinglet.dsl.Autoencoder;
import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.EmbeddingHead;
import dev.kinglet.dsl.Ensemble;
import dev.kinglet.dsl.FineTune;
import dev.kinglet.dsl.ImageFolder;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.PseudoLabel;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TorchVisionWeights;
import dev.kinglet.dsl.Train;
import dev.kinglet.dsl.Variant;

/**
 * The ladder: the small-data techniques in the order a practitioner should try them, as
 * variants of one recipe on your own image folder, ranked in the report by their lift over the
 * baselines (random forest and logistic regression on pixels, which every run trains on the
 * same splits). Each rung adds one technique to the one before:
 * <ol>
 * <li>{@code base}: a small CNN from scratch (Adam, one-cycle);
 * <li>{@code augment}: + small affine shifts, rotations and scaling (size-preserving); no flips,
 * which would change what a handwritten character or a chest X-ray means: where mirror images keep
 * their class (shoes, birds, leaves) a copy of this recipe adds {@code horizontalFlip}, as
 * {@code fashion-ladder} does;
 * <li>{@code cosine}: + the cosine loss with a cross-entropy head (Barz and Denzler, lambda 0.1);
 * <li>{@code pretrained}: an ImageNet ResNet-18 fine-tuned with the same augmentation — only when
 * TorchVision's weights are already in the weight cache (a run of any recipe that names them,
 * with network access, downloads them);
 * <li>{@code autoencoder}: the cosine rung with its small CNN's body first pre-trained as a
 * denoising autoencoder on the training images without their labels (add unlabelled images
 * with {@code pretrain.data} in a copy of this recipe);
 * <li>{@code ensemble}: the cosine rung as a 5-member deep ensemble;
 * <li>{@code pseudo-label}: the cosine rung self-trained ({@code semiSupervised: {type: pseudoLabel}}
 * with its defaults): a teacher labels the confident unlabelled training images, at most 100 per
 * class, and the job's model trains on both — only when a subset or learning curve leaves
 * training images without their labels.
 * </ol>
 * {@code kinglet run ladder --set data.root=DIR} (a folder of class sub-folders; images are
 * resized to 64x64). Its validation protocol is {@link AutoSplit auto}: up to 2,000 labelled
 * images every job trains on all of them, 5 times, so every lift has an interval; larger folders
 * get hold-outs of 20%. Add {@code --set learningCurve={perClass: [10, 20, 40], seeds: 3}} for
 * learning curves and the "would more labels pay?" estimate.
 */
public final class Ladder implements RecipeProvider {
    /** Shifts of up to 8%, scaling 0.92-1.08, applied to 80% of the images: size-preserving, and true of any image class. */
    static final AugmentOp SHIFTS = new AugmentOp.Affine(0.08, 0.92, 1.08, 0.0, 0.8, null, null);
    /** Mirror images: only for data whose classes survive them. */
    static final AugmentOp FLIPS = new AugmentOp.HorizontalFlip(0.5, null);

    @Override
    public Recipe recipe() {
        return ladder("ladder", new Data(new ImageFolder("data")).withImageSize(64, 64).withSplit(new AutoSplit(null)), 20, List.of(SHIFTS))
                .withDescription("The small-data ladder on your image folder: baseline, small CNN, + augmentation (shifts, no flips), + cosine loss, + pretrained ResNet-18 (if cached), + ensemble");
    }

    /** The ladder's base and rungs on {@code data}; the autoencoder trains for {@code autoencoderEpochs}; the rungs from {@code augment} on add {@code augmentation}. */
    static Recipe ladder(String name, Data data, int autoencoderEpochs, List<AugmentOp> augmentation) {
        Recipe base = Recipe.of(name, data)
                .withModel(new Model(new SmallCnn(32, 64, 128, 0.25)))
                .withTrain(new Train(new Adam(1e-3, 1e-4), 30, 32));
        Variant augment = Variant.of("augment", "augment.train", augmentation);
        Variant cosine = augment.withName("cosine").and("loss", new CosineLoss(0.1, null)).and("model.head", new EmbeddingHead(null));
        Variant pretrained = augment.withName("pretrained")
                .and("model", new Model(new ResNet(18, null), new TorchVisionWeights(null, true, null, null), null))
                .and("train.fineTune", new FineTune(1, 0.1, null))
                .when(Variant.WEIGHTS_AVAILABLE);
        Variant autoencoder = cosine.withName("autoencoder").and("pretrain", new Autoencoder(null, autoencoderEpochs, 0.1, null, null));
        Variant ensemble = cosine.withName("ensemble").and("ensemble", new Ensemble(5, null));
        Variant pseudoLabel = cosine.withName("pseudo-label").and("semiSupervised", PseudoLabel.defaults()).when(Variant.UNLABELLED_IMAGES);
        return base.withVariants(augment, cosine, pretrained, autoencoder, ensemble, pseudoLabel);
    }
}
