package dev.kinglet.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/**
 * The cosine loss of Barz and Denzler ("Deep Learning on Small Datasets using Cosine Loss",
 * WACV 2020) over a network's embedding output {@code f(x)} [N, D]: with {@code psi} the
 * L2-normalised embedding and {@code phi(c)} the unit class embeddings (one-hot, or semantic from
 * a {@link ClassHierarchy}),
 * <pre>
 * loss = mean_n (1 - &lt;phi(y_n), psi(f(x_n))&gt;)  +  lambda * crossEntropy(classifier(psi), y)
 * </pre>
 * The second term is their combined loss: a linear classifier on the normalised embedding,
 * owned by the network, trained with softmax cross-entropy (lambda 0.1 in the paper; 0 leaves
 * it out). A class is predicted by the nearest class embedding: argmax over c of
 * {@code <phi(c), psi>}.
 *
 * <p>The class embedding matrix lives on the device from construction to {@link #close}; the
 * tensors each call returns belong to the caller's {@link Scope}.
 */
public final class CosineObjective implements AutoCloseable {
    /**
     * {@link #probabilities} are {@code softmax(scores / TEMPERATURE)}. Scores are cosines in
     * [-1, 1]; at temperature 1 a softmax over them stays near uniform (two classes at most
     * e^2 apart), at 0.1 a sure prediction (score 1, others 0) of 100 classes gets 0.996.
     */
    public static final double TEMPERATURE = 0.1;

    private final Tensor classEmbeddings;
    private final int classes, dim;
    private final double lambda;

    /**
     * @param classEmbeddings unit rows {@code phi(c)}, one per class ({@code [K][<= dim]}), e.g.
     *                        {@link ClassHierarchy#embeddings()} or {@link ClassHierarchy#oneHot}
     * @param dim             the network's embedding size D: the rows are padded with zeros to it
     * @param lambda          weight of the classifier's cross-entropy (0: cosine loss alone)
     * @param device          where the embedding outputs will be (resolved)
     */
    public CosineObjective(double[][] classEmbeddings, int dim, double lambda, Device device) {
        int k = classEmbeddings.length;
        if (k < 1) throw new IllegalArgumentException("no class embeddings");
        if (!(lambda >= 0)) throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        float[] flat = new float[k * dim];
        for (int c = 0; c < k; c++) {
            double[] row = classEmbeddings[c];
            if (row.length > dim) {
                throw new RecipeException("model.head.dim", dim + " dimensions cannot hold the cosine loss's " + row.length
                        + "-dimensional class embeddings (one dimension per class): leave dim out or set it >= " + row.length);
            }
            double norm = 0;
            for (int j = 0; j < row.length; j++) {
                flat[c * dim + j] = (float) row[j];
                norm += row[j] * row[j];
            }
            if (Math.abs(norm - 1) > 1e-6) throw new IllegalArgumentException("class embedding " + c + " has norm " + Math.sqrt(norm) + ", not 1");
        }
        this.classes = k;
        this.dim = dim;
        this.lambda = lambda;
        try (var scope = Scope.noGrad()) {
            Tensor t = TensorMemory.fromFloats(flat, k, dim);
            if (device.isCuda()) t = t.to(device.torch(), t.scalar_type());
            this.classEmbeddings = scope.keep(t);
        }
    }

    /**
     * The objective a recipe's {@code loss: {type: cosine}} asks for: semantic class embeddings
     * from {@code loss.hierarchy} (resolved against {@code base}) or one-hot ones without it.
     *
     * @param classes the data's class names, in label order
     * @param dim     the network's embedding size ({@code model.head.dim}, by default the number of classes)
     */
    public static CosineObjective of(CosineLoss loss, List<String> classes, Path base, int dim, Device device) throws IOException {
        double[][] phi = loss.hierarchy() == null ? ClassHierarchy.oneHot(classes.size())
                : ClassHierarchy.read(base.resolve(loss.hierarchy()), classes).embeddings();
        return new CosineObjective(phi, dim, loss.lambda(), device);
    }

    /** {@code f / max(||f||_2, 1e-12)} per row: what the loss, the scores and the combined loss's classifier see. */
    public static Tensor normalise(Tensor embedding) {
        return torch.normalize(embedding);
    }

    /**
     * The mean loss of a batch, a scalar tensor to call {@code backward()} on.
     *
     * @param embedding the network's embedding output {@code f(x)} [N, D] (normalised here)
     * @param logits    the combined loss's classifier applied to {@link #normalise normalise(f(x))},
     *                  [N, K]; required when lambda > 0, null when lambda is 0
     * @param labels    int64 class indices [N]
     */
    public Tensor loss(Tensor embedding, Tensor logits, Tensor labels) {
        checkEmbedding(embedding);
        if (labels.dim() != 1 || labels.size(0) != embedding.size(0)) {
            throw new IllegalArgumentException("labels must be [" + embedding.size(0) + "], got " + Arrays.toString(labels.sizes().vec().get()));
        }
        if ((logits != null) != (lambda > 0)) {
            throw new IllegalArgumentException(lambda > 0 ? "lambda " + lambda + " needs the classifier's logits on the normalised embedding"
                    : "lambda is 0: the cosine loss alone takes no logits (the network should have no classifier for it)");
        }
        Tensor cosine = normalise(embedding).mul(classEmbeddings.index_select(0, labels)).sum(1);
        Tensor loss = torch.rsub(cosine.mean(), new Scalar(1.0));
        if (logits == null) return loss;
        if (logits.dim() != 2 || logits.size(0) != embedding.size(0) || logits.size(1) != classes) {
            throw new IllegalArgumentException("logits must be [" + embedding.size(0) + ", " + classes + "], got " + Arrays.toString(logits.sizes().vec().get()));
        }
        return loss.add(torch.cross_entropy(logits, labels).mul(new Scalar(lambda)));
    }

    /** Cosine similarities {@code <phi(c), psi(f(x))>} of every image to every class, [N, K], in [-1, 1]. */
    public Tensor scores(Tensor embedding) {
        checkEmbedding(embedding);
        return normalise(embedding).matmul(classEmbeddings.t());
    }

    /** The nearest class embedding of each image, int64 [N]. */
    public Tensor predict(Tensor embedding) {
        return scores(embedding).argmax(new LongOptional(1), false);
    }

    /**
     * Softmax-like class probabilities, [N, K]: {@code softmax(scores / TEMPERATURE)}. Their
     * argmax is {@link #predict}'s; they are not calibrated (semantic embeddings keep some mass
     * on a class's siblings), but they average across views and models as probabilities do.
     */
    public Tensor probabilities(Tensor embedding) {
        return torch.softmax(scores(embedding).div(new Scalar(TEMPERATURE)), 1);
    }

    private void checkEmbedding(Tensor embedding) {
        if (embedding.dim() != 2 || embedding.size(1) != dim) {
            throw new IllegalArgumentException("embedding must be [N, " + dim + "], got " + Arrays.toString(embedding.sizes().vec().get()));
        }
    }

    /** The class embeddings {@code phi}, [K, D], borrowed: valid until {@link #close}. */
    public Tensor classEmbeddings() {
        return classEmbeddings;
    }

    public int classes() {
        return classes;
    }

    public int dim() {
        return dim;
    }

    public double lambda() {
        return lambda;
    }

    @Override
    public void close() {
        classEmbeddings.close();
    }
}
