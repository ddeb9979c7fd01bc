package dev.kinglet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.RecipeProvider;

/** The recipes this jar knows (Java classes found by {@link ServiceLoader}) and recipe files. */
public final class RecipeCatalog {
    private RecipeCatalog() {}

    public static List<Recipe> all() {
        return ServiceLoader.load(RecipeProvider.class).stream()
                .map(p -> p.get().recipe())
                .sorted(Comparator.comparing(Recipe::name))
                .toList();
    }

    /** A recipe by name, or from a {@code .json}/{@code .yaml} file when {@code nameOrFile} is one. */
    public static Recipe resolve(String nameOrFile) throws IOException {
        Path file = Path.of(nameOrFile);
        String lower = nameOrFile.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".json") || lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            if (!Files.isRegularFile(file)) throw new IOException("recipe file " + file.toAbsolutePath() + " not found");
            return RecipeIo.read(file);
        }
        List<Recipe> all = all();
        return all.stream().filter(r -> r.name().equals(nameOrFile)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no recipe named '" + nameOrFile + "'; known: "
                        + all.stream().map(Recipe::name).collect(Collectors.joining(", "))
                        + " (or give a .json/.yaml recipe file)"));
    }
}
