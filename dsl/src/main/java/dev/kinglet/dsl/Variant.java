package dev.kinglet.dsl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

/**
 * A named variant of the base recipe: recipe paths set to new values, e.g.
 * {@code {name: cosine, set: {loss: {type: cosine}}}} or {@code set: {train.optimizer.lr: 0.01}}.
 * Variants are compared side by side in one run, on the same splits. {@code when} makes a
 * variant conditional: {@code weightsAvailable} runs it only when its {@code model.weights} are
 * on this machine without a download (a file that exists, or TorchVision weights already in the
 * weight cache); {@code unlabelledImages} only when some training images are left without their
 * labels ({@code data.subset} or a learning curve draws fewer than all), as self-training needs;
 * otherwise the plan leaves it out and says why.
 */
public record Variant(String name, String description, Map<String, JsonNode> set, String when) {
    /** The conditions a variant may carry: see the class comment. */
    public static final String WEIGHTS_AVAILABLE = "weightsAvailable", UNLABELLED_IMAGES = "unlabelledImages";

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]*");

    public Variant {
        RecipeException.require(name != null && NAME.matcher(name).matches(), "variants.name",
                "'" + name + "' is not a variant name: letters, digits, '.', '_', '-', e.g. cosine-loss");
        RecipeException.require(!name.equals("base"), "variants.name", "'base' names the recipe itself; choose another name");
        description = description == null ? "" : description;
        set = set == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(set));
        RecipeException.require(!set.isEmpty(), "variants[" + name + "].set", "is empty: say what the variant changes, e.g. {loss: {type: cosine}}");
        RecipeException.require(when == null || when.equals(WEIGHTS_AVAILABLE) || when.equals(UNLABELLED_IMAGES), "variants[" + name + "].when",
                "'" + when + "' is not a condition: use " + WEIGHTS_AVAILABLE + ", " + UNLABELLED_IMAGES + " or leave it out");
        for (String path : set.keySet()) {
            RecipeException.require(!path.equals("variants") && !path.startsWith("variants.") && !path.equals("name"),
                    "variants[" + name + "].set", "cannot change '" + path + "'");
        }
    }

    /** A variant setting one recipe path to a value (a record, string, number or list). */
    public static Variant of(String name, String path, Object value) {
        return new Variant(name, null, Map.of(path, RecipeIo.tree(value)), null);
    }

    /** This variant also setting {@code path} to {@code value}. */
    public Variant and(String path, Object value) {
        Map<String, JsonNode> m = new LinkedHashMap<>(set);
        m.put(path, RecipeIo.tree(value));
        return new Variant(name, description, m, when);
    }

    public Variant(String name, String description, Map<String, JsonNode> set) {
        this(name, description, set, null);
    }

    /** This variant's settings under another name. */
    public Variant withName(String other) {
        return new Variant(other, description, set, when);
    }

    /** This variant, run only under {@code condition} (e.g. {@link #WEIGHTS_AVAILABLE}). */
    public Variant when(String condition) {
        return new Variant(name, description, set, condition);
    }
}
