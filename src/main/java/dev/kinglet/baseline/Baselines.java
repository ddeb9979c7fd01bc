package dev.kinglet.baseline;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.BackboneFeatures;
import dev.kinglet.dsl.Baseline;
import dev.kinglet.dsl.BaselineModel;
import dev.kinglet.dsl.Features;
import dev.kinglet.dsl.LogisticRegression;
import dev.kinglet.dsl.XGBoost;
import dev.kinglet.dsl.PixelFeatures;
import dev.kinglet.dsl.RandomForest;
import dev.kinglet.train.Evaluation;

/**
 * The simple models every deep result is compared with, trained on the same
 * training images and scored on the same test images as a deep job.
 *
 * <p>Random forest: {@link HistogramForest}, scikit-learn's {@code RandomForestClassifier()}
 * apart from the number of trees, on features binned once (exact for pixels).
 *
 * <p>Logistic regression, as scikit-learn's {@code LogisticRegression(solver="liblinear",
 * C=1/(l2·n), tol=1e-4)} for {@code n} training images: LIBLINEAR's exact primal solver, one
 * binary model per class (one-vs-rest; scikit-learn's default lbfgs solver fits one softmax
 * instead), probabilities the per-class sigmoids normalised to sum to one, the intercept a
 * constant feature penalised with the weights. The objective per class is the mean log-loss
 * plus {@code l2/2 · |w|²}, so {@code l2} is the weight decay of a deep job and scikit-learn's
 * default {@code C = 1} is {@code l2 = 1/n}.
 */
public final class Baselines {
    private Baselines() {}

    // Held here so the level sticks: java.util.logging keeps loggers only weakly. Tribuo logs
    // every tree at INFO; Kinglet prints its own progress.
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");
    static {
        TRIBUO_LOG.setLevel(Level.WARNING);
    }

    static final int TREES_PER_TASK = 25;
    private static final int PREDICT_CHUNK = 500;
    /** LIBLINEAR's stopping tolerance, scikit-learn's default {@code tol}. */
    private static final double LR_TOLERANCE = 1e-4;
    private static final int LR_MAX_ITERATIONS = 1000;
    private static final LabelFactory LABELS = new LabelFactory();

    /**
     * One baseline model's test results. {@code probabilities[i][c]} is the model's probability
     * of class {@code c} for test image {@code i}; {@code seconds} is training plus prediction,
     * {@code featureSeconds} the features of train and test, shared by the models of one
     * {@link #run}.
     */
    public record Result(String name, BaselineModel model, Evaluation test, double seconds, double featureSeconds,
                         int[] predicted, float[][] probabilities) {
        public double accuracy() { return test.accuracy(); }
        public double balancedAccuracy() { return test.balancedAccuracy(); }
    }

    /**
     * Trains every model of {@code spec} on {@code train} and scores it on {@code test}, with
     * {@code seed} for their random choices (same seed, same predictions). {@code backbone}
     * computes the features when {@code spec.features()} is a backbone and is otherwise unused
     * (may be null then).
     */
    public static List<Result> run(Baseline spec, ImageSet train, ImageSet test, long seed, FeatureExtractor backbone) {
        if (!train.classes().equals(test.classes())) {
            throw new IllegalArgumentException("train and test sets have different classes: " + train.classes() + " vs " + test.classes());
        }
        FeatureExtractor features = train.isTable() ? TABLE_ROWS : extractor(spec.features(), backbone);
        long t0 = System.nanoTime();
        float[][] xTrain = features.extract(train), xTest = features.extract(test);
        double featureSeconds = (System.nanoTime() - t0) / 1e9;
        List<Result> out = new ArrayList<>();
        for (BaselineModel m : spec.models()) {
            out.add(fit(m, xTrain, train.labels(), xTest, test.labels(), train.classes(), seed, featureSeconds));
        }
        return out;
    }

