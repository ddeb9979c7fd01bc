package dev.kinglet.dsl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** Recipes to and from JSON and YAML. Unknown keys are errors, with a "did you mean". */
public final class RecipeIo {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER, YAMLWriteFeature.USE_NATIVE_TYPE_ID)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .build();

    private RecipeIo() {}

    /** A JSON tree of any recipe value (record, string, number, list); list elements keep their {@code type}. */
    public static JsonNode tree(Object value) {
        if (value instanceof List<?> list) {
            ArrayNode array = JSON.getNodeFactory().arrayNode();
            for (Object o : list) array.add(tree(o));
            return array;
        }
        return JSON.valueToTree(value);
    }

    /** The recipe as a JSON tree, defaults filled in. */
    public static ObjectNode tree(Recipe r) {
        return JSON.valueToTree(r);
    }

    /** Parses a {@code --set} value as YAML: {@code 0.01}, {@code cosine}, {@code {type: cosine}}, {@code [10, 50]}. */
    public static JsonNode parseValue(String text) {
        try {
            JsonNode n = YAML.readTree(text);
            return n == null || n.isMissingNode() ? JSON.getNodeFactory().nullNode() : n;
        } catch (JacksonException e) {
            throw new RecipeException("(--set)", "'" + text + "' is not a YAML value: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The recipe with each path set to its value ({@code train.optimizer.lr},
     * {@code augment.train[0].degrees}), validated exactly as a recipe file is.
     */
    public static Recipe override(Recipe base, Map<String, JsonNode> overrides, String origin) {
        ObjectNode root = tree(base);
        for (var e : overrides.entrySet()) {
            if (e.getKey().equals(DATA_ROOT)) {
                // shorthand: a folder of class sub-folders
                RecipeException.require(e.getValue().isString(), DATA_ROOT, "must be a folder of class sub-folders, e.g. data.root=data/birds");
                set(root, "data.source", JSON.getNodeFactory().objectNode().put("type", "imageFolder").put("dir", e.getValue().asString()));
            } else {
                set(root, e.getKey(), e.getValue());
            }
        }
        return fromTree(root, origin);
    }

    /** {@code data.root=DIR} in an override is short for {@code data.source={type: imageFolder, dir: DIR}}. */
    public static final String DATA_ROOT = "data.root";

    /** The recipe of {@code variant}: the base with the variant's paths set and no variants of its own. */
    public static Recipe resolve(Recipe base, Variant variant) {
        Map<String, JsonNode> sets = new LinkedHashMap<>(variant.set());
        sets.put("variants", JSON.getNodeFactory().arrayNode());
        return override(base, sets, "variant '" + variant.name() + "'");
    }

    static Recipe fromTree(ObjectNode root, String origin) {
        return read(JSON, root.toString(), origin);
    }

    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)((?:\\[\\d+\\])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)\\]");

    private static void set(ObjectNode root, String path, JsonNode value) {
        slot(root, path, true).set(value);
    }

    /**
     * The value at {@code path} ({@code train.optimizer.lr}, {@code augment.train[2].degrees}) in
     * a recipe tree; a key or index that is not there is an error naming the path and what is.
     */
    public static JsonNode valueAt(JsonNode root, String path) {
        return slot(root, path, false).get();
    }

    /** A tree of the recipe's sections, for checks made while the recipe itself is being built. */
    static ObjectNode sections(Long seed, Data data, Baseline baseline, Model model, Pretrain pretrain, SemiSupervised semiSupervised, Augment augment, Loss loss,
                               Train train, Ensemble ensemble, LearningCurve learningCurve, Output output) {
        ObjectNode n = JSON.getNodeFactory().objectNode();
        n.put("seed", seed);
        Object[] values = {data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, output};
        String[] keys = {"data", "baseline", "model", "pretrain", "semiSupervised", "augment", "loss", "train", "ensemble", "learningCurve", "output"};
        for (int i = 0; i < keys.length; i++) n.set(keys[i], values[i] == null ? JSON.getNodeFactory().nullNode() : JSON.valueToTree(values[i]));
        return n;
    }

    /** Where a path ends: a key of an object or an index of a list. */
    private record Slot(JsonNode container, String key, int index, String path) {
        JsonNode get() {
            if (container instanceof ArrayNode arr) return arr.get(index);
            JsonNode v = container.get(key);
            if (v == null) throw new RecipeException(path, "'" + key + "' is not a setting here; known: " + String.join(", ", container.propertyNames()));
            return v;
        }

        void set(JsonNode v) {
            if (container instanceof ArrayNode arr) arr.set(index, v);
            else ((ObjectNode) container).set(key, v);
        }
    }

    /** Walks {@code path}; with {@code create}, a missing or null object on the way becomes an empty one (for setting). */
    private static Slot slot(JsonNode root, String path, boolean create) {
        String[] parts = path.split("\\.", -1);
        JsonNode node = root;
        for (int i = 0; i < parts.length; i++) {
            Matcher m = SEGMENT.matcher(parts[i]);
            if (!m.matches()) throw new RecipeException(path, "is not a recipe path: use dotted keys and [index], e.g. train.optimizer.lr or augment.train[0].p");
            String key = m.group(1);
            List<Integer> indices = new ArrayList<>();
            Matcher idx = INDEX.matcher(m.group(2));
            while (idx.find()) indices.add(Integer.parseInt(idx.group(1)));
            boolean last = i == parts.length - 1;
            if (!(node instanceof ObjectNode obj)) {
                throw new RecipeException(path, "'" + parts[i] + "' is inside a value that is not an object" + (node.isNull() ? " (it is not set)" : ""));
            }
            if (indices.isEmpty() && last) return new Slot(obj, key, -1, path);
            JsonNode child = obj.get(key);
            if (child == null || child.isNull()) {
                if (!create) {
                    if (child == null) throw new RecipeException(path, "'" + key + "' is not a setting here; known: " + String.join(", ", obj.propertyNames()));
                    throw new RecipeException(path, "'" + key + "' is not set in this recipe, so nothing inside it can be");
                }
                if (indices.isEmpty()) child = obj.putObject(key);
            }
            for (int k = 0; k < indices.size(); k++) {
                if (!(child instanceof ArrayNode arr)) throw new RecipeException(path, "'" + key + "' is not a list");
                int at = indices.get(k);
                if (at >= arr.size()) throw new RecipeException(path, "index " + at + " is past the end of '" + key + "' (" + arr.size() + " items)");
                if (last && k == indices.size() - 1) return new Slot(arr, key, at, path);
                child = arr.get(at);
            }
            node = child;
        }
        throw new AssertionError("unreachable: the loop returns at the last part");
    }

    public static String toJson(Recipe r) {
        return JSON.writeValueAsString(r);
    }

    public static String toYaml(Recipe r) {
        return YAML.writeValueAsString(r);
    }

    public static Recipe fromJson(String text, String origin) {
        return read(JSON, text, origin);
    }

    public static Recipe fromYaml(String text, String origin) {
        return read(YAML, text, origin);
    }

    /** Reads a {@code .json}, {@code .yaml} or {@code .yml} recipe file. */
    public static Recipe read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String text = Files.readString(file);
        if (name.endsWith(".json")) return read(JSON, text, file.toString());
        if (name.endsWith(".yaml") || name.endsWith(".yml")) return read(YAML, text, file.toString());
        throw new RecipeException("(file)", file + " is neither .json nor .yaml/.yml");
    }

    private static Recipe read(ObjectMapper mapper, String text, String origin) {
        return read(mapper, text, Recipe.class, origin);
    }

    /** A recipe section (e.g. a saved {@link Model}) from its JSON tree, validated as in a recipe file. */
    public static <T> T value(JsonNode node, Class<T> type, String origin) {
        return read(JSON, node.toString(), type, origin);
    }

    private static <T> T read(ObjectMapper mapper, String text, Class<T> type, String origin) {
        try {
            return Objects.requireNonNull(mapper.readValue(text, type), "empty recipe");
        } catch (UnrecognizedPropertyException e) {
            String path = path(e);
            String hint = suggestion(e.getPropertyName(), e.getKnownPropertyIds());
            throw new RecipeException(path, "unknown key '" + e.getPropertyName() + "' in " + origin + hint
                    + " (known: " + known(e.getKnownPropertyIds()) + ")", e);
        } catch (DatabindException e) {
            if (rootCause(e) instanceof RecipeException re) {
                String full = fullPath(path(e), re.path());
                throw new RecipeException(full, re.getMessage().substring(re.path().length() + 2) + " (in " + origin + ")", e);
            }
            throw new RecipeException(path(e), e.getOriginalMessage() + " (in " + origin + ")", e);
        } catch (JacksonException e) {
            throw new RecipeException("(file)", origin + " is not valid: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Jackson knows where the failing object sits in the file (list indices included), the
     * record knows which of its fields failed: {@code augment.train[2]} + {@code augment.rotate.degrees}
     * gives {@code augment.train[2].degrees}.
     */
    static String fullPath(String where, String recordPath) {
        if (recordPath.startsWith(where + ".")) return recordPath;
        if (where.startsWith(recordPath + ".")) return where;
        if (where.equals("(recipe)") || !recordPath.contains(".")) return where.equals("(recipe)") ? recordPath : where;
        String leaf = recordPath.substring(recordPath.lastIndexOf('.') + 1);
        return where.endsWith("." + leaf) || where.equals(leaf) ? where : where + "." + leaf;
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof RecipeException) return t;
            t = t.getCause();
        }
        return t;
    }

    private static String path(DatabindException e) {
        String p = e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? "." + ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining());
        return p.isEmpty() ? "(recipe)" : p.startsWith(".") ? p.substring(1) : p;
    }

    private static String known(Collection<Object> ids) {
        return ids == null ? "" : ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /** " — did you mean 'lr'?" for the known key nearest by edit distance, if near enough. */
    static String suggestion(String wrong, Collection<Object> known) {
        if (known == null || wrong == null) return "";
        List<String> names = known.stream().map(String::valueOf).toList();
        return names.stream()
                .min(Comparator.comparingInt(k -> distance(wrong.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT))))
                .filter(k -> distance(wrong.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT)) <= Math.max(2, wrong.length() / 3))
                .map(k -> " — did you mean '" + k + "'?")
                .orElse("");
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
