package dev.kinglet.dsl;

/** Stop when the validation {@code metric} has not improved for {@code patience} epochs; keep the best weights. */
public record EarlyStopping(String metric, Integer patience) {
    public EarlyStopping {
        metric = metric == null ? "accuracy" : metric;
        patience = patience == null ? 5 : patience;
        RecipeException.require(metric.equals("accuracy") || metric.equals("loss") || metric.equals("balancedAccuracy"),
                "train.earlyStopping.metric", "'" + metric + "' is not one of accuracy, balancedAccuracy, loss");
        RecipeException.require(patience >= 1, "train.earlyStopping.patience", "must be >= 1, e.g. 5");
    }
}
