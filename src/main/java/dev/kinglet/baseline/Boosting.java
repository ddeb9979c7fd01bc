package dev.kinglet.baseline;

import java.util.HashMap;
import java.util.Map;

import dev.kinglet.dsl.XGBoost;
import dev.kinglet.natives.Natives;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Gradient-boosted trees through XGBoost's Java API ({@code multi:softprob}, {@code hist} trees,
 * {@code kinglet.baseline.threads} threads, seeded): class probabilities of every test row.
 * LibTorch's natives are loaded first: XGBoost's library needs {@code libgomp.so.1}, which a bare
 * machine lacks and JavaCPP's LibTorch brings, so the one already loaded serves both.
 */
final class Boosting {
    private Boosting() {}

    static float[][] fitPredict(XGBoost spec, float[][] xTrain, int[] yTrain, int classes, float[][] xTest, long seed) {
        Natives.load();
        int threads = Math.max(1, Integer.getInteger("kinglet.baseline.threads", Runtime.getRuntime().availableProcessors()));
        Map<String, Object> params = new HashMap<>();
        params.put("objective", "multi:softprob");
        params.put("num_class", classes);
        params.put("tree_method", "hist");
        params.put("max_depth", spec.depth());
        params.put("eta", spec.learningRate());
        params.put("subsample", spec.subsample());
        params.put("colsample_bytree", spec.colsample());
        params.put("nthread", threads);
        params.put("seed", (int) (seed ^ (seed >>> 32)) & Integer.MAX_VALUE);
        params.put("verbosity", 0);
        DMatrix train = null, test = null;
        Booster booster = null;
        try {
            float[] y = new float[yTrain.length];
            for (int i = 0; i < y.length; i++) y[i] = yTrain[i];
            train = matrix(xTrain);
            train.setLabel(y);
            booster = ml.dmlc.xgboost4j.java.XGBoost.train(train, params, spec.trees(), new HashMap<>(), null, null);
            test = matrix(xTest);
            return booster.predict(test);
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost failed: " + e.getMessage(), e);
        } finally {
            if (booster != null) booster.dispose();
            if (train != null) train.dispose();
            if (test != null) test.dispose();
        }
    }

    private static DMatrix matrix(float[][] x) throws XGBoostError {
        int d = x.length == 0 ? 0 : x[0].length;
        float[] flat = new float[x.length * d];
        for (int i = 0; i < x.length; i++) System.arraycopy(x[i], 0, flat, i * d, d);
        return new DMatrix(flat, x.length, d, Float.NaN);
    }
}