    /** A table's (encoded) rows as they are. */
    static final FeatureExtractor TABLE_ROWS = set -> {
        float[][] x = new float[set.size()][];
        for (int i = 0; i < x.length; i++) x[i] = set.tableRow(i);
        return x;
    };

    /** The extractor {@code features} asks for; {@code backbone} must be given for backbone features. */
    public static FeatureExtractor extractor(Features features, FeatureExtractor backbone) {
        return switch (features) {
            case PixelFeatures p -> PixelExtractor.of(p);
            case BackboneFeatures b -> {
                if (backbone == null) {
                    throw new IllegalArgumentException("baseline.features is a backbone (" + b.architecture()
                            + "): its FeatureExtractor must be passed to Baselines.run");
                }
                yield backbone;
            }
        };
    }

    /**
     * Trains {@code model} on feature vectors {@code xTrain} with labels {@code yTrain} (indices
     * into {@code classes}) and scores it on {@code xTest}, {@code yTest}.
     */
    public static Result fit(BaselineModel model, float[][] xTrain, int[] yTrain, float[][] xTest, int[] yTest,
                             List<String> classes, long seed, double featureSeconds) {
        int d = dimension(xTrain, yTrain, classes.size(), "training");
        if (dimension(xTest, yTest, classes.size(), "test") != d) {
            throw new IllegalArgumentException("test images have " + xTest[0].length + " features, training images " + d);
        }
        long t0 = System.nanoTime();
        int k = classes.size();
        Classifier trained = switch (model) {
            case RandomForest rf -> HistogramForest.grow(xTrain, yTrain, k, rf.trees(), seed)::probabilities;
            case LogisticRegression lr -> logistic(lr, xTrain, yTrain, k, seed);
            case XGBoost xgb -> {
                float[][] p = Boosting.fitPredict(xgb, xTrain, yTrain, k, xTest, seed); // XGBoost predicts on its own threads
                yield (x, from, to) -> java.util.Arrays.copyOfRange(p, from, to);
            }
        };
        float[][] probabilities = new float[xTest.length][];
        List<Callable<Void>> chunks = new ArrayList<>();
        for (int from = 0; from < xTest.length; from += PREDICT_CHUNK) {
            int start = from, end = Math.min(xTest.length, from + PREDICT_CHUNK);
            chunks.add(() -> {
                float[][] p = trained.probabilities(xTest, start, end);
                System.arraycopy(p, 0, probabilities, start, p.length);
                return null;
            });
        }
        inParallel(chunks);
        int[] predicted = new int[xTest.length];
        for (int i = 0; i < predicted.length; i++) predicted[i] = argmax(probabilities[i]);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(name(model), model, evaluate(yTest, probabilities, classes), seconds, featureSeconds, predicted, probabilities);
    }

    /** Class probabilities of {@code x[from..to)}. */
    private interface Classifier {
        float[][] probabilities(float[][] x, int from, int to);
    }

