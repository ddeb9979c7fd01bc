package dev.kinglet.train;

import java.io.IOException;

import org.bytedeco.pytorch.CrossEntropyLossOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.Loss;
import dev.kinglet.dsl.RegressionLoss;
import dev.kinglet.model.Network;

/**
 * What a network is trained to minimise and how its output reads as classes: chosen once from
 * the recipe's {@link Loss} by {@link #of}, and used by the training step, evaluation and
 * {@code check} alike. Cross-entropy and the cosine loss score classes; regression scores
 * standardised targets. {@link Reconstruction} is no recipe loss: autoencoder pre-training
 * trains through the same loop with it.
 */
public sealed interface Objective extends AutoCloseable permits Objective.CrossEntropy, Objective.Cosine, Objective.Regression, Objective.Reconstruction {

    /**
     * The objective of {@code loss}; on a set with regression targets a classification loss
     * (the recipe's default) stands for mean squared error. {@code cosine} builds the cosine
     * loss's class embeddings when that is the loss (the objective then owns them).
     */
    static Objective of(Loss loss, boolean regressionTargets, CosineFactory cosine) throws IOException {
        if (regressionTargets) return new Regression(loss instanceof RegressionLoss r ? new RegressionObjective(r) : RegressionObjective.MSE);
        return switch (loss) {
            case dev.kinglet.dsl.CrossEntropy ce -> new CrossEntropy(ce.labelSmoothing());
            case CosineLoss c -> new Cosine(cosine.get());
            case RegressionLoss r -> throw new dev.kinglet.dsl.RecipeException("loss", "is " + r.getClass().getSimpleName()
                    + ", a regression loss, but the data has class labels: use crossEntropy or cosine, or give the data regression targets");
        };
    }

    /** Builds the cosine loss's class embeddings (reading a class hierarchy file, maybe). */
    interface CosineFactory {
        CosineObjective get() throws IOException;
    }

    /** The loss of a batch's {@code output} against its class indices or standardised targets. */
    Tensor loss(Tensor output, Tensor targets, Network model);

    /** What the network sees of a batch's images: the images themselves, except for a denoising {@link Reconstruction}. */
    default Tensor input(Tensor images) {
        return images;
    }

    /** Scores whose argmax is the predicted class (classification). */
    default Tensor scores(Tensor output) {
        return output;
    }

    /** Class probabilities (classification). */
    default Tensor probabilities(Tensor output) {
        return torch.softmax(output, 1);
    }

    @Override
    default void close() {}

    /** Cross-entropy on logits, with label smoothing (0: none). */
    final class CrossEntropy implements Objective {
        private final CrossEntropyLossOptions options = new CrossEntropyLossOptions();
        private final double labelSmoothing;

        public CrossEntropy(double labelSmoothing) {
            this.labelSmoothing = labelSmoothing;
            options.label_smoothing().put(labelSmoothing);
        }

        public double labelSmoothing() {
            return labelSmoothing;
        }

        @Override
        public Tensor loss(Tensor output, Tensor targets, Network model) {
            return torch.cross_entropy(output, targets, options);
        }

        @Override
        public void close() {
            options.close();
        }
    }

    /** The cosine loss on the network's embedding (Barz and Denzler), plus its classifier's cross-entropy when lambda > 0. */
    record Cosine(CosineObjective cosine) implements Objective {
        @Override
        public Tensor loss(Tensor output, Tensor targets, Network model) {
            Tensor classifier = cosine.lambda() > 0 ? model.embeddingClassifier(CosineObjective.normalise(output)) : null;
            return cosine.loss(output, classifier, targets);
        }

        @Override
        public Tensor scores(Tensor output) {
            return cosine.scores(output);
        }

        @Override
        public Tensor probabilities(Tensor output) {
            return cosine.probabilities(output);
        }

        @Override
        public void close() {
            cosine.close();
        }
    }

    /** A regression loss on standardised targets. */
    record Regression(RegressionObjective regression) implements Objective {
        @Override
        public Tensor loss(Tensor output, Tensor targets, Network model) {
            return regression.loss(output, targets);
        }
    }

    /**
     * Mean squared error between the network's output and the clean images it is given as
     * targets, the input carrying Gaussian noise of per-channel std {@code noiseStd} (on the
     * normalised scale; null: no noise), drawn from LibTorch's generator, which the loop seeds
     * per epoch: a denoising autoencoder.
     */
    record Reconstruction(float[] noiseStd) implements Objective {
        @Override
        public Tensor input(Tensor images) {
            if (noiseStd == null) return images;
            Tensor std = dev.kinglet.natives.TensorMemory.fromFloats(noiseStd, 1, noiseStd.length, 1, 1);
            if (!images.device().is_cpu()) std = std.to(images.device(), std.scalar_type());
            return images.add(torch.randn_like(images).mul(std));
        }

        @Override
        public Tensor loss(Tensor output, Tensor targets, Network model) {
            return torch.mse_loss(output, targets);
        }
    }
}
