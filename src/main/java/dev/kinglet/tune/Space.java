package dev.kinglet.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.Tune;
import dev.kinglet.dsl.TuneRange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The tuned settings of one recipe: recipe paths, their ranges, and whether each holds a whole
 * number (then sampled values are rounded). Turns a point of the unit cube into a configuration
 * and a configuration into the recipe that trains it.
 */
public record Space(List<String> paths, List<TuneRange> ranges, List<Boolean> integral) {

    public static Space of(Recipe r) {
        Tune tune = r.tune();
        if (tune == null) throw new IllegalArgumentException("recipe " + r.name() + " has no tune section");
        var tree = RecipeIo.tree(r);
        List<String> paths = new ArrayList<>();
        List<TuneRange> ranges = new ArrayList<>();
        List<Boolean> integral = new ArrayList<>();
        for (var e : tune.space().entrySet()) {
            paths.add(e.getKey());
            ranges.add(e.getValue());
            integral.add(RecipeIo.valueAt(tree, e.getKey()).isIntegralNumber());
        }
        return new Space(List.copyOf(paths), List.copyOf(ranges), List.copyOf(integral));
    }

    public int dimensions() {
        return paths.size();
    }

    /** The configuration at {@code u} (one coordinate in [0, 1) per path), in the order of the space. */
    public Map<String, Double> config(double[] u) {
        Map<String, Double> c = new LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            double v = ranges.get(i).at(u[i]);
            c.put(paths.get(i), integral.get(i) ? Math.rint(v) : v);
        }
        return c;
    }

    /** The configuration as recipe values: whole numbers for integer settings. */
    public Map<String, JsonNode> values(Map<String, Double> config) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            Double v = config.get(paths.get(i));
            if (v == null) throw new IllegalArgumentException("configuration " + config + " has no value for " + paths.get(i));
            m.put(paths.get(i), node(i, v));
        }
        return m;
    }

    private JsonNode node(int i, double v) {
        return integral.get(i) ? JsonNodeFactory.instance.numberNode(Math.round(v)) : JsonNodeFactory.instance.numberNode(v);
    }

    /** {@code r} with {@code config} applied (and, if not null, train.epochs set), validated like a recipe file. */
    public Recipe apply(Recipe r, Map<String, Double> config, Integer epochs, String origin) {
        Map<String, JsonNode> sets = values(config);
        if (epochs != null && !sets.containsKey("train.epochs")) sets.put("train.epochs", JsonNodeFactory.instance.numberNode(epochs));
        return RecipeIo.override(r, sets, origin);
    }

    /**
     * Fails before any training if a bound of a range makes an invalid recipe (e.g. a learning
     * rate of 20, or rotation by 200 degrees), naming the setting.
     */
    public void checkBounds(Recipe r) {
        for (int i = 0; i < paths.size(); i++) {
            for (double bound : new double[] {ranges.get(i).low(), ranges.get(i).high()}) {
                double v = integral.get(i) ? Math.rint(bound) : bound;
                try {
                    RecipeIo.override(r, Map.of(paths.get(i), node(i, v)), "tune.space");
                } catch (RecipeException e) {
                    throw new RecipeException("tune.space." + paths.get(i), "the value " + v + " at the edge of its range makes an invalid recipe: " + e.getMessage());
                }
            }
        }
    }
}
