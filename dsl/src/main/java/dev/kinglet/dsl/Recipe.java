package dev.kinglet.dsl;

import java.util.regex.Pattern;

/**
 * A whole recipe: what data, which model, how to train, from which seed. Every field but
 * {@code name} and {@code data} has a default that is good practice on small data.
 *
 * <pre>{@code
 * var base = new Recipe("fashion-quick", "Small CNN on 100 images per class",
 *         new Data(IdxSource.fashionMnist("test-data/fashion-mnist")), null, null, null);
 * var faster = base.withTrain(base.train().withEpochs(5));
 * }</pre>
 */
public record Recipe(String name, String description, Data data, Architecture model, Train train, Long seed) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    public Recipe {
        RecipeException.require(name != null && NAME.matcher(name).matches(), "name",
                "'" + name + "' is not a recipe name: lower-case letters, digits, '.', '_' and '-', e.g. fashion-quick");
        description = description == null ? "" : description;
        RecipeException.require(data != null, "data", "missing: say where the images are, e.g. data: {source: {type: idx, dir: test-data/fashion-mnist}}");
        model = model == null ? new SmallCnn(null, null, null, null) : model;
        train = train == null ? Train.defaults() : train;
        seed = seed == null ? 42L : seed;
    }

    public Recipe withName(String n) { return new Recipe(n, description, data, model, train, seed); }
    public Recipe withDescription(String d) { return new Recipe(name, d, data, model, train, seed); }
    public Recipe withData(Data d) { return new Recipe(name, description, d, model, train, seed); }
    public Recipe withModel(Architecture m) { return new Recipe(name, description, data, m, train, seed); }
    public Recipe withTrain(Train t) { return new Recipe(name, description, data, model, t, seed); }
    public Recipe withSeed(long s) { return new Recipe(name, description, data, model, train, s); }
}