    /** LIBLINEAR through Tribuo; class {@code c} is Tribuo's label {@code "c"}. */
    private static Classifier logistic(LogisticRegression lr, float[][] xTrain, int[] yTrain, int classes, long seed) {
        String[] names = featureNames(xTrain[0].length);
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("kinglet baseline", LABELS), LABELS);
        for (int i = 0; i < xTrain.length; i++) data.add(example(new Label(Integer.toString(yTrain[i])), names, xTrain[i]));
        Model<Label> model = new LibLinearClassificationTrainer(new LinearClassificationType(LinearClassificationType.LinearType.L2R_LR),
                /*cost=*/1 / (Math.max(lr.l2(), 1e-8) * data.size()), LR_MAX_ITERATIONS, LR_TOLERANCE, seed).train(data);
        return (x, from, to) -> {
            List<Example<Label>> examples = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) examples.add(example(LabelFactory.UNKNOWN_LABEL, names, x[i]));
            List<Prediction<Label>> predictions = model.predict(examples);
            float[][] out = new float[predictions.size()][classes];
            for (int i = 0; i < out.length; i++) {
                for (Label s : predictions.get(i).getOutputScores().values()) out[i][Integer.parseInt(s.getLabel())] = (float) s.getScore();
            }
            return out;
        };
    }

    /** The first class of highest probability (numpy's argmax, so ties go as in scikit-learn). */
    static int argmax(float[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
        return best;
    }

    /** Runs {@code tasks} on {@code kinglet.baseline.threads} threads; results in task order. */
    static <T> List<T> inParallel(List<Callable<T>> tasks) {
        int threads = Math.max(1, Math.min(tasks.size(), Integer.getInteger("kinglet.baseline.threads", Runtime.getRuntime().availableProcessors())));
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> t : tasks) futures.add(pool.submit(t));
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) out.add(f.get());
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training a baseline", e);
        }
    }

    /** A short name for reports, e.g. {@code random forest (500 trees)}, {@code logistic regression (l2 0.0001)}. */
    public static String name(BaselineModel model) {
        return switch (model) {
            case RandomForest rf -> "random forest (" + rf.trees() + " trees)";
            case LogisticRegression lr -> "logistic regression (l2 " + new BigDecimal(Double.toString(lr.l2())).stripTrailingZeros().toPlainString() + ")";
            case XGBoost x -> "xgboost (" + x.trees() + " trees, depth " + x.depth() + ")";
        };
    }

    /**
     * Accuracy, confusion and mean cross-entropy of {@code probabilities} against {@code truth},
     * predictions the first most probable class (probabilities clipped at 1e-12 in the loss, since a
     * forest gives zeros).
     */
    static Evaluation evaluate(int[] truth, float[][] probabilities, List<String> classes) {
        if (truth.length != probabilities.length) throw new IllegalArgumentException(truth.length + " labels but " + probabilities.length + " predictions");
        int k = classes.size();
        float[] flat = new float[truth.length * k];
        for (int i = 0; i < truth.length; i++) System.arraycopy(probabilities[i], 0, flat, i * k, k);
        return Evaluation.of(flat, truth, classes);
    }

    private static int dimension(float[][] x, int[] y, int classes, String what) {
        if (x.length == 0) throw new IllegalArgumentException("no " + what + " images");
        if (x.length != y.length) throw new IllegalArgumentException(x.length + " " + what + " feature vectors but " + y.length + " labels");
        int d = x[0].length;
        if (d == 0) throw new IllegalArgumentException(what + " features are empty");
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != d) throw new IllegalArgumentException(what + " image " + i + " has " + x[i].length + " features, image 0 has " + d);
            if (y[i] < 0 || y[i] >= classes) throw new IllegalArgumentException(what + " image " + i + " has label " + y[i] + ", outside 0.." + (classes - 1));
            for (float v : x[i]) {
                if (!Float.isFinite(v)) throw new IllegalArgumentException(what + " image " + i + " has a non-finite feature (" + v + ")");
            }
        }
        return d;
    }

    /** {@code x0000}, {@code x0001}, ...: zero-padded, so that Tribuo, which sorts features by name, keeps their order. */
    static String[] featureNames(int d) {
        int digits = Math.max(4, Integer.toString(d - 1).length());
        String[] names = new String[d];
        for (int j = 0; j < d; j++) names[j] = "x" + "0".repeat(digits - Integer.toString(j).length()) + j;
        return names;
    }

    /**
     * A dense example, zeros included: Tribuo would read a missing feature as zero too, but
     * its trees grow faster on dense examples, and every image then counts all {@code d}
     * features (scikit-learn's {@code sqrt(d)}).
     */
    private static Example<Label> example(Label label, String[] names, float[] x) {
        double[] v = new double[x.length];
        for (int j = 0; j < x.length; j++) v[j] = x[j];
        return new ArrayExample<>(label, names, v);
    }
}
